"""The 任务分解表 as the pages and the API show it: units × indicators with each cell's target,
actual, weight and score, each unit's total and its rank. Fixed queries, whatever the size."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from assessment.models import (
    AssessmentTask,
    Breakdown,
    Indicator,
    Rectification,
    RectificationStatus,
    overdue_rectifications_q,
)
from orgs.models import Organisation

RANKING_METHOD = (
    "得分 = 完成值 ÷ 目标值(最高为 1) × 权重；越低越好的指标为 目标值 ÷ 完成值(最高为 1) × 权重，"
    "完成值为 0 时得满分；尚无完成值的不计分。单位总分为各指标得分之和，按总分由高到低排名。"
)


@dataclass
class UnitLine:
    unit: Organisation
    cells: list[Breakdown | None] = field(default_factory=list)
    total: Decimal = Decimal("0.00")
    full: Decimal = Decimal("0.00")
    rank: int = 0
    open_rectifications: int = 0
    overdue_rectifications: int = 0


@dataclass
class Table:
    indicators: list[Indicator]
    lines: list[UnitLine]


def table(task: AssessmentTask, rows: QuerySet[Breakdown]) -> Table:
    """The table of ``rows`` (already scoped to the viewer): three queries."""
    indicators = list(Indicator.objects.filter(task=task).order_by("position", "pk"))
    found = list(rows.select_related("unit", "indicator").order_by("unit__name", "unit_id"))
    index = {indicator.pk: i for i, indicator in enumerate(indicators)}
    lines: dict[int, UnitLine] = {}
    for row in found:
        line = lines.get(row.unit_id)
        if line is None:
            line = lines[row.unit_id] = UnitLine(row.unit, [None] * len(indicators))
        line.cells[index[row.indicator_id]] = row
        line.full += row.weight
        if row.score is not None:
            line.total += row.score
    today = timezone.localdate()
    units_of = {row.pk: row.unit_id for row in found}
    rectifications = Rectification.objects.filter(
        row__in=list(units_of), status=RectificationStatus.OPEN
    ).only("row_id", "deadline")
    for rectification in rectifications:
        line = lines[units_of[rectification.row_id]]
        line.open_rectifications += 1
        if rectification.deadline < today:
            line.overdue_rectifications += 1
    ordered = sorted(lines.values(), key=lambda line: (-line.total, line.unit.name))
    rank, previous = 0, None
    for position, line in enumerate(ordered, start=1):
        if line.total != previous:
            rank, previous = position, line.total
        line.rank = rank
    return Table(indicators, ordered)


def overdue_rectifications(rows: QuerySet[Breakdown]) -> QuerySet[Rectification]:
    """Open rectifications past their deadline among ``rows`` (逾期未整改)."""
    return (
        Rectification.objects.filter(row__in=rows)
        .filter(overdue_rectifications_q(timezone.localdate()))
        .select_related("row__unit", "row__indicator")
        .order_by("deadline", "pk")
    )
