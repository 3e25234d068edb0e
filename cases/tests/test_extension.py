"""``request_extension``, ``approve_extension`` and ``refuse_extension``: one later deadline,
asked for in time."""

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


def test_requesting_an_extension_records_the_new_date(world, clock):
    until = local(2026, 9, 25, 17)
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=until, reason="需协调供电公司。"
    )
    case = fresh(case)
    assert (case.pending_extension_until, case.deadline, case.status) == (
        until,
        FIVE_WORKING_DAYS_LATER,
        Status.ASSIGNED,
    )
    assert_event(
        case,
        "extension_requested",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="需协调供电公司。",
        # The clock stands while the centre decides (cases.clocks).
        data={"until": until.isoformat(), "clock": "paused"},
    )
    assert case.clock_paused_at == case.events.last().created_at


def test_an_extension_needs_a_reason_and_a_later_date(world, clock):
    case = world.assigned()
    assert_refused(
        ValidationError,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 25, 17), reason=""
        ),
        case,
    )
    assert_refused(
        ValidationError,
        lambda: services.request_extension(
            case, actor=world.handler, until=FIVE_WORKING_DAYS_LATER, reason="需协调"
        ),
        case,
    )


def test_a_second_request_while_one_is_pending_is_refused(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    assert_refused(
        services.InvalidTransition,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 30, 17), reason="再延"
        ),
        case,
    )


def test_no_extension_can_be_requested_after_the_deadline(world, clock):
    case = world.assigned()
    clock.move_to(FIVE_WORKING_DAYS_LATER + timedelta(minutes=1))
    assert_refused(
        services.InvalidTransition,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 30, 17), reason="来不及"
        ),
        case,
    )


def test_an_extension_is_granted_only_once(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    case = services.approve_extension(case, actor=world.dispatcher)
    assert_refused(
        services.InvalidTransition,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 30, 17), reason="再延"
        ),
        case,
    )


def test_approving_an_extension_moves_the_deadline_and_clears_the_overdue_flags(world, clock):
    until = local(2026, 9, 25, 17)
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=until, reason="需协调"
    )
    clock.move_to(FIVE_WORKING_DAYS_LATER + timedelta(hours=1))
    case = services.mark_overdue(services.remind_case(case))
    tasks_before = deadline_checks().count()
    case = services.approve_extension(case, actor=world.dispatcher, note="同意")
    case = fresh(case)
    assert (case.deadline, case.pending_extension_until, case.extension_count) == (until, None, 1)
    assert (case.is_overdue, case.reminded_at) == (False, None)
    assert_event(
        case,
        "extension_approved",
        actor=world.dispatcher,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="同意",
        data={
            "from": FIVE_WORKING_DAYS_LATER.isoformat(),
            "to": until.isoformat(),
            # The clock stood Mon 10:00 to Sun 18:00 (47 working hours, the 20th a make-up
            # workday): it runs again, the finish is the approved date.
            "clock": "resumed",
            "paused_hours": 47.0,
            "deadline": until.isoformat(),
        },
    )
    assert case.clock_paused_at is None
    # The case's overdue check moves with the deadline.
    assert deadline_checks().count() == tasks_before + 1
    assert deadline_checks().order_by("-enqueued_at").first().run_after == until


def test_approving_or_refusing_without_a_request_is_refused(world, clock):
    case = world.assigned()
    assert_refused(
        services.InvalidTransition,
        lambda: services.approve_extension(case, actor=world.dispatcher),
        case,
    )
    assert_refused(
        services.InvalidTransition,
        lambda: services.refuse_extension(case, actor=world.dispatcher, reason="不同意"),
        case,
    )


def test_refusing_an_extension_keeps_the_deadline(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    case = services.refuse_extension(case, actor=world.dispatcher, reason="时限内可完成。")
    case = fresh(case)
    assert (case.deadline, case.pending_extension_until, case.extension_count) == (
        FIVE_WORKING_DAYS_LATER,
        None,
        0,
    )
    assert_event(
        case,
        "extension_refused",
        actor=world.dispatcher,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="时限内可完成。",
    )


def test_refusing_an_extension_needs_a_reason(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    assert_refused(
        ValidationError,
        lambda: services.refuse_extension(case, actor=world.dispatcher, reason=""),
        case,
    )
