"""``close_case``: closing a verified case; after a failed visit only with a written reason."""

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


def test_closing_after_a_passed_visit(world, clock):
    case = fresh(services.close_case(world.verified(), actor=world.dispatcher))
    assert (case.status, case.closed_at) == (Status.CLOSED, MONDAY)
    assert_event(
        case,
        "closed",
        actor=world.dispatcher,
        from_status=Status.VERIFIED,
        to_status=Status.CLOSED,
        data={"visit_passed": True},
    )


def test_closing_after_a_failed_visit_needs_a_written_reason(world, clock):
    case = world.verified(passed=False)
    assert_refused(
        ValidationError, lambda: services.close_case(case, actor=world.dispatcher, note=" "), case
    )
    case = services.close_case(case, actor=world.dispatcher, note="诉求超出政策范围，已解释。")
    assert_event(
        case,
        "closed",
        actor=world.dispatcher,
        from_status=Status.VERIFIED,
        to_status=Status.CLOSED,
        reason="诉求超出政策范围，已解释。",
        data={"visit_passed": False},
    )
