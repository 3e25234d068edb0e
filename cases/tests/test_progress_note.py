"""``add_progress_note``: a note on the timeline that leaves the state alone."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Status
from cases.tests.helpers import assert_event, assert_refused, fresh, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_a_progress_note_is_recorded_without_changing_the_state(world, clock):
    case = services.add_progress_note(world.assigned(), actor=world.handler, note="已联系供电所。")
    case = fresh(case)
    assert (case.status, case.version) == (Status.ASSIGNED, 4)
    assert_event(
        case,
        "progress_noted",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="已联系供电所。",
    )


def test_a_progress_note_cannot_be_blank(world, clock):
    case = world.assigned()
    assert_refused(
        ValidationError,
        lambda: services.add_progress_note(case, actor=world.handler, note=""),
        case,
    )
