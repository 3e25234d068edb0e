"""Reading the knowledge base: the ranked Chinese search (``textsearch``), the list filters, and
the count of residents' questions answered without a case (for the pages and the dashboard)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from knowledge.models import ArticleQuerySet, SelfServiceAnswer
from textsearch import ranked

# A title or a keyword the office chose says more than a word somewhere in the body.
SEARCH_WEIGHTS = {"title": 3, "keywords": 3, "body": 1}
PANEL_RESULTS = 6


def search(articles: ArticleQuerySet, query: str) -> ArticleQuerySet:
    """``articles`` holding a word of ``query`` (jieba's terms), the most relevant first; all of
    them, the latest changed first, for a blank query."""
    if query.strip():
        return ranked(articles, query, SEARCH_WEIGHTS)
    return articles.order_by("-updated_at", "-pk")


def filtered(
    articles: ArticleQuerySet,
    *,
    query: str = "",
    kind: str = "",
    status: str = "",
    unit: int | None = None,
    due: bool = False,
    today: date | None = None,
) -> ArticleQuerySet:
    """The list page's filters (blank ones ignored), then ``search``."""
    if kind:
        articles = articles.filter(kind=kind)
    if status:
        articles = articles.filter(status=status)
    if unit is not None:
        articles = articles.filter(owner_unit_id=unit)
    if due:
        articles = articles.due_for_review(today)
    return search(articles, query)


def _moment(value: date | datetime, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end else value
    return timezone.make_aware(datetime.combine(day, time.min))


def self_service_count(start: date | datetime | None, end: date | datetime | None) -> int:
    """Residents' questions a public article answered without a case (解决了我的问题).

    Datetimes bound the count as ``start <= at < end``; dates are local days, both included
    (``self_service_count(date(2026, 1, 1), date(2026, 1, 31))`` counts January). ``None``
    leaves that end open."""
    answers = SelfServiceAnswer.objects.all()
    if start is not None:
        answers = answers.filter(at__gte=_moment(start, end=False))
    if end is not None:
        answers = answers.filter(at__lt=_moment(end, end=True))
    return answers.count()
