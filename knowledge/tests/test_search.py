"""The Chinese search over the knowledge base (``textsearch``: jieba terms, ranked), and the
count of questions answered without a case."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.tests.helpers import local
from knowledge import selectors, services
from knowledge.models import Article, ArticleKind
from knowledge.tests.factories import article


@pytest.fixture
def base(world) -> dict[str, Article]:
    return {
        "unemployment": article(world),
        "insurance": article(
            world,
            title="城乡居民医保缴费指南",
            body="每年9月至12月缴纳下一年度城乡居民医疗保险费，可通过闽税通或银行缴费。",
            kind=ArticleKind.GUIDE,
            keywords="医保、交医保",
        ),
        "lamp": article(
            world,
            title="路灯报修",
            body="路灯不亮请拨打城管热线，维修一般在三个工作日内完成；涉及失业人员公益岗位的不在此列。",
            kind=ArticleKind.CONTACT,
            keywords="",
        ),
    }


def titles(query: str) -> list[str]:
    return [a.title for a in selectors.search(Article.objects.published(), query)]


def test_it_ranks_the_chinese_matches(base):
    found = titles("怎么申领失业金")
    assert found[0] == "失业保险金申领办法"
    assert "城乡居民医保缴费指南" not in found
    assert titles("医保缴费")[0] == "城乡居民医保缴费指南"
    # A word in the title beats the same word only in a body.
    assert titles("失业") == ["失业保险金申领办法", "路灯报修"]
    assert titles("路灯不亮") == ["路灯报修"]


def test_a_keyword_finds_what_the_title_does_not_say(base):
    assert titles("交医保")[0] == "城乡居民医保缴费指南"


def test_archived_articles_are_not_found(world, base):
    services.archive_article(base["lamp"], actor=world.handler)
    assert titles("路灯") == []


def test_the_self_service_count(world, base):
    with time_machine.travel(local(2026, 1, 31, 23, 30), tick=False):
        services.record_self_service(base["unemployment"], user=world.resident, query="失业金")
    with time_machine.travel(local(2026, 2, 1, 9), tick=False):
        services.record_self_service(base["insurance"], user=world.resident, query="医保")
    count = selectors.self_service_count
    assert count(date(2026, 1, 1), date(2026, 1, 31)) == 1
    assert count(date(2026, 2, 1), date(2026, 2, 28)) == 1
    assert count(local(2026, 1, 31, 23), local(2026, 2, 1, 9)) == 1  # end excluded
    assert count(None, None) == 2
    assert count(date(2026, 2, 2), None) == 0


def test_only_residents_record_and_only_public_articles(world, base):
    with pytest.raises(PermissionDenied):
        services.record_self_service(base["lamp"], user=world.handler)
    internal = article(world, title="内部口径", is_public=False)
    with pytest.raises(ValidationError):
        services.record_self_service(internal, user=world.resident)
    draft = article(world, title="草稿", publish=False)
    with pytest.raises(ValidationError):
        services.record_self_service(draft, user=world.resident)
    answer = services.record_self_service(base["lamp"], user=world.resident, query="x" * 900)
    assert len(answer.query) == services.MAX_QUERY
    assert answer.user == world.resident
