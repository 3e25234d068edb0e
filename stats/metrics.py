"""The rates every county is judged by, computed by the database in one GROUP BY per call.

Definitions (formula, base, numerator, edge cases) are in ``docs/metrics.md``; keep the two in
step. Every case counts in the month it was received (``Case.reported_month``), merged
duplicates and refusals count nowhere (``Case.objects.counted()``), and a rate whose base is
zero is ``None``, never a division by zero.

    from stats import metrics

    cases = metrics.filter_cases(visible_cases(user), region=town, months=(202401, 202406))
    rows = metrics.with_names(metrics.rates(cases, group_by=("lead_unit", "month")))
    summary = metrics.totals(cases)

Speed: grouping uses plain integer columns of the case table (``lead_unit_id``,
``reported_month``, ``case_type_id``, ``category_id``, all indexed) and conditional aggregates
(``COUNT(...) FILTER (WHERE ...)``), so one pass over the rows computes every figure. Only
grouping by region joins the region table, for the path prefix of the wanted level. Measured
times, and the covering index SQLite needs for the all-time unit × month view: docs/metrics.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Case,
    CaseQuerySet,
    CaseType,
    Category,
    MediationOutcome,
    Satisfaction,
    Status,
    overdue_q,
)
from orgs.models import Organisation
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, GridStation, Region

# The ways rows can be grouped, and the column (or annotation) each one reads.
GROUPS: dict[str, str] = {
    "lead_unit": "lead_unit_id",
    "month": "reported_month",
    "case_type": "case_type_id",
    "category": "category_id",
    "region": "region_prefix",
    "station": "station_id",
}

# A dispute is judged once it has been answered (调处完毕) or once its deadline has passed;
# before that it is still being mediated inside its limit.
_DISPUTE_JUDGED_STATUSES = (Status.ANSWERED, Status.VERIFIED, Status.CLOSED)
_SEGMENT = PATH_SEGMENT_WIDTH + len(PATH_SEPARATOR)


@dataclass(frozen=True)
class RateRow:
    """The counts and rates of one group of cases (or of all of them, for ``totals``)."""

    group: dict[str, Any]
    # 受理数 and the dashboard counts.
    received: int = 0
    closed: int = 0
    on_spot: int = 0
    overdue_now: int = 0
    extended: int = 0
    sent_back: int = 0
    reopened: int = 0
    # Valid return visits (有效回访) and what they said: the base of the three hotline rates.
    valid_visits: int = 0
    contacted: int = 0
    resolved: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    # 应办结数 and 按期办结数.
    due: int = 0
    on_time: int = 0
    # Answered at least once, and of those reworked after a failed visit.
    answered: int = 0
    reworked: int = 0
    # Disputes found, those already judged (the base), and those mediated successfully.
    disputes: int = 0
    disputes_judged: int = 0
    mediation_success: int = 0
    avg_handling_hours: float | None = None
    # Rates in [0, 1] (composite in [0, 100]); None when the base is 0.
    response_rate: float | None = None
    resolution_rate: float | None = None
    satisfaction_rate: float | None = None
    composite_score: float | None = None
    on_time_rate: float | None = None
    rework_rate: float | None = None
    on_spot_rate: float | None = None
    mediation_success_rate: float | None = None
    # Display names of the group values, filled by ``with_names``.
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def filter_cases(
    queryset: CaseQuerySet,
    *,
    unit: Organisation | int | None = None,
    region: Region | None = None,
    category: Category | int | None = None,
    case_type: CaseType | int | None = None,
    months: tuple[int | None, int | None] | None = None,
) -> CaseQuerySet:
    """Narrow a (scoped) queryset by lead unit, region subtree, category, type and months.

    ``months`` is an inclusive range of ``reported_month`` keys (YYYYMM); either end may be None.
    """
    if unit is not None:
        queryset = queryset.filter(lead_unit_id=_pk(unit))
    if region is not None:
        queryset = queryset.filter(
            region__path__gte=region.path, region__path__lt=region.path_range_end
        )
    if category is not None:
        queryset = queryset.filter(category_id=_pk(category))
    if case_type is not None:
        queryset = queryset.filter(case_type_id=_pk(case_type))
    if months is not None:
        start, end = months
        if start is not None:
            queryset = queryset.filter(reported_month__gte=_check_month(start))
        if end is not None:
            queryset = queryset.filter(reported_month__lte=_check_month(end))
    return queryset


def rates(
    queryset: CaseQuerySet,
    group_by: Sequence[str] = (),
    *,
    region_level: int | None = None,
    now: datetime | None = None,
) -> list[RateRow]:
    """Counts and rates per group, in one query; rows are sorted by their group values.

    ``group_by`` takes any of ``GROUPS``; ``"region"`` needs ``region_level``, the depth in the
    region tree (1 = the root, e.g. the county; 2 = towns under it), and groups each case under
    its ancestor at that depth (a case placed higher up keeps its own region as the key).
    With no groups, the result is one row over everything (see ``totals``), even if empty.
    """
    now = now or timezone.now()
    for name in group_by:
        if name not in GROUPS:
            raise ValueError(f"Unknown group {name!r}; choose from {sorted(GROUPS)}.")
    if len(set(group_by)) != len(group_by):
        raise ValueError("Each group may appear only once.")
    base = _single_rows(queryset).counted().order_by()
    aggregates = _aggregates(now)
    if not group_by:
        return [_row({}, base.aggregate(**aggregates))]

    annotations = {}
    if "region" in group_by:
        if not region_level or region_level < 1:
            raise ValueError("Grouping by region needs region_level >= 1.")
        annotations["region_prefix"] = Substr("region__path", 1, region_level * _SEGMENT)
    columns = [GROUPS[name] for name in group_by]
    plain = [c for c in columns if c not in annotations]
    grouped = base.values(*plain, **annotations).annotate(**aggregates)
    rows = [_row({name: values[GROUPS[name]] for name in group_by}, values) for values in grouped]
    rows.sort(key=lambda row: tuple(_sort_key(row.group[name]) for name in group_by))
    return rows


def totals(queryset: CaseQuerySet, *, now: datetime | None = None) -> RateRow:
    """Counts and rates over the whole queryset, in one query."""
    return rates(queryset, now=now)[0]


def with_names(rows: Iterable[RateRow]) -> list[RateRow]:
    """Attach display names to the group values: one query per named dimension present.

    Months need no query; units, regions, case types and categories take one each.
    """
    rows = list(rows)
    keys: dict[str, set[Any]] = {}
    for row in rows:
        for name, value in row.group.items():
            if value is not None:
                keys.setdefault(name, set()).add(value)
    names: dict[str, dict[Any, str]] = {name: {} for name in GROUPS}
    if keys.get("lead_unit"):
        names["lead_unit"] = {
            pk: short or full
            for pk, short, full in Organisation.objects.filter(
                pk__in=keys["lead_unit"]
            ).values_list("pk", "short_name", "name")
        }
    if keys.get("region"):
        names["region"] = dict(
            Region.objects.filter(path__in=keys["region"]).values_list("path", "name")
        )
    if keys.get("case_type"):
        names["case_type"] = dict(
            CaseType.objects.filter(pk__in=keys["case_type"]).values_list("pk", "name")
        )
    if keys.get("category"):
        names["category"] = dict(
            Category.objects.filter(pk__in=keys["category"]).values_list("pk", "name")
        )
    if keys.get("station"):
        names["station"] = dict(
            GridStation.objects.filter(pk__in=keys["station"]).values_list("pk", "name")
        )
    return [
        dataclasses.replace(
            row,
            labels={name: _label(name, value, names[name]) for name, value in row.group.items()},
        )
        for row in rows
    ]


def month_label(month: int) -> str:
    """202403 → 2024年3月."""
    return _("%(year)d年%(month)d月") % {"year": month // 100, "month": month % 100}


# --- Internals ------------------------------------------------------------------------------


def _aggregates(now: datetime) -> dict[str, Any]:
    """Every count as a conditional aggregate, so one pass over the rows computes them all."""
    visit = Q(visit_valid=True)
    # An uncorrelated sub-select, not a join: joining the case types lets SQLite drive the
    # scan from them through the case_type index, which is slower than reading the table.
    disputes = Q(case_type_id__in=CaseType.objects.filter(has_mediation=True).values("pk"))
    answered = Q(first_answered_at__isnull=False)
    has_deadline = Q(deadline__isnull=False)
    return {
        "received": Count("pk"),
        "closed": Count("pk", filter=Q(status=Status.CLOSED)),
        "on_spot": Count("pk", filter=Q(resolved_on_spot=True)),
        # The deadline itself, not the sweep's flag: the same rule as the case list and home page,
        # so a number never disagrees with the list it links to between two sweeps.
        "overdue_now": Count("pk", filter=overdue_q(now)),
        "extended": Count("pk", filter=Q(extension_count__gt=0)),
        "sent_back": Count("pk", filter=Q(send_back_count__gt=0)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "valid_visits": Count("pk", filter=visit),
        "contacted": Count("pk", filter=visit & Q(visit_contacted=True)),
        "resolved": Count("pk", filter=visit & Q(visit_resolved=True)),
        "satisfied": Count("pk", filter=visit & Q(visit_satisfaction=Satisfaction.SATISFIED)),
        "basic": Count("pk", filter=visit & Q(visit_satisfaction=Satisfaction.BASIC)),
        "unsatisfied": Count("pk", filter=visit & Q(visit_satisfaction=Satisfaction.UNSATISFIED)),
        # 应办结: answered (judged at its answer) or past its deadline; cases still inside their
        # limit (按时待处置) would make every rate look bad mid-period.
        "due": Count(
            "pk", filter=has_deadline & (Q(answered_on_time__isnull=False) | Q(deadline__lt=now))
        ),
        "on_time": Count("pk", filter=has_deadline & Q(answered_on_time=True)),
        "answered": Count("pk", filter=answered),
        "reworked": Count("pk", filter=answered & Q(rework_count__gt=0)),
        "disputes": Count("pk", filter=disputes),
        "disputes_judged": Count(
            "pk",
            filter=disputes & (Q(status__in=_DISPUTE_JUDGED_STATUSES) | Q(deadline__lt=now)),
        ),
        "mediation_success": Count(
            "pk",
            filter=disputes
            & (Q(status__in=_DISPUTE_JUDGED_STATUSES) | Q(deadline__lt=now))
            & Q(mediation_outcome=MediationOutcome.SUCCESS),
        ),
        "avg_handling_hours": Avg(
            "handling_hours", filter=Q(handling_hours__isnull=False, resolved_on_spot=False)
        ),
    }


def _row(group: dict[str, Any], counts: dict[str, Any]) -> RateRow:
    """Turn one result row into a RateRow, reading the weights now so settings can change."""
    values: dict[str, int] = {name: counts[name] or 0 for name in _COUNT_FIELDS}
    basic_weight = float(settings.LIANXIN["BASIC_SATISFACTION_WEIGHT"])
    weights = settings.LIANXIN["COMPOSITE_WEIGHTS"]
    valid = values["valid_visits"]
    response = _ratio(values["contacted"], valid)
    resolution = _ratio(values["resolved"], valid)
    satisfaction = _ratio(values["satisfied"] + basic_weight * values["basic"], valid)
    composite = None
    if response is not None and resolution is not None and satisfaction is not None:  # valid > 0
        composite = 100 * (
            weights["response"] * response
            + weights["resolution"] * resolution
            + weights["satisfaction"] * satisfaction
        )
    hours = counts["avg_handling_hours"]
    return RateRow(
        group=group,
        labels={},  # filled by with_names
        **values,
        avg_handling_hours=float(hours) if hours is not None else None,
        response_rate=response,
        resolution_rate=resolution,
        satisfaction_rate=satisfaction,
        composite_score=composite,
        on_time_rate=_ratio(values["on_time"], values["due"]),
        rework_rate=_ratio(values["reworked"], values["answered"]),
        on_spot_rate=_ratio(values["on_spot"], values["received"]),
        mediation_success_rate=_ratio(values["mediation_success"], values["disputes_judged"]),
    )


_COUNT_FIELDS = (
    "received", "closed", "on_spot", "overdue_now", "extended", "sent_back", "reopened",
    "valid_visits", "contacted", "resolved", "satisfied", "basic", "unsatisfied", "due", "on_time",
    "answered", "reworked", "disputes", "disputes_judged", "mediation_success",
)  # fmt: skip


def _ratio(numerator: float, base: int) -> float | None:
    return numerator / base if base else None


def _single_rows(queryset: CaseQuerySet) -> CaseQuerySet:
    """Make sure each case is one row: a join to a to-many relation (``Case.objects.for_unit``)
    repeats cases, which DISTINCT hides from a list but not from COUNT."""
    query = queryset.query
    multi = query.distinct or any(
        getattr(getattr(join, "join_field", None), "one_to_many", False)
        or getattr(getattr(join, "join_field", None), "many_to_many", False)
        for join in query.alias_map.values()
    )
    if not multi:
        return queryset
    return Case.objects.filter(pk__in=queryset.order_by().values("pk"))


def _pk(value: Any) -> int:
    return value if isinstance(value, int) else value.pk


def _check_month(month: int) -> int:
    if not (100001 <= month <= 999912 and 1 <= month % 100 <= 12):
        raise ValueError(f"A month is an int YYYYMM, not {month!r}.")
    return month


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def _label(name: str, value: Any, names: dict[Any, str]) -> str:
    if value is None:
        return {"lead_unit": _("未交办"), "category": _("未分类")}.get(name, "—")
    if name == "month":
        return month_label(value)
    return names.get(value, str(value))
