"""``reject_case``: a case refused at intake, closed with its reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Status
from cases.tests.helpers import MONDAY, assert_event, assert_refused, fresh, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_rejecting_closes_the_case_with_the_reason(world, clock):
    case = services.reject_case(
        world.report(), actor=world.dispatcher, reason="属司法程序，不予受理。"
    )
    case = fresh(case)
    assert (case.status, case.closed_at, case.version) == (Status.REJECTED, MONDAY, 2)
    assert_event(
        case,
        "rejected",
        actor=world.dispatcher,
        from_status=Status.REPORTED,
        to_status=Status.REJECTED,
        reason="属司法程序，不予受理。",
    )


def test_rejecting_needs_a_reason(world, clock):
    case = world.report()
    assert_refused(
        ValidationError, lambda: services.reject_case(case, actor=world.dispatcher, reason=""), case
    )
