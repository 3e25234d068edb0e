"""Duplicate hints for the dispatcher's inbox: cases that may be the same matter raised twice.

A hint is another open case of the last 30 days either in the same region with the same
category (or, before triage, the same case type), or with a similar title. Titles are compared
by character bigrams (Dice coefficient): Chinese titles are short and have no spaces, and
``jieba`` is not installed. The candidates are fetched in one bounded query and compared in
Python through a bigram index, so the inbox costs one query for hints whatever its length.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet

from cases.models import OPEN_STATUSES, Case, Status

WINDOW = timedelta(days=30)
# The newest candidates compared; older ones in a busy county are unlikely duplicates anyway.
CANDIDATE_LIMIT = 1000
SIMILAR_TITLE = 0.5
HINTS_PER_CASE = 3
COMMON_GRAM_MIN = 10

_NOT_WORD = re.compile(r"[\W_]+")


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of a title without spaces and punctuation ("路灯不亮" → 路灯 灯不 不亮)."""
    text = _NOT_WORD.sub("", text.lower())
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True)
class Hint:
    pk: int
    number: str
    title: str
    status_label: str
    region_name: str
    same_kind: bool  # same region and category/type
    score: float  # title similarity

    @property
    def reason(self) -> str:
        from django.utils.translation import gettext as _

        if self.same_kind and self.score >= SIMILAR_TITLE:
            return _("同区域同类、标题相似")
        if self.same_kind:
            return _("同区域同类")
        return _("标题相似")


def duplicate_hints(
    visible: QuerySet[Case], cases: Iterable[Case], now: datetime
) -> dict[int, list[Hint]]:
    """The hints of each case in ``cases``, from the open cases of ``visible`` in the window."""
    cases = list(cases)
    if not cases:
        return {}
    rows = list(
        visible.filter(status__in=OPEN_STATUSES, reported_at__gte=now - WINDOW)
        .order_by("-reported_at")
        .values_list(
            "pk",
            "number",
            "title",
            "region_id",
            "region__name",
            "category_id",
            "case_type_id",
            "status",
            "case_type__step_labels",
        )[:CANDIDATE_LIMIT]
    )
    grams = {row[0]: bigrams(row[2]) for row in rows}
    by_pk = {row[0]: row for row in rows}
    by_gram: dict[str, set[int]] = defaultdict(set)
    by_region: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        by_region[row[3]].add(row[0])
        for gram in grams[row[0]]:
            by_gram[gram].add(row[0])
    # A bigram shared by many titles (a village's name, "网格") finds no duplicate by itself:
    # candidates come through the rarer ones, and are then scored on all their bigrams.
    common = max(COMMON_GRAM_MIN, len(rows) // 10)
    hints: dict[int, list[Hint]] = {}
    for case in cases:
        mine = bigrams(case.title)
        rare = [g for g in mine if len(by_gram.get(g, ())) <= common] or list(mine)
        near = set().union(*(by_gram.get(g, ()) for g in rare))
        found = []
        for pk in (near | by_region.get(case.region_id, set())) - {case.pk}:
            _, number, title, region_id, region_name, category_id, type_id, status, labels = by_pk[
                pk
            ]
            same_kind = region_id == case.region_id and (
                category_id == case.category_id
                if case.category_id and category_id
                else type_id == case.case_type_id
            )
            score = similarity(mine, grams[pk])
            if same_kind or score >= SIMILAR_TITLE:
                label = (labels or {}).get(status) or str(Status(status).label)
                found.append(
                    Hint(pk, number or "", title, label, region_name, same_kind, round(score, 2))
                )
        found.sort(
            key=lambda h: (h.score >= SIMILAR_TITLE, h.same_kind, h.score, h.pk), reverse=True
        )
        hints[case.pk] = found[:HINTS_PER_CASE]
    return hints
