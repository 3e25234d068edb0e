"""What the pages, the API and the export read, each through the caller's scope: the workshops
and postings lists with their filters, and the totals computed from those same lists (so every
number equals the length or the sum of the list it opens)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from people.models import HouseholdTag, User
from workshops import scope
from workshops.models import (
    JobPosting,
    Placement,
    WorkshopProfile,
    WorkshopType,
    WorkshopYear,
)


def workshops(user: User, *, type: str = "", town: int | None = None) -> QuerySet[WorkshopProfile]:
    qs = WorkshopProfile.objects.select_related(
        "organisation", "town", "region", "leader", "partner"
    )
    q = scope.workshops_q(user)
    if q is not None:
        qs = qs.filter(q)
    if type:
        qs = qs.filter(type=type)
    if town:
        qs = qs.filter(town_id=town)
    return qs.order_by("town__path", "organisation__name", "pk")


def with_figures(qs: QuerySet[WorkshopProfile], year: int, quarter: int) -> list[WorkshopProfile]:
    """The workshops, each with ``figures``: its row of ``year``/``quarter`` or None."""
    rows = qs.prefetch_related(
        Prefetch(
            "years",
            queryset=WorkshopYear.objects.filter(year=year, quarter=quarter),
            to_attr="period_rows",
        )
    )
    found: list[WorkshopProfile] = list(rows)
    for w in found:
        w.figures = w.period_rows[0] if w.period_rows else None  # type: ignore[attr-defined]
    return found


@dataclass
class Totals:
    count: int = 0
    jobs: int = 0
    households: int = 0
    income: Decimal = field(default_factory=lambda: Decimal("0"))

    def add(self, row: dict[str, Any]) -> None:
        self.count += row["count"]
        self.jobs += row["jobs"] or 0
        self.households += row["households"] or 0
        self.income += row["income"] or Decimal("0")


@dataclass
class ReportRow:
    type: str
    type_label: str
    town_id: int
    town_name: str
    totals: Totals


def quarterly_report(user: User, year: int, quarter: int) -> tuple[list[ReportRow], Totals]:
    """The organisation department's quarterly totals by type and town (one query): workshops,
    and the jobs, households helped and income of their figures for ``year`` up to ``quarter``."""
    period = Q(years__year=year, years__quarter=quarter)
    grouped = (
        workshops(user)
        .order_by()
        .values("type", "town_id", "town__name", "town__path")
        .annotate(
            count=Count("pk", distinct=True),
            jobs=Sum("years__jobs", filter=period),
            households=Sum("years__households", filter=period),
            income=Sum("years__income", filter=period),
        )
        .order_by("town__path", "type")
    )
    labels = dict(WorkshopType.choices)
    rows, grand = [], Totals()
    for g in grouped:
        t = Totals()
        t.add(g)
        grand.add(g)
        rows.append(
            ReportRow(
                g["type"], str(labels.get(g["type"], g["type"])), g["town_id"], g["town__name"], t
            )
        )
    return rows, grand


# --- Jobs -------------------------------------------------------------------------------------


def postings(
    user: User, *, tag: int | None = None, town: int | None = None, status: str = ""
) -> QuerySet[JobPosting]:
    qs = JobPosting.objects.select_related("employer", "region").annotate(
        placed=Count("placements", distinct=True)
    )
    q = scope.postings_q(user)
    if q is not None:
        qs = qs.filter(q)
    if tag:
        qs = qs.filter(pk__in=JobPosting.objects.filter(tags=tag).values("pk"))
    if town:
        qs = qs.filter(region_id=town)
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("tags").order_by("status", "-posted_on", "-pk")


def placements(
    user: User, *, tag: int | None = None, town: int | None = None
) -> QuerySet[Placement]:
    qs = Placement.objects.select_related("posting__employer", "household__region")
    q = scope.postings_q(user)
    if q is not None:
        qs = qs.filter(posting__in=JobPosting.objects.filter(q))
    if tag:
        qs = qs.filter(posting__tags=tag, household__tags=tag).distinct()
    if town:
        qs = qs.filter(posting__region_id=town)
    return qs.order_by("-placed_on", "-pk")


@dataclass
class JobRow:
    key: int
    label: str
    postings: int
    positions: int
    placed: int


def job_totals(user: User) -> tuple[list[JobRow], list[JobRow]]:
    """Postings, positions and placements by group tag and by the posting's area: each number
    is the length (or sum) of ``postings``/``placements`` with the same filter."""
    by_tag = []
    for tag in HouseholdTag.objects.order_by("pk"):
        rows = postings(user, tag=tag.pk)
        by_tag.append(
            JobRow(
                tag.pk,
                tag.name,
                rows.count(),
                sum(p.positions for p in rows),
                placements(user, tag=tag.pk).count(),
            )
        )
    areas: dict[int, JobRow] = {}
    for p in postings(user):
        row = areas.setdefault(p.region_id, JobRow(p.region_id, p.region.name, 0, 0, 0))
        row.postings += 1
        row.positions += p.positions
        row.placed += p.placed  # type: ignore[attr-defined]
    return by_tag, sorted(areas.values(), key=lambda r: r.label)
