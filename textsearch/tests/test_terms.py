"""``terms``: how a query is cut into search terms."""

from __future__ import annotations

import logging

import pytest

import textsearch
from textsearch import MAX_TERMS, terms


def test_it_cuts_a_chinese_query_into_words() -> None:
    assert terms("噪音扰民") == ["噪音", "扰民"]


def test_it_keeps_the_shorter_words_inside_a_long_one() -> None:
    assert terms("张家村道路破损") == ["张家", "家村", "张家村", "道路", "破损"]


def test_it_drops_punctuation_whitespace_and_stop_words() -> None:
    assert terms("  小区门口的垃圾，没人清理了！ ") == ["小区", "门口", "垃圾", "人", "清理"]


def test_it_keeps_latin_and_number_tokens() -> None:
    assert terms("德政〔2025〕12号") == ["德政", "2025", "12", "号"]
    assert terms("LX20250301 路灯") == ["LX20250301", "路灯"]


def test_it_counts_a_repeated_term_once_ignoring_case() -> None:
    assert terms("路灯 路灯 WiFi wifi") == ["路灯", "WiFi"]


def test_a_blank_or_punctuation_only_query_has_no_terms() -> None:
    assert terms("") == []
    assert terms(" \t\n") == []
    assert terms("！？，。……") == []


def test_it_keeps_at_most_the_longest_terms_in_their_order() -> None:
    query = "路灯 噪音 垃圾 停车 供水 供电 燃气 网络 道路破损 中华人民共和国"
    assert terms(query) == [
        "路灯",
        "噪音",
        "垃圾",
        "停车",
        "供水",
        "供电",
        "共和国",
        "中华人民共和国",
    ]
    assert MAX_TERMS == 8


def test_a_long_query_is_safe() -> None:
    assert len(terms("路灯不亮，" * 200)) <= MAX_TERMS


def test_the_same_query_gives_the_same_terms_whatever_is_added_to_jieba() -> None:
    import jieba  # type: ignore[import-untyped]

    before = terms("企业用电报装难")
    jieba.add_word("电报装")
    try:
        assert terms("企业用电报装难") == before
    finally:
        jieba.del_word("电报装")


def test_jieba_stays_quiet(caplog: pytest.LogCaptureFixture) -> None:
    textsearch._tokenizer = None
    with caplog.at_level(logging.DEBUG):
        terms("路灯")
    assert not [r for r in caplog.records if r.name == "jieba"]
