"""``reopen_case``: a verified case handled again, counted as rework when the visit failed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Satisfaction, Status
from cases.tests.helpers import (
    assert_event,
    assert_refused,
    deadline_checks,
    fresh,
    local,
    module_world_fixture,
)

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_reopening_after_a_failed_visit_counts_rework_and_restarts_the_clock(world, clock):
    case = world.verified(passed=False)
    clock.move_to(local(2026, 9, 15, 10))
    tasks_before = deadline_checks().count()
    case = fresh(services.reopen_case(case, actor=world.dispatcher, reason="群众不满意，重办。"))
    new_deadline = local(2026, 9, 21, 17)  # 16, 17, 18, 20 (make-up Sunday), 21
    assert (case.status, case.reopen_count, case.rework_count, case.deadline) == (
        Status.IN_PROGRESS,
        1,
        1,
        new_deadline,
    )
    assert (
        case.visit_valid,
        case.visit_contacted,
        case.visit_resolved,
        case.visit_satisfaction,
    ) == (
        False,
        None,
        None,
        "",
    )
    assert case.lead_unit == world.dept
    assert_event(
        case,
        "reopened",
        actor=world.dispatcher,
        from_status=Status.VERIFIED,
        to_status=Status.IN_PROGRESS,
        reason="群众不满意，重办。",
        data={"rework": True, "deadline": new_deadline.isoformat()},
    )
    assert deadline_checks().count() == tasks_before + 1


def test_reopening_after_a_passed_visit_is_not_rework(world, clock):
    case = services.reopen_case(world.verified(), actor=world.dispatcher, reason="领导要求复查")
    assert (case.reopen_count, case.rework_count) == (1, 0)


def test_reopening_needs_a_reason(world, clock):
    case = world.verified(passed=False)
    assert_refused(
        ValidationError, lambda: services.reopen_case(case, actor=world.dispatcher, reason=""), case
    )


def test_a_case_resolved_on_the_spot_cannot_be_reopened(world, clock):
    case = services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="已处理")
    case = services.return_visit(
        case,
        actor=world.grid_worker,
        reached=True,
        contacted=True,
        resolved=False,
        satisfaction=Satisfaction.UNSATISFIED,
    )
    assert_refused(
        services.InvalidTransition,
        lambda: services.reopen_case(case, actor=world.dispatcher, reason="不满意"),
        case,
    )
