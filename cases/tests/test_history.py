"""``cases.history``: ledger rows entered at their recorded state, with their events at the
original times, counting in the month they were received."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases import history
from cases.history import HistoryProblem, HistoryRecord
from cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    EventKind,
    MediationOutcome,
    Satisfaction,
    Status,
    Via,
)

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=TZ)


def record(world, **fields) -> HistoryRecord:
    base = {
        "case_type": world.types["resident_issue"],
        "region": world.village,
        "title": "路灯不亮",
        "description": "浔中村村口路灯已坏半个月，夜间出行不便。",
        "reported_at": at(3),
        "status": Status.REPORTED,
    }
    base.update(fields)
    return history.complete(HistoryRecord(**base))


def closed_record(world, **fields) -> HistoryRecord:
    values = {
        "status": Status.CLOSED,
        "lead_unit": world.dept,
        "co_units": [world.other_dept],
        "assigned_at": at(3, 15),
        "answered_at": at(7),
        "answer": "已更换灯具。",
        "satisfaction": Satisfaction.SATISFIED,
        "closed_at": at(10),
        "ledger_number": "20250303-0001",
        "source": {"ledger": "12345.xlsx", "row": 4},
    }
    values.update(fields)
    return record(world, **values)


def test_a_closed_row_enters_closed_with_its_steps_at_their_times(world):
    [case] = history.record_histories([closed_record(world)], actor=world.dispatcher)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.number.startswith("LX20250303")
    assert case.ledger_number == "20250303-0001"
    assert case.reported_month == 202503
    assert (case.assigned_at, case.answered_at, case.closed_at) == (at(3, 15), at(7), at(10))
    assert case.answered_on_time is True  # 7 March is inside the 5-working-day limit
    assert case.visit_valid and case.visit_passed
    assert case.visit_satisfaction == Satisfaction.SATISFIED
    events = list(case.events.order_by("created_at", "pk"))
    assert [e.kind for e in events] == [
        EventKind.REPORTED,
        EventKind.TRIAGED,
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
        EventKind.ANSWERED,
        EventKind.VISITED,
        EventKind.CLOSED,
    ]
    assert {e.via for e in events} == {Via.IMPORT}
    # One unbroken chain of states, each event at its recorded moment, each marked with its row.
    assert [e.from_status for e in events[1:]] == [e.to_status for e in events[:-1]]
    assert events[0].created_at == at(3) and events[-1].created_at == at(10)
    assert all(e.data["ledger"] == "12345.xlsx" and e.data["row"] == 4 for e in events)
    assert case.version == len(events)
    units = {(a.unit_id, a.is_lead) for a in CaseAssignment.objects.filter(case=case)}
    assert units == {(world.dept.pk, True), (world.other_dept.pk, False)}


def test_imported_cases_count_in_the_month_received_and_not_in_triage(world):
    history.record_histories(
        [closed_record(world), record(world, reported_at=at(20), ledger_number="B")],
        actor=None,
    )
    march = Case.objects.filter(reported_month=202503)
    assert march.count() == 2
    # The closed one is not waiting for triage; the one the ledger left unhandled is.
    assert list(
        Case.objects.filter(status=Status.REPORTED).values_list("ledger_number", flat=True)
    ) == ["B"]


def test_missing_moments_are_taken_from_the_later_ones(world):
    r = record(
        world,
        status=Status.CLOSED,
        lead_unit=world.dept,
        answered_at=None,
        assigned_at=None,
        closed_at=at(12),
    )
    assert r.assigned_at == at(3) and r.answered_at == at(12)
    [case] = history.record_histories([r], actor=None)
    # Closed without a return visit: the close says so in its reason.
    close = case.events.get(kind=EventKind.CLOSED)
    assert close.from_status == Status.ANSWERED
    assert close.data["visit_passed"] is False and close.reason


def test_moments_out_of_order_are_refused(world):
    with pytest.raises(HistoryProblem) as problem:
        record(world, status=Status.CLOSED, lead_unit=world.dept, answered_at=at(2))
    assert problem.value.field == "answered_at"
    assert "早于" in str(problem.value)


def test_a_handed_over_case_needs_its_unit(world):
    with pytest.raises(HistoryProblem) as problem:
        record(world, status=Status.IN_PROGRESS)
    assert problem.value.field == "lead_unit"


def test_answered_without_a_unit_is_resolved_on_the_spot(world):
    [case] = history.record_histories(
        [record(world, status=Status.ANSWERED, answered_at=at(3, 11), answer="现场修复")],
        actor=None,
    )
    assert case.resolved_on_spot and case.handling_hours == 0.0
    assert case.events.filter(kind=EventKind.RESOLVED_ON_SPOT).count() == 1


def test_an_open_row_keeps_its_deadline_and_is_late_when_answered_after_it(world):
    late = record(
        world,
        status=Status.ANSWERED,
        lead_unit=world.dept,
        deadline=at(5, 18),
        answered_at=at(8),
        extended=True,
    )
    [case] = history.record_histories([late], actor=None)
    assert case.deadline == at(5, 18)
    assert case.answered_on_time is False
    assert case.extension_count == 1
    assert case.handling_hours == pytest.approx((at(8) - at(3)).total_seconds() / 3600)


def test_a_dispute_keeps_its_mediation_outcome(world):
    dispute = record(
        world,
        case_type=world.types["dispute"],
        status=Status.CLOSED,
        lead_unit=world.dept,
        answered_at=at(5),
        mediation_outcome=MediationOutcome.SUCCESS,
        satisfaction=Satisfaction.BASIC,
    )
    [case] = history.record_histories([dispute], actor=None)
    assert case.mediation_outcome == MediationOutcome.SUCCESS
    answered = case.events.get(kind=EventKind.ANSWERED)
    assert answered.data["mediation_outcome"] == MediationOutcome.SUCCESS


def test_rejected_rows(world):
    [case] = history.record_histories(
        [record(world, status=Status.REJECTED, answer="不属于受理范围")], actor=None
    )
    assert case.status == Status.REJECTED
    assert case.events.get(kind=EventKind.REJECTED).reason == "不属于受理范围"


def test_a_later_ledger_moves_the_case_on(world):
    first = record(world, status=Status.IN_PROGRESS, lead_unit=world.dept, ledger_number="N-1")
    [case] = history.record_histories([first], actor=None, imported_at=at(4))
    later = closed_record(world, ledger_number="N-1", co_units=[])
    moved = history.advance_histories([(case, later)], actor=None)
    assert moved == [case]
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    kinds = list(case.events.order_by("created_at", "pk").values_list("kind", flat=True))
    assert kinds[-3:] == [EventKind.ANSWERED, EventKind.VISITED, EventKind.CLOSED]
    assert case.version == len(kinds)
    # The same record again moves nothing.
    assert history.advance_histories([(case, later)], actor=None) == []


def test_batches_cost_a_constant_number_of_queries(world, django_assert_max_num_queries):
    records = [closed_record(world, ledger_number=f"Q-{i}") for i in range(40)]
    limits = history._Limits()
    with django_assert_max_num_queries(8):
        history.record_histories(records, actor=None, limits=limits)
    assert CaseEvent.objects.filter(case__ledger_number__startswith="Q-").count() == 40 * 7


def test_an_open_row_past_its_deadline_is_overdue_since_then_not_news_for_the_sweep(world):
    from cases.sweep import sweep

    late = record(world, status=Status.IN_PROGRESS, lead_unit=world.dept, deadline=at(5, 18))
    [case] = history.record_histories([late], actor=None, imported_at=at(20))
    case.refresh_from_db()
    assert case.is_overdue
    overdue = case.events.get(kind=EventKind.OVERDUE)
    assert (overdue.created_at, overdue.via) == (at(5, 18), Via.IMPORT)
    assert case.version == case.events.count()
    # The sweep does not flag it again (it still supervises it: it is open and late).
    assert sweep(now=at(20)).overdue == 0
