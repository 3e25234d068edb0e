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
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from orgs.models import Organisation, OrgKind
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
# The parts of a rate a figure may open: its numerator, its base, and the base's cases outside
# the numerator (the failing ones: not responded, not on time, reworked's complement).
NUM, DEN, MISS = "num", "den", "miss"
PARTS = (NUM, DEN, MISS)


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
    # Answered cases with a handling time, on-the-spot ones left out: the base of the average.
    handled: int = 0
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

    def count(self, metric: str, part: str = NUM) -> int | None:
        """How many cases a figure counts: ``part`` (num, den or miss) of a rate, or a count.

        The list behind the figure (``part_q``) holds exactly this many cases. None for a part
        that is not a set of cases (the composite's and the average's numerators).
        """
        if metric in RATES and RATES[metric][0] is None and part in (NUM, MISS):
            return None
        numerator, base = _parts(metric, part)
        if metric in COUNTS:
            return int(getattr(self, metric))
        if part == DEN:
            return int(getattr(self, base))
        if numerator is None:
            return None
        if numerator == "pleased":
            counted = self.satisfied + self.basic
        else:
            counted = int(getattr(self, numerator))
        return counted if part == NUM else int(getattr(self, base)) - counted


# --- The cases behind each figure -----------------------------------------------------------


def _disputes_q() -> Q:
    # An uncorrelated sub-select, not a join: joining the case types lets SQLite drive the
    # scan from them through the case_type index, which is slower than reading the table.
    return Q(case_type_id__in=CaseType.objects.filter(has_mediation=True).values("pk"))


def predicates(now: datetime | None = None) -> dict[str, Q]:
    """Each count's condition on a counted case, written once: the aggregates count these and
    the case lists behind the figures filter by them (``part_q``), so the two cannot drift.
    ``received`` is every counted case (an empty condition). docs/metrics.md defines each."""
    now = now or timezone.now()
    visit = Q(visit_valid=True)
    disputes = _disputes_q()
    answered = Q(first_answered_at__isnull=False)
    has_deadline = Q(deadline__isnull=False)
    # A dispute is judged once it has been answered (调处完毕) or once its deadline has passed.
    judged = disputes & (Q(status__in=_DISPUTE_JUDGED_STATUSES) | Q(deadline__lt=now))
    return {
        "received": Q(),
        "closed": Q(status=Status.CLOSED),
        "on_spot": Q(resolved_on_spot=True),
        # The deadline itself, not the sweep's flag: the same rule as the case list and home page,
        # so a number never disagrees with the list it links to between two sweeps.
        "overdue_now": overdue_q(now),
        "extended": Q(extension_count__gt=0),
        "sent_back": Q(send_back_count__gt=0),
        "reopened": Q(reopen_count__gt=0),
        "valid_visits": visit,
        "contacted": visit & Q(visit_contacted=True),
        "resolved": visit & Q(visit_resolved=True),
        "satisfied": visit & Q(visit_satisfaction=Satisfaction.SATISFIED),
        "basic": visit & Q(visit_satisfaction=Satisfaction.BASIC),
        "unsatisfied": visit & Q(visit_satisfaction=Satisfaction.UNSATISFIED),
        # 满意率's numerator counts these two answers (基本满意 weighted).
        "pleased": visit & Q(visit_satisfaction__in=(Satisfaction.SATISFIED, Satisfaction.BASIC)),
        # 应办结: answered (judged at its answer) or past its deadline with its clock running;
        # cases still inside their limit (按时待处置) would make every rate look bad mid-period,
        # and a stopped clock (a pause, an extension asked, a question to the requester) keeps a
        # case inside it: its deadline moves on when the clock runs again (cases.clocks).
        "due": has_deadline
        & (Q(answered_on_time__isnull=False) | Q(deadline__lt=now, clock_paused_at__isnull=True)),
        "on_time": has_deadline & Q(answered_on_time=True),
        "answered": answered,
        "reworked": answered & Q(rework_count__gt=0),
        "disputes": disputes,
        "disputes_judged": judged,
        "mediation_success": judged & Q(mediation_outcome=MediationOutcome.SUCCESS),
        "handled": Q(handling_hours__isnull=False, resolved_on_spot=False),
    }


