"""The rates from a rollup by month × case type × place × unit (or category, or station), kept
exact by the engine's events, so a dashboard over a million cases does not scan them all.

What is stored (``stats.models.CaseRollup``): for every counted case, the counts of
``metrics.predicates`` that cannot change while the case stays as it is — everything except
超期未办结 (``overdue_now``), 应办结 (``due``), 已研判 (``disputes_judged``) and 调处成功
(``mediation_success``), which also turn true when a deadline passes. Of those three the part
that no clock can undo is stored (answered with an on-time verdict; a dispute answered, verified
or closed), and the rest is counted live at each read over the cases past their deadline and
still open (``_live_q``), a small, indexed set. 超期未办结 is counted live entirely.

How it stays exact: a case changes only through a move, and every move writes a ``CaseEvent``.
Before each read, ``refresh`` looks at the events newer than its watermark and recomputes the
months of the cases they touched (a reassignment that changes a case's unit is a move of a case
whose month does not change); a move itself writes nothing more. Ids are handed out before
commit, so an event can appear below the watermark after a read: the number of events in the
``WINDOW`` ids under the watermark is kept, and if it has changed the months of that window
are recomputed too. Cases written without any event (the benchmark's bulk clones) are counted
only by a full ``rebuild``; the first refresh is one.

Every figure stays the size of its case list (``metrics.part_q``): a rollup figure is the sum of
the same predicates over the same cases. The average handling time is a stored sum over a count
(the database's AVG adds in another order: equal to ~1e-12 relative).

Scopes: the rollup serves a viewer who sees everything or whose view is region subtrees (a
county or town leader), since it keeps the place of every bucket; ``Source.for_user`` returns
None for any other viewer, whose pages compute live as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Func, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from cases.models import Case, CaseEvent, MediationOutcome, Status, overdue_q
from cases.scope import sees_everything
from people.models import User
from regions.models import Region
from stats import metrics
from stats.models import CaseRollup, RollupState

# Writes and the reads that must see them go to the primary, never to a reports replica.
DB = "default"
WINDOW = 1000
_JUDGED = (Status.ANSWERED, Status.VERIFIED, Status.CLOSED)
_OPEN = (Status.REPORTED, Status.TRIAGED, Status.ASSIGNED, Status.IN_PROGRESS)
# The counts stored as they are (the predicates of metrics that do not depend on the moment).
STORED = (
    "received", "closed", "on_spot", "extended", "sent_back", "reopened", "valid_visits",
    "contacted", "resolved", "satisfied", "basic", "unsatisfied", "on_time", "answered",
    "reworked", "disputes", "handled",
)  # fmt: skip
LIVE = ("overdue_now", "due", "disputes_judged", "mediation_success")
_DIMS: dict[str, str | None] = {
    CaseRollup.ALL: None,
    CaseRollup.UNIT: "lead_unit_id",
    CaseRollup.CATEGORY: "category_id",
    CaseRollup.STATION: "station_id",
}
# Which rollup dimension answers a grouping, and the rollup column of each group.
_COLUMNS = {"lead_unit": "key", "category": "key", "station": "key", "month": "month"}
_COLUMNS.update({"case_type": "case_type", "region": "region"})


def _settled() -> dict[str, Q]:
    """The parts of due, disputes_judged and mediation_success no passing deadline changes."""
    disputes = metrics._disputes_q()
    judged = disputes & Q(status__in=_JUDGED)
    return {
        "due_settled": Q(deadline__isnull=False, answered_on_time__isnull=False),
        "judged_settled": judged,
        "success_settled": judged & Q(mediation_outcome=MediationOutcome.SUCCESS),
    }


def _live(now: datetime) -> dict[str, Q]:
    """The rest of them, and 超期未办结: each needs a deadline already passed."""
    disputes = metrics._disputes_q()
    judged = disputes & ~Q(status__in=_JUDGED) & Q(deadline__lt=now)
    return {
        "overdue_now": overdue_q(now),
        "due": Q(deadline__lt=now, answered_on_time__isnull=True, clock_paused_at__isnull=True),
        "disputes_judged": judged,
        "mediation_success": judged & Q(mediation_outcome=MediationOutcome.SUCCESS),
    }


def _live_q(now: datetime) -> Q:
    """Every case a live count may count: past its deadline, and open or without an on-time
    verdict. Written as two ranges, each of an index (``case_status_deadline``, and
    ``case_live_deadline`` on the deadline where the verdict is null), so both databases read
    the two ranges instead of the table."""
    return Q(status__in=_OPEN, deadline__lt=now) | Q(
        answered_on_time__isnull=True, deadline__lt=now
    )


# --- Keeping it exact -----------------------------------------------------------------------


def refresh(now: datetime | None = None) -> list[tuple[int, int]]:
    """Bring the rollup up to the events and to ``now``; the buckets recomputed."""
    return _refresh(now or timezone.now())[0]


Window = tuple[datetime | None, datetime | None]


def _refresh(now: datetime) -> tuple[list[tuple[int, int]], Window]:
    """Bring the rollup up to the events and to ``now``: recompute the buckets (month × place)
    of the cases moved since the last read, and of those whose deadline has passed since.

    Returns the (month, region) buckets recomputed (all of them the first time). Serialised by
    a row lock on the state, so two readers do not recompute the same bucket at once.
    """
    # One query when nothing happened (the state, the newest event and the window's count
    # together); otherwise the state locked, the buckets, one delete, one GROUP BY per
    # dimension with its inserts, the next deadline, the new window's count and the state.
    events = CaseEvent.objects.using(DB)
    seen = (
        RollupState.objects.using(DB)
        .filter(pk=1)
        .annotate(
            top=Subquery(events.order_by("-pk").values("pk")[:1]),
            window=Subquery(
                events.filter(
                    pk__gt=Greatest(OuterRef("watermark") - WINDOW, 0),
                    pk__lte=OuterRef("watermark"),
                )
                .order_by()
                .annotate(n=Func(F("pk"), function="COUNT"))
                .values("n")[:1]
            ),
        )
        .values("built", "watermark", "window_count", "top", "window", "live_at", "live_until")
        .first()
    )
    if (
        seen is not None
        and seen["built"]
        and (seen["top"] or 0) == seen["watermark"]
        and (seen["window"] or 0) == seen["window_count"]
        and _live_valid(seen["live_at"], seen["live_until"], now)
    ):
        return [], (seen["live_at"], seen["live_until"])
    with transaction.atomic(using=DB):
        state = RollupState.objects.using(DB).select_for_update().filter(pk=1).first()
        if state is None:  # made by the migration; only a flushed test database lacks it
            state = RollupState.objects.using(DB).create(pk=1)
        top = events.aggregate(top=Max("pk"))["top"] or 0
        window_changed = _window_count(state.watermark) != state.window_count
        if state.live_at is not None and now < state.live_at:
            now = state.live_at  # a reader a moment behind another: keep the later moment
        cases = Case.objects.using(DB).order_by()
        if not state.built:
            buckets = sorted(set(cases.values_list("reported_month", "region_id").distinct()))
            CaseRollup.objects.using(DB).all().delete()
        else:
            touched = Q(pk__gt=state.watermark, pk__lte=top)
            if window_changed:
                touched |= Q(pk__gt=max(state.watermark - WINDOW, 0), pk__lte=state.watermark)
            # Two look-ups, each through an index (an OR of the two made PostgreSQL scan the
            # table): the cases moved, and those a live count takes in since the last moment
            # (their deadline passed).
            moved = cases.filter(pk__in=events.filter(touched).values("case_id"))
            found = set(moved.values_list("reported_month", "region_id").distinct())
            if state.live_at is not None:
                since = Q(deadline__gte=state.live_at, deadline__lt=now)
                passed = cases.filter(
                    (Q(status__in=_OPEN) & since) | (Q(answered_on_time__isnull=True) & since)
                )
                found |= set(passed.values_list("reported_month", "region_id").distinct())
            buckets = sorted(found)
            _delete(buckets)
        _compute(buckets, now)
        upcoming = Q(deadline__gte=now)
        state.live_until = (
            cases.counted()
            .filter(
                (Q(status__in=_OPEN) & upcoming) | (Q(answered_on_time__isnull=True) & upcoming)
            )
            .aggregate(first=Min("deadline"))["first"]
        )
        state.live_at = now
        state.built = True
        state.watermark = top
        state.window_count = _window_count(top)
        state.save(using=DB)
    return buckets, (state.live_at, state.live_until)


def _live_valid(live_at: datetime | None, live_until: datetime | None, now: datetime) -> bool:
    """Whether the stored live counts (as of ``live_at``) are those of ``now``: no deadline of a
    case a live count may take in lies in [live_at, now)."""
    if live_at is None or now < live_at:
        return False
    return live_until is None or now <= live_until


def rebuild() -> list[tuple[int, int]]:
    """Recompute everything (after cases were written without events, e.g. a bulk load, or a
    case's place changed outside the moves)."""
    RollupState.objects.using(DB).update_or_create(pk=1, defaults={"built": False})
    buckets = refresh()
    if connection_vendor() == "postgresql":
        from django.db import connections

        with connections[DB].cursor() as cursor:
            cursor.execute(f"ANALYZE {CaseRollup._meta.db_table}")
    return buckets


def connection_vendor() -> str:
    from django.db import connections

    return connections[DB].vendor


def _window_count(watermark: int) -> int:
    return (
        CaseEvent.objects.using(DB)
        .filter(pk__gt=max(watermark - WINDOW, 0), pk__lte=watermark)
        .count()
    )


def _buckets_q(buckets: Sequence[tuple[int, int]], month: str, region: str) -> Q:
    """The rows of these (month, region) buckets, by month: ``month = m AND region IN (...)``."""
    by_month: dict[int, list[int]] = {}
    for m, r in buckets:
        by_month.setdefault(m, []).append(r)
    q = Q(pk__in=[])
    for m, regions in by_month.items():
        q |= Q(**{month: m, f"{region}__in": regions})
    return q


def _delete(buckets: Sequence[tuple[int, int]]) -> None:
    if buckets:
        CaseRollup.objects.using(DB).filter(_buckets_q(buckets, "month", "region")).delete()


def _compute(buckets: Sequence[tuple[int, int]], now: datetime) -> None:
    """Insert the rows of ``buckets`` (already deleted): one GROUP BY per dimension, the live
    counts as of ``now`` beside the stored ones."""
    if not buckets:
        return
    conditions = metrics.predicates()
    settled = _settled()
    live = _live(now)
    aggregates: dict[str, Any] = {
        name: Count("pk", filter=conditions[name]) if conditions[name] else Count("pk")
        for name in STORED
    }
    aggregates.update({name: Count("pk", filter=q) for name, q in settled.items()})
    aggregates.update({f"live_{name}": Count("pk", filter=q) for name, q in live.items()})
    aggregates["hours_sum"] = Sum("handling_hours", filter=conditions["handled"])
    cases = Case.objects.using(DB).counted().order_by()
    if len(buckets) < 2000:  # else: the whole table (a build)
        cases = cases.filter(_buckets_q(buckets, "reported_month", "region_id"))
    names = (*STORED, *settled, *(f"live_{name}" for name in live))
    for dim, column in _DIMS.items():
        queryset = cases.filter(station__isnull=False) if dim == CaseRollup.STATION else cases
        grouping = ("reported_month", "case_type_id", "region_id", *([column] if column else []))
        grouped = queryset.values(*grouping).annotate(**aggregates)
        CaseRollup.objects.using(DB).bulk_create(
            (
                CaseRollup(
                    dim=dim,
                    month=values["reported_month"],
                    case_type=values["case_type_id"],
                    region=values["region_id"],
                    key=values[column] if column else None,
                    hours_sum=values["hours_sum"] or 0.0,
                    **{name: values[name] for name in names},
                )
                for values in grouped.iterator()
            ),
            batch_size=2000,
        )


# --- Reading ----------------------------------------------------------------------------------


@dataclass
class Source:
    """The rates of one viewer's cases over one period and case type, from the rollup.

    ``rates`` and ``totals`` answer as ``metrics.rates``/``metrics.totals`` over
    ``metrics.filter_cases(visible_cases(user), case_type=..., months=...)``.
    """

    user: User
    regions: list[Region] | None  # None: every case
    case_type: int | None = None
    months: tuple[int | None, int | None] | None = None
    # Brought up to the events once per source (a page), not once per table, at one moment
    # for every table; and the moments the stored live counts hold for.
    refreshed: bool = False
    moment: datetime | None = None
    window: Window = (None, None)
    # The live counts at the finest grain, fetched once per period and shared with the
    # sources ``narrow`` makes: (case_type, months, now) -> rows.
    live_cache: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)

    @classmethod
    def for_user(
        cls,
        user: User,
        *,
        case_type: Any = None,
        months: tuple[int | None, int | None] | None = None,
    ) -> Source | None:
        """The rollup source for ``user``, or None if their view is not whole region subtrees
        (a department, an enterprise, a dispatching committee: computed live instead)."""
        type_pk = None if case_type is None else metrics._pk(case_type)
        if sees_everything(user):
            return cls(user, None, type_pk, months)
        regions = []
        for assignment in user.role_assignments:
            if assignment.organisation_id:
                return None
            if assignment.region_id is None:
                return None
            assert assignment.region is not None
            regions.append(assignment.region)
        if not regions:
            return None
        # The view also holds the cases the viewer reported or asked for; the rollup serves
        # only if none of them lies outside the regions (one indexed look-up).
        own = Q(reported_by=user)
        if user.person_id:
            own |= Q(requester_id=user.person_id)
        if Case.objects.filter(own).exclude(_subtrees(regions, "region__")).exists():
            return None
        return cls(user, regions, type_pk, months)

    def narrow(self, **changes: Any) -> Source:
        self.refresh()
        values = {"case_type": self.case_type, "months": self.months, **changes}
        return Source(
            self.user,
            self.regions,
            values["case_type"],
            values["months"],
            refreshed=True,
            moment=self.moment,
            window=self.window,
            live_cache=self.live_cache,
        )

    def refresh(self) -> None:
        if not self.refreshed:
            self.moment = timezone.now()
            _buckets, self.window = _refresh(self.moment)
            self.refreshed = True

    def rates(
        self,
        group_by: Sequence[str] = (),
        *,
        region_level: int | None = None,
        now: datetime | None = None,
    ) -> list[metrics.RateRow]:
        dim = _dimension(group_by)
        if "region" in group_by and (not region_level or region_level < 1):
            raise ValueError("Grouping by region needs region_level >= 1.")
        self.refresh()
        assert self.moment is not None
        now = now or self.moment
        # The stored live counts when they hold for ``now`` (no deadline passed since they were
        # counted); else those counts live, from the open cases past their deadline.
        stored_live = _live_valid(*self.window, now)
        columns = [_COLUMNS[name] for name in group_by]
        stored = self._stored(dim, columns, stored_live)
        live = [] if stored_live else self._live(dim, group_by, now)
        paths: dict[int, str] = {}
        if "region" in group_by:
            assert region_level is not None
            ids = {v["region"] for v in stored} | {v["region_id"] for v in live}
            width = region_level * metrics._SEGMENT
            paths = {
                pk: path[:width]
                for pk, path in Region.objects.filter(pk__in=ids).values_list("pk", "path")
            }
        counts: dict[tuple[Any, ...], dict[str, Any]] = {}

        def bucket(values: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
            key = tuple(
                paths.get(values[name]) if group == "region" else values[name]
                for group, name in zip(group_by, names, strict=True)
            )
            return counts.setdefault(key, {"hours": 0.0})

        for values in stored:
            entry = bucket(values, columns)
            for name in _SUMMED:
                if name in values:
                    entry[name] = entry.get(name, 0) + (values[name] or 0)
        live_columns = [_LIVE_COLUMNS[name] for name in group_by]
        for values in live:
            entry = bucket(values, live_columns)
            for name in LIVE:
                entry[f"live_{name}"] = entry.get(f"live_{name}", 0) + values[name]
        rows = []
        for key, entry in counts.items():
            if not entry.get("received"):
                continue  # only live leftovers of a bucket no longer counted: impossible
            rows.append(metrics._row(dict(zip(group_by, key, strict=True)), _counts(entry)))
        if not group_by:
            return rows or [metrics._row({}, _counts({}))]
        rows.sort(key=lambda row: tuple(metrics._sort_key(row.group[name]) for name in group_by))
        return rows

    def totals(self, *, now: datetime | None = None) -> metrics.RateRow:
        return self.rates(now=now)[0]

    # -- the two halves

    def _stored(self, dim: str, columns: list[str], live: bool) -> list[dict[str, Any]]:
        rows = CaseRollup.objects.using(DB).filter(dim=dim)
        if self.case_type is not None:
            rows = rows.filter(case_type=self.case_type)
        if self.months is not None:
            start, end = self.months
            if start is not None:
                rows = rows.filter(month__gte=start)
            if end is not None:
                rows = rows.filter(month__lte=end)
        if self.regions is not None:
            rows = rows.filter(
                region__in=Region.objects.using(DB).filter(_subtrees(self.regions, "")).values("pk")
            )
        names = _SUMMED if live else _SUMMED[: -len(LIVE)]
        sums = {name: Sum(name) for name in names}
        if not columns:
            return [rows.aggregate(**sums)]
        return list(rows.order_by().values(*columns).annotate(**sums))

    def _live(self, dim: str, group_by: Sequence[str], now: datetime) -> list[dict[str, Any]]:
        """The live counts of the period by every column a grouping may read (one query per
        period and moment, kept for the other tables); a station table keeps station cases."""
        key = (self.case_type, self.months, now)
        if key not in self.live_cache:
            self.live_cache[key] = self._fetch_live(now)
        rows = self.live_cache[key]
        if dim == CaseRollup.STATION:
            rows = [row for row in rows if row["station_id"] is not None]
        return rows

    def _fetch_live(self, now: datetime) -> list[dict[str, Any]]:
        from cases.scope import visible_cases

        cases = metrics.filter_cases(
            visible_cases(self.user, Case.objects.using(DB).all()),
            case_type=self.case_type,
            months=self.months,
        )
        cases = metrics._single_rows(cases.counted().order_by().filter(_live_q(now)))
        conditions = _live(now)
        aggregates = {name: Count("pk", filter=conditions[name]) for name in LIVE}
        return list(cases.values(*_LIVE_GRAIN).annotate(**aggregates))


_SUMMED = (
    *STORED,
    *("hours_sum", "due_settled", "judged_settled", "success_settled"),
    *(f"live_{name}" for name in LIVE),
)
_LIVE_COLUMNS = {name: column for name, column in metrics.GROUPS.items()}
_LIVE_COLUMNS["region"] = "region_id"
_LIVE_GRAIN = (
    *("reported_month", "case_type_id", "region_id"),
    *("lead_unit_id", "category_id", "station_id"),
)


def _subtrees(regions: Sequence[Region], prefix: str) -> Q:
    q = Q(pk__in=[])
    for region in regions:
        q |= Q(
            **{
                f"{prefix}path__gte": region.path,
                f"{prefix}path__lt": region.path_range_end,
            }
        )
    return q


def _dimension(group_by: Sequence[str]) -> str:
    """The rollup dimension that holds a grouping: by unit (and month, type, place), by
    category or by station. Raises ValueError for groups the rollup cannot combine."""
    for name in group_by:
        if name not in metrics.GROUPS:
            raise ValueError(f"Unknown group {name!r}; choose from {sorted(metrics.GROUPS)}.")
    if len(set(group_by)) != len(group_by):
        raise ValueError("Each group may appear only once.")
    keyed = [name for name in group_by if name in ("lead_unit", "category", "station")]
    if len(keyed) > 1:
        raise ValueError(f"The rollup cannot group by {' and '.join(keyed)} together.")
    if not keyed:
        return CaseRollup.ALL
    if keyed[0] == "lead_unit":
        return CaseRollup.UNIT
    return CaseRollup.CATEGORY if keyed[0] == "category" else CaseRollup.STATION


def supports(group_by: Sequence[str]) -> bool:
    try:
        _dimension(group_by)
    except ValueError:
        return False
    return True


def _counts(entry: dict[str, Any]) -> dict[str, Any]:
    """A metrics row's counts from a bucket's stored sums and live counts."""
    counts: dict[str, Any] = {name: entry.get(name, 0) for name in STORED}
    counts["overdue_now"] = entry.get("live_overdue_now", 0)
    counts["due"] = entry.get("due_settled", 0) + entry.get("live_due", 0)
    counts["disputes_judged"] = entry.get("judged_settled", 0) + entry.get(
        "live_disputes_judged", 0
    )
    counts["mediation_success"] = entry.get("success_settled", 0) + entry.get(
        "live_mediation_success", 0
    )
    handled = counts["handled"]
    counts["avg_handling_hours"] = entry.get("hours_sum", 0.0) / handled if handled else None
    return counts


def live_queryset(now: datetime | None = None) -> QuerySet[Case]:
    """The cases a read counts live (for EXPLAIN in the benchmark)."""
    return Case.objects.counted().filter(_live_q(now or timezone.now()))
