"""``ranked``: which rows a query finds, and in which order, the same on SQLite and PostgreSQL.

The expected rankings are pinned as lists of (name, relevance), so the same test passing on both
databases (the suite runs on each) is the proof that both rank alike. The rows are Django's own
permissions (two text fields, ``name`` and ``codename``) of a content type made for the test:
this package is the lowest layer and its tests import nothing of the project either.
"""

from __future__ import annotations

from itertools import count

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from textsearch import PHRASE_BONUS, ranked

pytestmark = pytest.mark.django_db

_serial = count()
FIELDS = {"name": 3, "codename": 1}


def rows() -> QuerySet[Permission]:
    return Permission.objects.filter(content_type__app_label="textsearch_tests")


def unit(name: str, codename: str = "") -> Permission:
    content_type, _ = ContentType.objects.get_or_create(app_label="textsearch_tests", model="row")
    # The code name is unique per content type: a blank one gets a serial number no query matches.
    codename = codename or f"row-{next(_serial)}"
    return Permission.objects.create(content_type=content_type, name=name, codename=codename)


def found(query: str) -> list[tuple[str, int]]:
    found = ranked(rows(), query, FIELDS)
    # The stubs know the model's fields, not the annotation ``ranked`` adds.
    return list(found.values_list("name", "relevance"))  # type: ignore[misc]


def test_a_hit_in_the_heavier_field_ranks_first() -> None:
    unit("县交通局", codename="负责道路养护")
    unit("县道路养护中心")
    assert [name for name, _ in found("道路")] == ["县道路养护中心", "县交通局"]


def test_more_terms_found_rank_before_fewer() -> None:
    unit("噪音投诉组")
    unit("噪音扰民投诉组")
    unit("扰民")
    assert found("噪音 扰民") == [("噪音扰民投诉组", 6), ("扰民", 3), ("噪音投诉组", 3)]


def test_the_whole_query_as_a_phrase_earns_a_bonus() -> None:
    unit("扰民噪音处置组")
    unit("噪音扰民处置组")
    assert found("噪音扰民") == [
        ("噪音扰民处置组", 3 + 3 + 3 * PHRASE_BONUS),
        ("扰民噪音处置组", 3 + 3),
    ]


def test_a_one_word_query_counts_the_word_and_its_phrase() -> None:
    unit("县供电公司", codename="供电")
    assert found("供电") == [("县供电公司", (3 + 1) * (1 + PHRASE_BONUS))]


def test_a_document_number_matches_as_typed() -> None:
    unit("政策一", codename="德政〔2025〕12号")
    unit("政策二", codename="德政〔2025〕13号")
    assert found("德政〔2025〕12号")[0] == ("政策一", 4 + PHRASE_BONUS)


def test_rows_without_any_term_are_left_out() -> None:
    unit("县水利局", codename="水库")
    assert found("路灯") == []


def test_equal_relevance_puts_the_newest_first() -> None:
    older = unit("路灯维修组")
    newer = unit("路灯巡查组")
    assert [name for name, _ in found("路灯")] == [newer.name, older.name]


def test_a_punctuation_only_query_finds_only_that_punctuation() -> None:
    unit("县路灯所")
    unit("问号？！组")
    assert found("？！") == [("问号？！组", 3 * PHRASE_BONUS)]


def test_a_blank_query_returns_the_queryset_unchanged() -> None:
    queryset = rows()
    assert ranked(queryset, "  ", FIELDS) is queryset


def test_a_thousand_character_query_is_safe() -> None:
    unit("路灯维修组")
    query = "路灯不亮，" * 200
    assert len(query) == 1000
    assert found(query) == [("路灯维修组", 3)]


def test_a_query_with_like_wildcards_matches_them_literally() -> None:
    unit("百分之百组")
    unit("100%组")
    assert found("100%") == [("100%组", 3 + 3 * PHRASE_BONUS)]


def test_it_is_one_query() -> None:
    for name in ("路灯维修组", "路灯巡查组", "噪音扰民组"):
        unit(name)
    with CaptureQueriesContext(connection) as queries:
        assert len(found("路灯 噪音 扰民 巡查")) == 3
    assert len(queries) == 1


def test_a_phrase_field_is_tried_with_the_whole_query_only() -> None:
    unit("路灯维修组", codename="ld-2025-0012")
    unit("年度道路组", codename="dl-2025-0001")
    found = ranked(rows(), "ld-2025", {"name": 3}, phrase_fields={"codename": 10})
    assert list(found.values_list("name", "relevance")) == [("路灯维修组", 10)]  # type: ignore[misc]
    found = ranked(rows(), "2025年道路", {"name": 3}, phrase_fields={"codename": 10})
    assert list(found.values_list("name", "relevance")) == [("年度道路组", 6)]  # type: ignore[misc]