# Each rate's numerator and base, by the predicate each is; None where the numerator is not a
# set of cases (the composite weighs three rates; the average adds hours).
RATES: dict[str, tuple[str | None, str]] = {
    "on_spot_rate": ("on_spot", "received"),
    "response_rate": ("contacted", "valid_visits"),
    "resolution_rate": ("resolved", "valid_visits"),
    "satisfaction_rate": ("pleased", "valid_visits"),
    "composite_score": (None, "valid_visits"),
    "on_time_rate": ("on_time", "due"),
    "rework_rate": ("reworked", "answered"),
    "mediation_success_rate": ("mediation_success", "disputes_judged"),
    "avg_handling_hours": (None, "handled"),
}
# Figures that are a count of cases, each opening exactly those cases.
COUNTS = (
    "received", "closed", "on_spot", "overdue_now", "extended", "sent_back", "reopened",
    "valid_visits", "contacted", "resolved", "satisfied", "basic", "unsatisfied", "due", "on_time",
    "answered", "reworked", "disputes", "disputes_judged", "mediation_success", "handled",
)  # fmt: skip
METRICS = (*RATES, *COUNTS)


# Names of the figures and parts, for the case list's filter and the pages.
METRIC_LABELS: dict[str, Any] = {
    "on_spot_rate": gettext_lazy("当场办结率"),
    "response_rate": gettext_lazy("响应率"),
    "resolution_rate": gettext_lazy("解决率"),
    "satisfaction_rate": gettext_lazy("满意率"),
    "composite_score": gettext_lazy("综合得分"),
    "on_time_rate": gettext_lazy("按期办结率"),
    "rework_rate": gettext_lazy("返工率"),
    "mediation_success_rate": gettext_lazy("调处成功率"),
    "avg_handling_hours": gettext_lazy("平均办理时长"),
    "received": gettext_lazy("受理数"),
    "closed": gettext_lazy("销号数"),
    "on_spot": gettext_lazy("当场办结数"),
    "overdue_now": gettext_lazy("超期未办结"),
    "extended": gettext_lazy("延期数"),
    "sent_back": gettext_lazy("退单数"),
    "reopened": gettext_lazy("重办数"),
    "valid_visits": gettext_lazy("有效回访数"),
    "contacted": gettext_lazy("及时联系数"),
    "resolved": gettext_lazy("问题解决数"),
    "satisfied": gettext_lazy("满意数"),
    "basic": gettext_lazy("基本满意数"),
    "unsatisfied": gettext_lazy("不满意数"),
    "due": gettext_lazy("应办结数"),
    "on_time": gettext_lazy("按期办结数"),
    "answered": gettext_lazy("已答复数"),
    "reworked": gettext_lazy("返工数"),
    "disputes": gettext_lazy("排查数"),
    "disputes_judged": gettext_lazy("已研判纠纷数"),
    "mediation_success": gettext_lazy("调处成功数"),
    "handled": gettext_lazy("计入办理时长的事项"),
    "whistle_response_rate": gettext_lazy("吹哨报到·按时签收率"),
    "requests": gettext_lazy("吹哨报到·请求数"),
    "accepted": gettext_lazy("吹哨报到·已签收"),
    "response_due": gettext_lazy("吹哨报到·应签收"),
    "response_on_time": gettext_lazy("吹哨报到·按时签收"),
}
PART_LABELS: dict[str, Any] = {
    NUM: gettext_lazy("分子"),
    DEN: gettext_lazy("分母(基数)"),
    MISS: gettext_lazy("未达(基数中不在分子的)"),
}


def _parts(metric: str, part: str) -> tuple[str | None, str]:
    if part not in PARTS:
        raise ValueError(f"Unknown part {part!r}; choose from {PARTS}.")
    if metric in COUNTS:
        if part != NUM:
            raise ValueError(f"{metric!r} is a count: it has no {part!r}.")
        return metric, metric
    if metric not in RATES:
        raise ValueError(f"Unknown metric {metric!r}; choose from {METRICS}.")
    numerator, base = RATES[metric]
    if numerator is None and part != DEN:
        raise ValueError(f"{metric!r} has only a base (den).")
    return numerator, base


