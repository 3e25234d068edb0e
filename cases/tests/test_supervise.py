"""``supervise_case``: each supervision raises the level and leaves the state alone."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Status
from cases.tests.helpers import assert_event, fresh, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_supervising_raises_the_level_without_changing_the_state(world, clock):
    case = services.supervise_case(world.assigned(), actor=world.dispatcher, note="请加快办理")
    case = services.supervise_case(case, actor=world.dispatcher, note="再次督办")
    case = fresh(case)
    assert (case.status, case.supervision_level, case.version) == (Status.ASSIGNED, 2, 5)
    assert_event(
        case,
        "supervised",
        actor=world.dispatcher,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="再次督办",
        data={"level": 2},
    )
