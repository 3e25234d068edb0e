"""``remind_case``: the sweep's reminder before a deadline, a system event."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Status
from cases.tests.helpers import (
    FIVE_WORKING_DAYS_LATER,
    MONDAY,
    assert_event,
    fresh,
    module_world_fixture,
)

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_a_reminder_is_a_system_event(world, clock):
    case = fresh(services.remind_case(world.assigned()))
    assert (case.reminded_at, case.status, case.version) == (MONDAY, Status.ASSIGNED, 4)
    assert_event(
        case,
        "reminded",
        actor=None,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        data={"deadline": FIVE_WORKING_DAYS_LATER.isoformat()},
    )
