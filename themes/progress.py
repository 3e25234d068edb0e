"""How far each theme has come: its milestones done, and its cases closed with their rates
(按期办结率, 满意率 …) counted exactly as ``stats.metrics`` counts them, for any number of
themes in two queries (the milestones' counts, and the cases' counts grouped by theme)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from cases.models import Case, Status
from stats import metrics
from themes.models import MonthlyTheme, ThemeMilestone

_THEME = "monthly_themes"


@dataclass
class Progress:
    milestones_done: int = 0
    milestones_total: int = 0
    # The theme's counted cases (merged duplicates and refusals count nowhere) and their rates.
    rates: metrics.RateRow = field(default_factory=lambda: metrics.RateRow(group={}))

    @property
    def cases_total(self) -> int:
        return self.rates.received

    @property
    def cases_closed(self) -> int:
        return self.rates.closed


def _aggregates(now: datetime) -> dict[str, Any]:
    conditions = metrics.predicates(now)
    aggregates: dict[str, Any] = {
        name: Count("pk", filter=conditions[name]) if conditions[name] else Count("pk")
        for name in metrics.COUNTS
    }
    aggregates["avg_handling_hours"] = Avg("handling_hours", filter=conditions["handled"])
    return aggregates


def progress(themes: Iterable[MonthlyTheme], *, now: datetime | None = None) -> dict[int, Progress]:
    """Each theme's progress by its id (themes without milestones or cases included)."""
    now = now or timezone.now()
    ids = [theme.pk for theme in themes]
    result = {pk: Progress() for pk in ids}
    if not ids:
        return result
    for row in (
        ThemeMilestone.objects.filter(theme_id__in=ids)
        .values("theme_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False)))
        .order_by()
    ):
        result[row["theme_id"]].milestones_total = row["total"]
        result[row["theme_id"]].milestones_done = row["done"]
    # One row per theme: a case in two themes counts in each (the join repeats it per theme).
    for row in (
        Case.objects.counted()
        .filter(**{f"{_THEME}__in": ids})
        .values(_THEME)
        .annotate(**_aggregates(now))
        .order_by()
    ):
        theme_id = row.pop(_THEME)
        counted = metrics.RateRow(group={"theme": theme_id}, **row)
        result[theme_id].rates = metrics.combine([counted], {"theme": theme_id})
    return result


def theme_lines(
    themes: Sequence[MonthlyTheme], *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The themes as plain data (the briefing freezes it): title, month, status, units and
    progress. ``lead_unit`` loaded; the co-units are read in one query."""
    found = progress(themes, now=now)
    co_units: dict[int, list[str]] = {theme.pk: [] for theme in themes}
    through = MonthlyTheme.co_units.through
    for theme_id, name, short in (
        through.objects.filter(monthlytheme_id__in=list(co_units))
        .order_by("organisation__name")
        .values_list("monthlytheme_id", "organisation__name", "organisation__short_name")
    ):
        co_units[theme_id].append(short or name)
    lines = []
    for theme in themes:
        p = found[theme.pk]
        lines.append(
            {
                "id": theme.pk,
                "month": theme.month,
                "month_label": str(theme.month_label),
                "title": theme.title,
                "status": theme.status,
                "status_label": str(theme.get_status_display()),
                "lead_unit": theme.lead_unit.short_name or theme.lead_unit.name,
                "co_units": co_units[theme.pk],
                "milestones_done": p.milestones_done,
                "milestones_total": p.milestones_total,
                "cases_closed": p.cases_closed,
                "cases_total": p.cases_total,
                "on_time_rate": p.rates.on_time_rate,
                "satisfaction_rate": p.rates.satisfaction_rate,
            }
        )
    return lines


def with_counts(themes: QuerySet[MonthlyTheme]) -> QuerySet[MonthlyTheme]:
    """``themes`` with their milestones done and total and their counted cases closed and total
    as annotations, in the themes' own query (for a short list, as the dashboard's: the two
    joins multiply rows, which DISTINCT counts undo)."""
    counted = ~Q(cases__status__in=(Status.MERGED, Status.REJECTED))
    return themes.annotate(
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count(
            "milestones", filter=Q(milestones__done_at__isnull=False), distinct=True
        ),
        cases_total=Count("cases", filter=counted, distinct=True),
        cases_closed=Count("cases", filter=Q(cases__status=Status.CLOSED), distinct=True),
    )
