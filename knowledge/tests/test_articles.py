"""The knowledge base's services: every change writes its event, a unit keeps only its own
articles, dispatchers keep all, and an article past its review date is flagged 待复核."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.tests.helpers import local
from knowledge import scope, services
from knowledge.models import Article, ArticleEvent, ArticleEventKind, ArticleKind, ArticleStatus
from knowledge.tests.factories import article

NOW = local(2026, 3, 20, 10)
TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def kinds(made: Article) -> list[str]:
    return list(ArticleEvent.objects.filter(article=made).values_list("kind", flat=True))


def test_each_change_writes_its_event(world):
    made = article(world, publish=False)
    assert made.status == ArticleStatus.DRAFT
    assert made.review_by == TODAY + timedelta(days=services.DEFAULT_REVIEW_DAYS)
    services.publish_article(made, actor=world.handler)
    services.update_article(
        made, actor=world.handler, title="失业保险金怎么领", keywords="失业金 领取"
    )
    services.review_article(made, actor=world.handler, review_by=date(2027, 3, 1), note="政策未变")
    services.archive_article(made, actor=world.handler, reason="政策到期")
    assert kinds(made) == [
        ArticleEventKind.CREATED,
        ArticleEventKind.PUBLISHED,
        ArticleEventKind.UPDATED,
        ArticleEventKind.REVIEWED,
        ArticleEventKind.ARCHIVED,
    ]
    events = {e.kind: e for e in ArticleEvent.objects.filter(article=made)}
    assert events[ArticleEventKind.UPDATED].data["changed"] == ["keywords", "title"]
    assert events[ArticleEventKind.REVIEWED].data["review_by"] == "2027-03-01"
    assert events[ArticleEventKind.REVIEWED].note == "政策未变"
    assert all(e.actor == world.handler for e in events.values())
    made.refresh_from_db()
    assert made.keywords == "失业金、领取"  # one separator, whatever was typed
    assert made.status == ArticleStatus.ARCHIVED


def test_events_are_append_only(world):
    event = ArticleEvent.objects.filter(article=article(world)).first()
    assert event is not None
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_another_unit_cannot_edit_and_nothing_is_written(world):
    made = article(world)
    before = kinds(made)
    with pytest.raises(PermissionDenied):
        services.update_article(made, actor=world.other_handler, title="改了")
    for move in (services.publish_article, services.archive_article):
        with pytest.raises(PermissionDenied):
            move(made, actor=world.other_handler)
    with pytest.raises(PermissionDenied):
        services.review_article(made, actor=world.other_handler, review_by=date(2027, 1, 1))
    made.refresh_from_db()
    assert made.title == "失业保险金申领办法"
    assert kinds(made) == before


def test_a_unit_keeps_only_its_own_unit(world):
    with pytest.raises(ValidationError) as raised:
        article(world, owner_unit=world.other_dept)
    assert raised.value.error_dict["owner_unit"][0].code == "not_own_unit"
    with pytest.raises(ValidationError):
        article(world, owner_unit=None)
    made = article(world)
    # Nor give its article away.
    with pytest.raises(ValidationError):
        services.update_article(made, actor=world.handler, owner_unit=world.other_dept)


def test_dispatchers_and_admins_keep_every_article(world):
    made = article(world)
    services.update_article(made, actor=world.dispatcher, body="新的办理说明。")
    office = article(world, actor=world.admin, owner_unit=None, title="热线电话")
    assert office.owner_unit is None
    assert scope.may_edit_article(world.dispatcher, made)
    assert not scope.may_edit_article(world.other_handler, made)


def test_residents_and_outsiders_cannot_write(world):
    for user in (world.resident, world.outsider, world.grid_worker):
        with pytest.raises(PermissionDenied):
            article(world, actor=user, owner_unit=None)


def test_drafts_are_read_by_their_keepers_only(world):
    draft = article(world, publish=False, title="草稿条目")
    published = article(world, title="已发布条目")
    assert set(scope.readable_articles(world.other_handler)) == {published}
    assert set(scope.readable_articles(world.handler)) == {draft, published}
    assert set(scope.readable_articles(world.dispatcher)) == {draft, published}
    assert not scope.readable_articles(world.resident).exists()


def test_past_its_review_date_an_article_is_due(world):
    due = article(world, review_by=TODAY - timedelta(days=1))
    today = article(world, title="当天复核", review_by=TODAY)
    assert due.due_for_review and not today.due_for_review
    assert list(Article.objects.due_for_review()) == [due]
    services.review_article(due, actor=world.handler, review_by=TODAY + timedelta(days=180))
    due.refresh_from_db()
    assert not due.due_for_review
    assert due.reviewed_at == NOW
    services.archive_article(today, actor=world.handler)
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert not Article.objects.due_for_review().filter(pk=today.pk).exists()


def test_bad_input_is_refused_in_chinese(world):
    made = article(world)
    with pytest.raises(ValidationError) as raised:
        services.review_article(made, actor=world.handler, review_by=TODAY)
    assert raised.value.error_dict["review_by"][0].message == "下次复核日期须晚于今天。"
    with pytest.raises(ValidationError) as raised:
        services.create_article(
            actor=world.handler, title="", body="x", kind="bogus", owner_unit=world.dept
        )
    assert {"title", "kind"} <= set(raised.value.error_dict)
    with pytest.raises(ValidationError):
        services.create_article(
            actor=world.handler,
            title="a\x00b",
            body="x",
            kind=ArticleKind.FAQ,
            owner_unit=world.dept,
        )
    services.archive_article(made, actor=world.handler)
    with pytest.raises(ValidationError) as raised:
        services.update_article(made, actor=world.handler, title="再改")
    assert raised.value.error_dict["status"][0].code == "archived"
    with pytest.raises(ValidationError):
        services.archive_article(made, actor=world.handler)
    services.publish_article(made, actor=world.handler)  # published again
    with pytest.raises(ValidationError):
        services.publish_article(made, actor=world.handler)
