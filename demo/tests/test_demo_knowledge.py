"""The demo's knowledge base on a freshly built county: articles kept by the county's units,
published through the services, one 待复核 and one draft, the saved replies in their scopes,
and a few questions residents answered themselves."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.reference import ensure_reference_data
from demo.county import CountyBuilder
from demo.knowledge import ARTICLES, REPLIES, SELF_SERVED, load_knowledge
from knowledge.models import Article, ArticleEvent, ArticleStatus, ReplyScope
from knowledge.selectors import self_service_count

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # builds a demo county


def test_the_county_gets_its_knowledge_base_and_replies():
    ensure_reference_data()
    now = timezone.now()
    county = CountyBuilder(random.Random(7), joined=now - timedelta(days=400)).build()
    articles, replies = load_knowledge(county, random.Random(5), now)
    assert len(articles) == len(ARTICLES) and len(replies) == len(REPLIES)
    assert Article.objects.filter(status=ArticleStatus.DRAFT).count() == 1
    assert Article.objects.due_for_review().count() == 1
    assert Article.objects.public().count() >= 6
    assert county.units["rsj"] in {a.owner_unit for a in articles}
    # Every article was created through the services; every published one says so.
    assert ArticleEvent.objects.filter(kind="created").count() == len(ARTICLES)
    assert ArticleEvent.objects.filter(kind="published").count() == len(ARTICLES) - 1
    assert {r.scope for r in replies} == set(ReplyScope.values)
    assert self_service_count(None, None) == len(SELF_SERVED)
    assert self_service_count(now - timedelta(days=7), now) >= 1
