"""A finding's 整改期限 is its hazard case's deadline: the end of that working day, named at
intake through the engine (``report_case(deadline=)``) and kept by the first hand-over; a date
already past is refused."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import deadlines
from cases import services as cases
from cases.models import Case, CaseEvent, CaseType, EventKind, Status
from inspections.services import rectify_deadline
from inspections.tests.helpers import finding, inspect


def _end_of(day: date) -> datetime:
    hour = settings.LIANXIN["WORKDAY_END_HOUR"]
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _workday_after(day: date, days: int) -> date:
    return deadlines.next_workday(day + timedelta(days=days - 1))


def _holiday_after(day: date) -> date:
    day += timedelta(days=1)
    while deadlines.is_workday(day):
        day += timedelta(days=1)
    return day


def test_the_case_deadline_is_the_end_of_the_rectify_day(iw):
    day = _workday_after(timezone.localdate(), 7)
    made = inspect(iw, findings=[finding(rectify_by=day)])
    case = made.findings.get().case
    assert case.status == Status.REPORTED
    assert case.deadline == _end_of(day)
    reported = CaseEvent.objects.get(case=case, kind=EventKind.REPORTED)
    assert reported.data["deadline"] == timezone.localtime(_end_of(day)).isoformat()


def test_a_holiday_rectify_day_ends_with_the_next_working_day(iw):
    holiday = _holiday_after(timezone.localdate())
    made = inspect(iw, findings=[finding(rectify_by=holiday)])
    assert made.findings.get().case.deadline == _end_of(deadlines.next_workday(holiday))
    assert rectify_deadline(holiday) == _end_of(deadlines.next_workday(holiday))


def test_a_finding_without_a_rectify_day_leaves_the_deadline_to_the_hand_over(iw):
    made = inspect(iw, findings=[finding()])
    assert made.findings.get().case.deadline is None


def test_the_first_hand_over_keeps_the_rectify_deadline(iw):
    world = iw.world
    day = _workday_after(timezone.localdate(), 20)
    case = inspect(iw, findings=[finding(rectify_by=day)]).findings.get().case
    case = cases.triage_and_assign(
        case,
        actor=world.dispatcher,
        category=None,
        priority=case.priority,
        lead_unit=world.dept,
    )
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.deadline == _end_of(day)


def test_a_deadline_named_at_hand_over_wins(iw):
    world = iw.world
    day = _workday_after(timezone.localdate(), 20)
    named = _end_of(_workday_after(timezone.localdate(), 3))
    case = inspect(iw, findings=[finding(rectify_by=day)]).findings.get().case
    case = cases.triage_and_assign(
        case,
        actor=world.dispatcher,
        category=None,
        priority=case.priority,
        lead_unit=world.dept,
        deadline=named,
    )
    case.refresh_from_db()
    assert case.deadline == named


def test_a_rectify_day_in_the_past_is_refused(iw):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        inspect(
            iw,
            inspected_on=today - timedelta(days=5),
            findings=[finding(rectify_by=today - timedelta(days=1))],
        )
    assert exc.value.error_dict["findings.0.rectify_by"][0].code == "past"
    assert "整改期限已过" in exc.value.error_dict["findings.0.rectify_by"][0].messages[0]
    assert not Case.objects.exists()


def test_a_past_weekend_day_is_refused_though_its_deadline_rolls_to_monday(iw):
    sunday = timezone.make_aware(datetime.combine(date(2026, 12, 6), time(10, 0)))
    with time_machine.travel(sunday, tick=False):
        saturday = timezone.localdate() - timedelta(days=1)
        assert saturday.weekday() == 5 and rectify_deadline(saturday) > timezone.now()
        with pytest.raises(ValidationError) as exc:
            inspect(iw, campaign=None, inspected_on=saturday - timedelta(days=2),
                    findings=[finding(rectify_by=saturday)])  # fmt: skip
    assert exc.value.error_dict["findings.0.rectify_by"][0].code == "past"


def test_today_is_refused_once_the_working_day_is_over(iw):
    day = _workday_after(timezone.localdate(), 3)
    evening = timezone.make_aware(datetime.combine(day, time(18, 30)))
    with time_machine.travel(evening, tick=False):
        with pytest.raises(ValidationError) as exc:
            inspect(iw, campaign=None, inspected_on=day, findings=[finding(rectify_by=day)])
        assert exc.value.error_dict["findings.0.rectify_by"][0].code == "past"
        tomorrow = day + timedelta(days=1)
        made = inspect(iw, campaign=None, inspected_on=day, findings=[finding(rectify_by=tomorrow)])
    assert made.findings.get().case.deadline == _end_of(deadlines.next_workday(day))


def test_the_engine_refuses_a_past_deadline_at_intake(iw):
    with pytest.raises(ValidationError) as exc:
        cases.report_case(
            actor=iw.world.grid_worker,
            case_type=CaseType.objects.get(code="hazard"),
            region=iw.world.grid,
            title="燃气软管老化",
            description="燃气软管老化开裂。",
            deadline=timezone.now() - timedelta(minutes=1),
        )
    assert exc.value.error_dict["deadline"][0].code == "past"