def has_part(metric: str, part: str) -> bool:
    """Whether ``metric`` has ``part`` as a set of cases."""
    try:
        _parts(metric, part)
    except ValueError:
        return False
    return True


def part_q(metric: str, part: str = NUM, *, now: datetime | None = None) -> Q:
    """The counted cases a figure counts: a rate's numerator (num), its base (den) or the base's
    cases outside the numerator (miss: the 77 not responded), or a count's cases.

    ``queryset.filter(part_q(...))`` lists exactly ``RateRow.count(metric, part)`` cases of the
    same queryset. Raises ValueError for an unknown metric or a part it does not have.
    """
    numerator, base = _parts(metric, part)
    conditions = predicates(now)
    counted = ~Q(status__in=(Status.MERGED, Status.REJECTED))
    if part == NUM:
        assert numerator is not None
        return counted & conditions[numerator]
    if part == DEN:
        return counted & conditions[base]
    assert numerator is not None
    return counted & conditions[base] & ~conditions[numerator]


def combine(rows: Iterable[RateRow], group: dict[str, Any] | None = None) -> RateRow:
    """One row over several (months of a period, say): counts add up, rates are recomputed from
    them and the average handling time is weighted by the cases it averages. No query."""
    counts: dict[str, Any] = {name: 0 for name in _COUNT_FIELDS}
    hours = 0.0
    for row in rows:
        for name in _COUNT_FIELDS:
            counts[name] += getattr(row, name)
        if row.avg_handling_hours is not None:
            hours += row.avg_handling_hours * row.handled
    counts["avg_handling_hours"] = hours / counts["handled"] if counts["handled"] else None
    return _row(group or {}, counts)


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


def through_index(queryset: CaseQuerySet, condition: Q) -> CaseQuerySet:
    """``queryset.filter(condition)``, written so that both databases find the cases of
    ``condition`` through its index first: ``pk IN (SELECT id FROM cases WHERE condition)``.

    For a condition on a column with few values (a list of states, the towns as dispatching
    committees). SQLite's statistics (``sqlite_stat1``, without histograms) know only the
    average rows per value, 200,000 per state and 500,000 per committee in a million cases, so
    a list of values looks like the whole table: it scans the table, or another index, although
    the cases asked for are a few thousand. The sub-select reads their ids from the index alone
    and leads the query. PostgreSQL has the histograms to plan the plain filter well, and hash
    joins the sub-select with a scan of the table instead (0.15 s → 0.39 s for the dispatch
    tabs), so it gets the plain filter.
    """
    if connections[queryset.db].vendor != "sqlite":
        return queryset.filter(condition)
    return queryset.filter(pk__in=Case.objects.filter(condition).values("pk"))


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


# --- Rankings -------------------------------------------------------------------------------

DEFAULT_RANKING_MIN_VOLUME = 10
DEFAULT_RANKING_PRIOR_WEIGHT = 10.0


@dataclass(frozen=True)
class Ranked:
    """One ranked group: its rank (None below the minimum volume), its shrunk score, its row."""

    row: RateRow
    score: float | None
    volume: int
    rank: int | None = None


def ranking_settings() -> tuple[int, float]:
    """(minimum volume, prior weight k), read at each call so settings can change."""
    config = settings.LIANXIN
    return (
        int(config.get("RANKING_MIN_VOLUME", DEFAULT_RANKING_MIN_VOLUME)),
        float(config.get("RANKING_PRIOR_WEIGHT", DEFAULT_RANKING_PRIOR_WEIGHT)),
    )


def shrunk(value: float | None, volume: int, prior: float | None, weight: float) -> float | None:
    """Bayesian shrinkage toward the average: (n·value + k·prior) ÷ (n + k).

    A group with few cases keeps a score near the average, so 1–9 cases cannot top the table
    with 100 points; with many it keeps its own. Without a prior the raw value stands.
    """
    if value is None:
        return None
    if prior is None or volume + weight <= 0:
        return value
    return (volume * value + weight * prior) / (volume + weight)


