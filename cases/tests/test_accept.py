"""``accept_case``: the lead unit signs for the case and handling starts."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import CaseAssignment, Status
from cases.tests.helpers import assert_event, fresh, local, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_accepting_starts_handling_and_stamps_the_lead_assignment(world, clock):
    case = world.assigned()
    clock.move_to(local(2026, 9, 14, 11))
    case = fresh(services.accept_case(case, actor=world.handler))
    assert (case.status, case.accepted_at, case.version) == (
        Status.IN_PROGRESS,
        local(2026, 9, 14, 11),
        4,
    )
    assert CaseAssignment.objects.get(case=case, is_lead=True).accepted_at == local(2026, 9, 14, 11)
    assert_event(
        case,
        "accepted",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.IN_PROGRESS,
        data={},
    )
