"""``return_visit``: the call-back that verifies an answered case, or that fails to reach the
requester."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Satisfaction, Status
from cases.tests.helpers import (
    MONDAY,
    assert_event,
    assert_refused,
    fresh,
    last_event,
    module_world_fixture,
)

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_a_reached_visit_verifies_the_case(world, clock):
    case = services.return_visit(
        world.answered(),
        actor=world.grid_worker,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASIC,
        note="电话回访",
    )
    case = fresh(case)
    assert case.status == Status.VERIFIED
    assert (
        case.visit_valid,
        case.visit_contacted,
        case.visit_resolved,
        case.visit_satisfaction,
    ) == (
        True,
        True,
        True,
        Satisfaction.BASIC,
    )
    assert (case.visited_at, case.visit_passed) == (MONDAY, True)
    assert_event(
        case,
        "visited",
        actor=world.grid_worker,
        from_status=Status.ANSWERED,
        to_status=Status.VERIFIED,
        reason="电话回访",
        data={"contacted": True, "resolved": True, "satisfaction": "basic", "passed": True},
    )


def test_an_unsatisfied_visit_is_valid_but_not_passed(world, clock):
    case = world.verified(passed=False)
    assert (case.status, case.visit_valid, case.visit_passed) == (Status.VERIFIED, True, False)
    assert last_event(case).data["passed"] is False


def test_a_visit_that_does_not_reach_the_requester_leaves_the_case_waiting(world, clock):
    case = services.return_visit(
        world.answered(), actor=world.grid_worker, reached=False, note="电话无人接听"
    )
    case = fresh(case)
    assert (case.status, case.visit_valid, case.visited_at) == (Status.ANSWERED, False, None)
    assert_event(
        case,
        "visit_failed_to_reach",
        actor=world.grid_worker,
        from_status=Status.ANSWERED,
        to_status=Status.ANSWERED,
        reason="电话无人接听",
    )


@pytest.mark.parametrize("missing", ["contacted", "resolved", "satisfaction"])
def test_a_reached_visit_needs_all_three_answers(world, clock, missing):
    case = world.answered()
    answers = {"contacted": True, "resolved": True, "satisfaction": Satisfaction.SATISFIED}
    answers[missing] = "" if missing == "satisfaction" else None
    assert_refused(
        ValidationError,
        lambda: services.return_visit(case, actor=world.grid_worker, reached=True, **answers),
        case,
    )