def rank(
    rows: Iterable[RateRow],
    *,
    prior: float | None,
    value: str = "composite_score",
    volume: str = "valid_visits",
    min_volume: int | None = None,
    weight: float | None = None,
) -> tuple[list[Ranked], list[Ranked]]:
    """Rank rows by their ``value`` shrunk toward ``prior`` (the average of all of them), among
    those with at least ``min_volume`` cases in ``volume`` (the value's base); the rest are
    returned apart (样本不足), largest first. Ties rank by volume, the larger first."""
    default_min, default_weight = ranking_settings()
    min_volume = default_min if min_volume is None else min_volume
    weight = default_weight if weight is None else weight
    ranked: list[Ranked] = []
    apart: list[Ranked] = []
    for row in rows:
        n = int(getattr(row, volume))
        score = shrunk(getattr(row, value), n, prior, weight)
        item = Ranked(row=row, score=score, volume=n)
        (ranked if n >= min_volume and score is not None else apart).append(item)
    ranked.sort(key=lambda r: (-(r.score or 0), -r.volume))
    apart.sort(key=lambda r: (-r.volume, -r.row.received))
    return [dataclasses.replace(r, rank=i) for i, r in enumerate(ranked, start=1)], apart


# --- 吹哨报到: county departments answering the towns' calls -----------------------------------


@dataclass(frozen=True)
class WhistleRow:
    """A county department's response to the cases towns handed it (吹哨报到)."""

    unit: int
    requests: int = 0
    accepted: int = 0
    response_due: int = 0
    response_on_time: int = 0
    avg_response_hours: float | None = None
    response_rate: float | None = None
    rates: RateRow = field(default_factory=lambda: RateRow(group={}))
    label: str = ""


def whistle_q() -> Q:
    """Cases a town dispatched (the town government is the case's dispatching committee) to a
    county department as lead unit: the town's whistle, the department's 报到.

    The town governments are read first (one small query) and named in the condition: with
    their ids the planner reads the few cases they dispatched through the committee index,
    where a sub-select made PostgreSQL scan a million cases (docs/benchmarks.md, issue 14)."""
    return _whistle_committee_q() & _whistle_lead_q()


