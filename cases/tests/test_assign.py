"""``assign_case``: the lead unit, the co-units and the deadlines from the time limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import CaseAssignment, Status, TimeLimit
from cases.tests.helpers import (
    FIVE_WORKING_DAYS_LATER,
    MONDAY,
    assert_event,
    assert_refused,
    fresh,
    local,
    module_world_fixture,
)

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_assigning_sets_the_lead_unit_co_units_and_deadline_from_the_time_limit(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case,
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
        note="请主办",
    )
    case = fresh(case)
    assert case.status == Status.ASSIGNED
    assert case.lead_unit == world.dept
    assert case.deadline == FIVE_WORKING_DAYS_LATER
    assert case.response_deadline == local(2026, 9, 14, 12)  # two working hours
    assert case.assigned_at == MONDAY
    assert (case.is_overdue, case.reminded_at, case.version) == (False, None, 3)
    units = CaseAssignment.objects.filter(case=case, is_active=True).values_list("unit", "is_lead")
    assert sorted(units) == sorted([(world.dept.pk, True), (world.other_dept.pk, False)])
    assert_event(
        case,
        "assigned",
        actor=world.dispatcher,
        from_status=Status.TRIAGED,
        to_status=Status.ASSIGNED,
        reason="请主办",
        data={
            "lead_unit": world.dept.pk,
            "co_units": [world.other_dept.pk],
            "deadline": FIVE_WORKING_DAYS_LATER.isoformat(),
        },
    )


def test_assigning_with_a_chosen_deadline_uses_it(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    chosen = local(2026, 9, 16, 12)
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept, deadline=chosen)
    assert fresh(case).deadline == chosen


def test_assigning_with_a_deadline_in_the_past_is_refused(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    assert_refused(
        ValidationError,
        lambda: services.assign_case(
            case,
            actor=world.dispatcher,
            lead_unit=world.dept,
            deadline=MONDAY - timedelta(minutes=1),
        ),
        case,
    )


def test_assigning_without_a_time_limit_needs_a_deadline(world, clock):
    TimeLimit.objects.filter(case_type=world.types["resident_issue"]).delete()
    case = services.triage_case(world.report(), actor=world.dispatcher)
    assert_refused(
        ValidationError,
        lambda: services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept),
        case,
    )
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, deadline=local(2026, 9, 18, 17)
    )
    assert case.response_deadline == local(2026, 9, 14, 12)  # two working hours by default
