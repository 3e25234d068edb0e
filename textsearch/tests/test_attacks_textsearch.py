"""``ranked`` under hostile input: LIKE wildcards and backslashes are literal, SQL-looking text
is data, a 10,000-character query or one holding NUL runs (PostgreSQL refuses NUL in text:
the doors refuse or strip it, and ``ranked`` now does too, whoever calls it).

Rows are ``Permission`` names, as in ``test_ranked``: this layer imports nothing of the project."""

from __future__ import annotations

from itertools import count

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from textsearch import MAX_QUERY_CHARS, ranked

_codes = count()


def make(name: str) -> Permission:
    content_type, _ = ContentType.objects.get_or_create(app_label="textsearch_attacks", model="r")
    return Permission.objects.create(
        content_type=content_type, name=name, codename=f"attack_{next(_codes)}"
    )


def found(query: str) -> set[str]:
    rows = Permission.objects.filter(content_type__app_label="textsearch_attacks")
    return {p.name for p in ranked(rows, query, {"name": 1})}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", {"增长 50% 奖励"}),
        ("_", {"a_b 规则"}),
        ("\\", {"路径 C:\\temp"}),
        ("%_%", set()),
        ("50%", {"增长 50% 奖励"}),
    ],
)
def test_like_wildcards_and_backslashes_are_literal(query, expected):
    for name in ("增长 50% 奖励", "a_b 规则", "路径 C:\\temp", "普通补助"):
        make(name)
    assert found(query) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["' OR 1=1 --", '"; DROP TABLE auth_permission; --', "%' OR '1'='1"]
)
def test_sql_looking_input_is_data(query):
    make("普通补助")
    assert found(query) == set()
    assert Permission.objects.filter(name="普通补助").count() == 1


@pytest.mark.django_db
def test_a_10000_character_query_runs_and_is_cut():
    make("设备更新补助")
    assert found("设备" + "x" * 10_000) == {"设备更新补助"}
    assert found("x" * 10_000) == set()


@pytest.mark.django_db
def test_a_query_with_nul_runs_on_every_database():
    make("设备更新补助")
    assert found("设备\x00更新") == {"设备更新补助"}
    assert found("\x00") == {"设备更新补助"}  # blank once NUL is gone: the queryset as it is


def test_the_phrase_is_cut_where_the_terms_are():
    assert MAX_QUERY_CHARS == 200