def _whistle_committee_q() -> Q:
    """Dispatched by a town government (its ids read first: one small query)."""
    towns = list(
        Organisation.objects.filter(kind=OrgKind.TOWN_GOVERNMENT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Q(committee_id__in=towns)


def _whistle_lead_q() -> Q:
    """Led by a county department."""
    return Q(lead_unit_id__in=Organisation.objects.filter(kind=OrgKind.DEPARTMENT).values("pk"))


def whistle_predicates(now: datetime | None = None) -> dict[str, Q]:
    """The response counts of 吹哨报到, each a condition on a whistle case."""
    now = now or timezone.now()
    accepted = Q(accepted_at__isnull=False)
    return {
        "requests": Q(),
        "accepted": accepted,
        # Due to respond: signed for, or past the response limit (响应期限) unsigned.
        "response_due": Q(response_deadline__isnull=False)
        & (accepted | Q(response_deadline__lt=now)),
        "response_on_time": Q(response_deadline__isnull=False)
        & accepted
        & Q(accepted_at__lte=F("response_deadline")),
    }


WHISTLE_COUNTS = ("requests", "accepted", "response_due", "response_on_time")


def whistle(queryset: CaseQuerySet, *, now: datetime | None = None) -> list[WhistleRow]:
    """Per county department, the towns' requests and how it answered them, in one query:
    signed for (签收) within the response limit, hours from 交办 to 签收, and the rates of
    ``rates`` (按期办结率, 平均办理时长, …) over the same cases. Most requests first."""
    now = now or timezone.now()
    # The cases towns dispatched, through the committee index alone (with the department in
    # the same sub-select SQLite reads every department-led case through case_unit_month:
    # 1.5 s at a million cases); the same cases as ``filter(whistle_q())``.
    single = _single_rows(queryset).counted().order_by()
    base = through_index(single, _whistle_committee_q()).filter(_whistle_lead_q())
    conditions = whistle_predicates(now)
    response = ExpressionWrapper(F("accepted_at") - F("assigned_at"), output_field=DurationField())
    grouped = base.values("lead_unit_id").annotate(
        **_aggregates(now),
        **{
            f"w_{name}": Count("pk", filter=conditions[name]) if conditions[name] else Count("pk")
            for name in WHISTLE_COUNTS
        },
        w_avg_response=Avg(response, filter=conditions["accepted"] & Q(assigned_at__isnull=False)),
    )
    rows = []
    for values in grouped:
        rate_row = _row({"lead_unit": values["lead_unit_id"]}, values)
        average = values["w_avg_response"]
        rows.append(
            WhistleRow(
                unit=values["lead_unit_id"],
                requests=values["w_requests"],
                accepted=values["w_accepted"],
                response_due=values["w_response_due"],
                response_on_time=values["w_response_on_time"],
                avg_response_hours=_hours(average),
                response_rate=_ratio(values["w_response_on_time"], values["w_response_due"]),
                rates=rate_row,
            )
        )
    names = dict(
        (pk, short or full)
        for pk, short, full in Organisation.objects.filter(
            pk__in=[r.unit for r in rows]
        ).values_list("pk", "short_name", "name")
    )
    rows = [dataclasses.replace(r, label=names.get(r.unit, str(r.unit))) for r in rows]
    rows.sort(key=lambda r: (-r.requests, r.label))
    return rows


# The 吹哨报到 table's own figures: its counts, and the response rate over them.
WHISTLE_RATES: dict[str, tuple[str, str]] = {
    "whistle_response_rate": ("response_on_time", "response_due"),
}
WHISTLE_METRICS = (*WHISTLE_RATES, *WHISTLE_COUNTS)


def whistle_part_q(metric: str, part: str = NUM, *, now: datetime | None = None) -> Q:
    """The cases behind a figure of the 吹哨报到 table: one of ``WHISTLE_METRICS``, or any
    metric of ``part_q`` over the whistle cases. Raises ValueError like ``part_q``."""
    if metric not in WHISTLE_METRICS:
        return whistle_q() & part_q(metric, part, now=now)
    if part not in PARTS:
        raise ValueError(f"Unknown part {part!r}; choose from {PARTS}.")
    counted = ~Q(status__in=(Status.MERGED, Status.REJECTED)) & whistle_q()
    conditions = whistle_predicates(now)
    if metric in WHISTLE_COUNTS:
        if part != NUM:
            raise ValueError(f"{metric!r} is a count: it has no {part!r}.")
        return counted & conditions[metric]
    numerator, base = WHISTLE_RATES[metric]
    if part == NUM:
        return counted & conditions[numerator]
    if part == DEN:
        return counted & conditions[base]
    return counted & conditions[base] & ~conditions[numerator]


def _hours(value: Any) -> float | None:
    """A database average of durations as hours (a timedelta, or microseconds on some
    backends)."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000


def month_label(month: int) -> str:
    """202403 → 2024年3月."""
    return _("%(year)d年%(month)d月") % {"year": month // 100, "month": month % 100}


# --- Internals ------------------------------------------------------------------------------


def _aggregates(now: datetime) -> dict[str, Any]:
    """Every count as a conditional aggregate over its predicate (``predicates``), so one pass
    over the rows computes them all, and each figure is the size of the list behind it."""
    conditions = predicates(now)
    aggregates: dict[str, Any] = {
        name: Count("pk", filter=conditions[name]) if conditions[name] else Count("pk")
        for name in _COUNT_FIELDS
    }
    aggregates["avg_handling_hours"] = Avg("handling_hours", filter=conditions["handled"])
    return aggregates


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


_COUNT_FIELDS = COUNTS


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


def figure_q(
    metric: str, part: str = NUM, *, whistle: bool = False, now: datetime | None = None
) -> Q:
    """The cases behind any figure the pages show: ``part_q``, or ``whistle_part_q`` for the
    吹哨报到 table (``whistle`` narrows any metric to the towns' requests to departments).
    Raises ValueError for an unknown metric or a part it does not have."""
    if whistle or metric in WHISTLE_METRICS:
        return whistle_part_q(metric, part, now=now)
    return part_q(metric, part, now=now)
