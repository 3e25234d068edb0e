"""``mark_overdue``: the sweep's overdue flag, a system event."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Status
from cases.tests.helpers import FIVE_WORKING_DAYS_LATER, assert_event, fresh, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_marking_overdue_is_a_system_event(world, clock):
    case = fresh(services.mark_overdue(world.assigned()))
    assert (case.is_overdue, case.status, case.version) == (True, Status.ASSIGNED, 4)
    assert_event(
        case,
        "overdue",
        actor=None,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        data={"deadline": FIVE_WORKING_DAYS_LATER.isoformat()},
    )
