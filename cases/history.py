"""Cases that happened before Lianxin: an office's ledger history, entered at its recorded state.

A ledger row says what already happened — received on 3月2日, handed to 县住建局 on 3月3日,
answered on 3月10日, the requester satisfied, closed on 3月12日. :func:`record_histories` enters
such rows as cases at that state, with the events the moves would have written, each at its
original time and marked ``via=import``. The steps follow the loop's order (受理 → 研判 → 交办 →
签收 → 答复 → 回访 → 销号) so the event log reads like any other case's, but the rules of the
live moves (roles, "after now" deadlines, a note to close without a visit) are not applied:
the ledger records what the office did, not what Lianxin would allow today.

Each case's derived fields are the ones the moves compute (按期办结, 办理用时, 受理月份, the
return visit's answers), so imported cases count in the rates of the month they were received.
Writing is in batches (one insert per table per batch): a 50,000-row ledger is minutes of
work for the moves, seconds here. The caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import deadlines
from cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    CaseType,
    Category,
    Channel,
    EventKind,
    Satisfaction,
    Status,
    TimeLimit,
    Via,
)
from orgs.models import Organisation, OrgKind
from people.models import User
from regions.models import Region

K, S = EventKind, Status

# The states a ledger can record, in the loop's order.
PATH = (S.REPORTED, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.ANSWERED, S.VERIFIED, S.CLOSED)
RECORDABLE = frozenset({*PATH, S.REJECTED})
BATCH = 500


@dataclass
class HistoryRecord:
    """One ledger row, read and checked: what the case is and what happened to it, when."""

    case_type: CaseType
    region: Region
    title: str
    description: str
    reported_at: datetime
    status: str
    channel: str = Channel.GRID
    category: Category | None = None
    priority: str = ""
    risk_level: str = ""
    requester_name: str = ""
    requester_phone: str = ""
    enterprise: Organisation | None = None
    address: str = ""
    lead_unit: Organisation | None = None
    co_units: list[Organisation] = field(default_factory=list)
    assigned_at: datetime | None = None
    deadline: datetime | None = None
    extended: bool = False
    answered_at: datetime | None = None
    answer: str = ""
    visited_at: datetime | None = None
    satisfaction: str = ""
    mediation_outcome: str = ""
    closed_at: datetime | None = None
    ledger_number: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    # Where the row came from, kept on every event: {"ledger": file name, "row": 12}.
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def on_the_spot(self) -> bool:
        """Answered without being handed to a unit: 当场办结."""
        return self.lead_unit is None and self.answered_at is not None


class HistoryProblem(Exception):
    """A record whose story does not hold together; ``field`` names the ledger field."""

    def __init__(self, field_name: str, message: Any) -> None:
        super().__init__(str(message))
        self.field = field_name
        self.message = message


def complete(record: HistoryRecord) -> HistoryRecord:
    """Fill the moments a ledger leaves out from the ones it has, and check their order.

    A closed case without an answer time was answered when it was closed; one handed to a unit
    without a hand-over time was handed over when received. Raises :class:`HistoryProblem`.
    """
    if record.status not in RECORDABLE:
        raise HistoryProblem("status", _("无法导入该状态。"))
    rank = _rank(record.status)
    handled = record.status != S.REJECTED and rank >= _rank(S.ASSIGNED)
    if handled and record.lead_unit is None and rank < _rank(S.ANSWERED):
        raise HistoryProblem("lead_unit", _("已交办的事项须填写承办单位。"))
    if record.lead_unit is not None and handled:
        record.assigned_at = record.assigned_at or record.reported_at
    elif not handled:
        # Not handed over yet: a unit the ledger names is not this case's unit.
        record.lead_unit, record.co_units, record.assigned_at = None, [], None
    if rank >= _rank(S.ANSWERED) and record.status != S.REJECTED:
        record.answered_at = (
            record.answered_at or record.visited_at or record.closed_at or record.reported_at
        )
        if not record.answer:
            record.answer = str(_("（台账未记录答复内容）"))
    if rank >= _rank(S.VERIFIED) and record.status != S.REJECTED:
        if record.satisfaction:
            record.visited_at = record.visited_at or record.closed_at or record.answered_at
        elif record.status == S.VERIFIED:
            raise HistoryProblem("satisfaction", _("已回访的事项须填写满意度。"))
    if record.status == S.CLOSED:
        record.closed_at = record.closed_at or record.visited_at or record.answered_at
    if record.status == S.REJECTED:
        record.closed_at = record.closed_at or record.answered_at or record.reported_at
    order = [
        ("assigned_at", record.assigned_at),
        ("answered_at", record.answered_at),
        ("visited_at", record.visited_at),
        ("closed_at", record.closed_at),
    ]
    previous_name, previous = "reported_at", record.reported_at
    for name, moment in order:
        if moment is None:
            continue
        if moment < previous:
            raise HistoryProblem(
                name,
                _("%(later)s早于%(earlier)s。")
                % {"later": MOMENT_LABELS[name], "earlier": MOMENT_LABELS[previous_name]},
            )
        previous_name, previous = name, moment
    if record.satisfaction and record.satisfaction not in Satisfaction.values:
        raise HistoryProblem("satisfaction", _("满意度无效。"))
    return record


MOMENT_LABELS = {
    "reported_at": _("受理时间"),
    "assigned_at": _("交办时间"),
    "answered_at": _("答复时间"),
    "visited_at": _("回访时间"),
    "closed_at": _("销号时间"),
}


def _rank(status: str) -> int:
    return PATH.index(status) if status in PATH else len(PATH)


class _Limits:
    """The time limits by (type, priority), read once per import."""

    def __init__(self) -> None:
        self.by_key = {(t.case_type_id, t.priority): t for t in TimeLimit.objects.all()}

    def deadlines(
        self, record: HistoryRecord, start: datetime
    ) -> tuple[datetime | None, datetime | None]:
        limit = self.by_key.get((record.case_type.pk, record.priority))
        response = deadlines.add_working_hours(start, limit.response_hours if limit else 2)
        if record.deadline is not None:
            return record.deadline, response
        if limit is None:
            return None, response
        return deadlines.deadline_for(start, limit.amount, limit.unit), response


def _month_key(moment: datetime) -> int:
    local = timezone.localtime(moment)
    return local.year * 100 + local.month


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _new_case(record: HistoryRecord, actor: User | None) -> Case:
    enterprise = record.enterprise
    chain = enterprise.chain if enterprise is not None else None
    case = Case(
        case_type=record.case_type,
        category=record.category,
        priority=record.priority or record.case_type.default_priority,
        channel=record.channel,
        status=S.REPORTED,
        title=record.title[:200],
        description=record.description,
        requester_name=record.requester_name[:50],
        requester_phone=record.requester_phone[:20],
        enterprise=enterprise,
        region=record.region,
        address=record.address[:200],
        # An enterprise in a chain is the chain committee's (as report_case decides).
        committee=chain if chain is not None and chain.kind == OrgKind.CHAIN_COMMITTEE else None,
        reported_by=actor,
        reported_at=record.reported_at,
        reported_month=_month_key(record.reported_at),
        ledger_number=record.ledger_number or None,
        risk_level=record.risk_level,
        details=record.details,
    )
    record.priority = case.priority
    return case


Step = tuple[str, str, datetime]


def _steps(record: HistoryRecord) -> list[Step]:
    """(event kind, state reached, moment) of each step from received to the recorded state."""
    steps: list[Step] = [(K.REPORTED, S.REPORTED, record.reported_at)]
    if record.status == S.REJECTED:
        assert record.closed_at is not None
        return [*steps, (K.REJECTED, S.REJECTED, record.closed_at)]
    rank = _rank(record.status)
    if record.lead_unit is not None and record.assigned_at is not None:
        start = record.assigned_at
        steps += [(K.TRIAGED, S.TRIAGED, start), (K.ASSIGNED, S.ASSIGNED, start)]
        if rank >= _rank(S.IN_PROGRESS):
            steps.append((K.ACCEPTED, S.IN_PROGRESS, start))
        if record.status == S.IN_PROGRESS and record.mediation_outcome:
            # Mediated but not yet answered (引导诉讼 while the case stays open).
            steps.append((K.MEDIATED, S.IN_PROGRESS, start))
    elif _rank(S.TRIAGED) <= rank < _rank(S.ANSWERED):
        steps.append((K.TRIAGED, S.TRIAGED, record.reported_at))
    if rank >= _rank(S.ANSWERED) and record.answered_at is not None:
        kind = K.RESOLVED_ON_SPOT if record.on_the_spot else K.ANSWERED
        steps.append((kind, S.ANSWERED, record.answered_at))
    if rank >= _rank(S.VERIFIED) and record.satisfaction and record.visited_at is not None:
        steps.append((K.VISITED, S.VERIFIED, record.visited_at))
    if record.status == S.CLOSED and record.closed_at is not None:
        steps.append((K.CLOSED, S.CLOSED, record.closed_at))
    return steps


# The fields each step sets, as its live move does.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    K.REPORTED: (),
    K.REJECTED: ("closed_at",),
    K.TRIAGED: ("triaged_at",),
    K.ASSIGNED: ("assigned_at", "lead_unit", "deadline", "response_deadline", "extension_count"),
    K.ACCEPTED: ("accepted_at",),
    K.MEDIATED: ("mediation_outcome",),
    K.ANSWERED: (
        "answer",
        "first_answered_at",
        "answered_at",
        "answered_on_time",
        "handling_hours",
        "mediation_outcome",
    ),
    K.VISITED: (
        "visit_valid",
        "visit_contacted",
        "visit_resolved",
        "visit_satisfaction",
        "visited_at",
    ),
    K.CLOSED: ("closed_at",),
}
STEP_FIELDS[K.RESOLVED_ON_SPOT] = (*STEP_FIELDS[K.ANSWERED], "resolved_on_spot")


def _apply(case: Case, record: HistoryRecord, step: Step, limits: _Limits) -> None:
    """Set on ``case`` what ``step`` changes (see STEP_FIELDS)."""
    kind, target, moment = step
    if kind in (K.CLOSED, K.REJECTED):
        case.closed_at = moment
    elif kind == K.TRIAGED:
        case.triaged_at = moment
    elif kind == K.ASSIGNED:
        case.assigned_at, case.lead_unit = moment, record.lead_unit
        case.deadline, case.response_deadline = limits.deadlines(record, moment)
        case.extension_count = 1 if record.extended else 0
    elif kind == K.ACCEPTED:
        case.accepted_at = moment
    elif kind == K.MEDIATED:
        case.mediation_outcome = record.mediation_outcome
    elif kind in (K.ANSWERED, K.RESOLVED_ON_SPOT):
        case.answer, case.mediation_outcome = record.answer, record.mediation_outcome
        case.first_answered_at = case.first_answered_at or moment
        case.answered_at = moment
        if kind == K.RESOLVED_ON_SPOT:
            case.resolved_on_spot, case.handling_hours = True, 0.0
        else:
            case.answered_on_time = case.deadline is None or moment <= case.deadline
            start = case.assigned_at or case.reported_at
            case.handling_hours = round((moment - start).total_seconds() / 3600, 2)
    elif kind == K.VISITED:
        # A ledger records a satisfaction only after reaching the requester; "solved" is read
        # from it, as ledgers have no column for it.
        case.visit_valid, case.visit_contacted = True, True
        case.visit_resolved = record.satisfaction != Satisfaction.UNSATISFIED
        case.visit_satisfaction, case.visited_at = record.satisfaction, moment
    case.status = target


def _overdue(case: Case, imported_at: datetime) -> list[Step]:
    """A case still in handling whose deadline passed before the import is overdue since that
    deadline: flagged now, with its 超期 event at the deadline, so the sweep does not announce
    years-old lateness as news."""
    if case.status not in (S.ASSIGNED, S.IN_PROGRESS) or case.deadline is None:
        return []
    if case.deadline > imported_at:
        return []
    case.is_overdue = True
    return [(K.OVERDUE, case.status, case.deadline)]


def _events(
    case: Case,
    record: HistoryRecord,
    steps: Sequence[Step],
    actor: User | None,
    imported_at: datetime,
    from_status: str,
) -> list[CaseEvent]:
    events = []
    base = {"imported_at": _iso(imported_at), **record.source}
    for kind, target, moment in steps:
        data: dict[str, Any] = dict(base)
        reason = ""
        if kind == K.REPORTED:
            data["channel"] = case.channel
        elif kind == K.ASSIGNED:
            data.update(
                lead_unit=case.lead_unit_id,
                co_units=[u.pk for u in record.co_units],
                deadline=_iso(case.deadline),
            )
        elif kind == K.MEDIATED:
            data["outcome"] = case.mediation_outcome
        elif kind == K.OVERDUE:
            data["deadline"] = _iso(case.deadline)
        elif kind in (K.ANSWERED, K.RESOLVED_ON_SPOT):
            reason = case.answer
            if case.mediation_outcome:
                data["mediation_outcome"] = case.mediation_outcome
        elif kind == K.VISITED:
            data.update(
                contacted=case.visit_contacted,
                resolved=case.visit_resolved,
                satisfaction=case.visit_satisfaction,
                passed=case.visit_passed,
            )
        elif kind == K.CLOSED:
            data["visit_passed"] = case.visit_passed
            if not case.visit_passed:
                reason = str(_("台账记录已办结（导入）。"))
        elif kind == K.REJECTED:
            reason = record.answer or str(_("台账记录不予受理（导入）。"))
        events.append(
            CaseEvent(
                case=case,
                kind=kind,
                actor=actor,
                via=Via.IMPORT,
                from_status=from_status,
                to_status=target,
                reason=reason,
                data=data,
                created_at=moment,
            )
        )
        from_status = target
    return events


def _assignments(case: Case, record: HistoryRecord) -> list[CaseAssignment]:
    if case.lead_unit is None or case.assigned_at is None:
        return []
    return [
        CaseAssignment(
            case=case,
            unit=record.lead_unit,
            is_lead=True,
            assigned_at=case.assigned_at,
            accepted_at=case.accepted_at,
        )
    ] + [
        CaseAssignment(case=case, unit=unit, is_lead=False, assigned_at=case.assigned_at)
        for unit in record.co_units
        if unit.pk != case.lead_unit_id
    ]


def record_histories(
    records: Iterable[HistoryRecord],
    *,
    actor: User | None,
    imported_at: datetime | None = None,
    limits: _Limits | None = None,
) -> list[Case]:
    """Enter completed records (see :func:`complete`) as cases at their recorded state, with
    their events and units, one batch insert per table. The caller holds the transaction."""
    imported_at = imported_at or timezone.now()
    limits = limits or _Limits()
    batch = list(records)
    cases: list[Case] = []
    all_steps = []
    for record in batch:
        case = _new_case(record, actor)
        steps = _steps(record)
        for step in steps:
            _apply(case, record, step, limits)
        steps += _overdue(case, imported_at)
        case.version = len(steps)
        cases.append(case)
        all_steps.append(steps)
    for case, pk in zip(cases, _reserve_ids(Case, len(cases)), strict=True):
        case.pk = pk
        case.number = f"LX{timezone.localtime(case.reported_at):%Y%m%d}{pk:07d}"
    events: list[CaseEvent] = []
    assignments: list[CaseAssignment] = []
    for case, record, steps in zip(cases, batch, all_steps, strict=True):
        events.extend(_events(case, record, steps, actor, imported_at, ""))
        assignments.extend(_assignments(case, record))
    _insert(Case, cases, with_pk=True)
    _insert(CaseEvent, events)
    _insert(CaseAssignment, assignments)
    return cases


def advance_histories(
    pairs: Iterable[tuple[Case, HistoryRecord]],
    *,
    actor: User | None,
    imported_at: datetime | None = None,
    limits: _Limits | None = None,
) -> list[Case]:
    """Bring cases imported earlier up to a later ledger's record of them (the same ledger
    number): the steps they have not taken yet are applied and their events appended, at the
    recorded times.

    A case as far along (or further: moved in Lianxin since) is left as it is, and so is one
    that left the loop (merged, rejected). Returns the cases that moved; the caller holds the
    transaction and has locked them.
    """
    imported_at = imported_at or timezone.now()
    limits = limits or _Limits()
    moved: list[Case] = []
    changed: set[str] = {"status", "version", "updated_at"}
    events: list[CaseEvent] = []
    assignments: list[CaseAssignment] = []
    for case, record in pairs:
        if case.status not in PATH or record.status not in PATH:
            continue
        steps = [step for step in _steps(record) if _rank(step[1]) > _rank(case.status)]
        if not steps:
            continue
        from_status = case.status
        for step in steps:
            _apply(case, record, step, limits)
            changed.update(STEP_FIELDS[step[0]])
        if not case.is_overdue:
            steps += _overdue(case, imported_at)
            changed.add("is_overdue")
        events.extend(_events(case, record, steps, actor, imported_at, from_status))
        if any(step[0] == K.ASSIGNED for step in steps):
            assignments.extend(_assignments(case, record))
        case.version += len(steps)
        moved.append(case)
    fields = sorted(changed - {"updated_at"})
    for start in range(0, len(moved), BATCH):
        Case.objects.bulk_update(moved[start : start + BATCH], fields)
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    CaseAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    return moved


# --- writing many rows -----------------------------------------------------------------------
# A ledger is tens of thousands of cases and seven times as many events. ``bulk_create`` spends
# most of that time compiling statements (on SQLite a few rows each, for its parameter limit);
# the rows go in here as COPY on PostgreSQL and one prepared INSERT on SQLite, with the values
# each field prepares for the database exactly as ``bulk_create`` would.


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model``, taken from its sequence, so a batch's
    numbers and foreign keys are known before it is written. The caller's transaction holds
    the write lock on SQLite."""
    if count == 0:
        return []
    connection = connections[router.db_for_write(model)]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never reuses an id, even a deleted one: start after both.
            cursor.execute(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM "
                f"{connection.ops.quote_name(table)}), 0), "
                "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            start = int(cursor.fetchone()[0]) + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"reserving ids on {connection.vendor}")


def _insert(
    model: type[models.Model], objects: Sequence[models.Model], *, with_pk: bool = False
) -> None:
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    rows = [
        tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
        for obj in objects
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
