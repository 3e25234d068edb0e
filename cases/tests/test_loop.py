"""The loop as a whole: every move adds one version and one event, and returns a fresh case."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import CaseEvent, Status
from cases.tests.helpers import fresh, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_every_move_adds_one_version_and_one_event(world, clock):
    case = services.close_case(world.verified(), actor=world.dispatcher)
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    assert fresh(case).version == len(events) == 7
    # Each event starts where the previous one ended: the timeline has no gaps.
    for before, after in zip(events, events[1:], strict=False):
        assert after.from_status == before.to_status


def test_a_move_returns_the_fresh_case_and_leaves_the_callers_copy_alone(world, clock):
    case = world.assigned()
    moved = services.accept_case(case, actor=world.handler)
    assert (moved.status, moved.version) == (Status.IN_PROGRESS, case.version + 1)
    assert case.status == Status.ASSIGNED
