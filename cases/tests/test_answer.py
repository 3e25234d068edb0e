"""``answer_case``: the answer, its time and whether it came in time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Status
from cases.tests.helpers import (
    FIVE_WORKING_DAYS_LATER,
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


def test_answering_in_time_records_the_answer_and_handling_time(world, clock):
    case = services.accept_case(world.assigned(), actor=world.handler)
    clock.move_to(local(2026, 9, 15, 13, 30))
    case = fresh(services.answer_case(case, actor=world.handler, answer="已维修。"))
    assert (case.status, case.answer, case.answered_at, case.first_answered_at) == (
        Status.ANSWERED,
        "已维修。",
        local(2026, 9, 15, 13, 30),
        local(2026, 9, 15, 13, 30),
    )
    assert case.answered_on_time is True
    assert case.handling_hours == 27.5
    assert_event(
        case,
        "answered",
        actor=world.handler,
        from_status=Status.IN_PROGRESS,
        to_status=Status.ANSWERED,
        reason="已维修。",
    )


def test_answering_after_the_deadline_is_not_on_time(world, clock):
    case = services.accept_case(world.assigned(), actor=world.handler)
    clock.move_to(FIVE_WORKING_DAYS_LATER + timedelta(seconds=1))
    assert (
        services.answer_case(case, actor=world.handler, answer="已维修。").answered_on_time is False
    )


def test_answering_needs_text(world, clock):
    case = services.accept_case(world.assigned(), actor=world.handler)
    assert_refused(
        ValidationError, lambda: services.answer_case(case, actor=world.handler, answer=""), case
    )


def test_a_second_answer_after_reopening_keeps_the_first_answer_time(world, clock):
    case = world.verified(passed=False)
    first = case.first_answered_at
    clock.move_to(local(2026, 9, 16, 10))
    case = services.reopen_case(case, actor=world.dispatcher, reason="群众不满意")
    case = services.answer_case(case, actor=world.handler, answer="重新维修。")
    assert (case.first_answered_at, case.answered_at) == (first, local(2026, 9, 16, 10))
