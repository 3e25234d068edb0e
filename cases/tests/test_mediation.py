"""``record_mediation``: each mediation session of a dispute and its outcome."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import CaseEvent, MediationOutcome, Status
from cases.tests.helpers import assert_refused, fresh, kinds, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_mediation_records_each_session_and_keeps_the_last_outcome(world, clock):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    case = services.record_mediation(
        case, actor=world.grid_worker, note="第一次调解，双方意见分歧。"
    )
    assert fresh(case).mediation_outcome == ""
    case = services.record_mediation(
        case, actor=world.handler, note="达成协议。", outcome=MediationOutcome.SUCCESS
    )
    case = services.record_mediation(case, actor=world.handler, note="回访协议履行情况。")
    case = fresh(case)
    assert (case.status, case.mediation_outcome) == (Status.IN_PROGRESS, MediationOutcome.SUCCESS)
    assert kinds(case)[-3:] == ["mediated"] * 3
    event = CaseEvent.objects.filter(case=case, kind="mediated").order_by("id")[1]
    assert (event.actor, event.reason, event.data) == (
        world.handler,
        "达成协议。",
        {"outcome": "success"},
    )


def test_mediation_refuses_an_unknown_outcome_or_a_blank_note(world, clock):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    assert_refused(
        ValidationError,
        lambda: services.record_mediation(case, actor=world.handler, note="调解", outcome="won"),
        case,
    )
    assert_refused(
        ValidationError, lambda: services.record_mediation(case, actor=world.handler, note=""), case
    )


def test_mediation_is_refused_for_a_type_without_mediation(world, clock):
    case = world.in_status(Status.IN_PROGRESS, "resident_issue")
    assert_refused(
        services.InvalidTransition,
        lambda: services.record_mediation(case, actor=world.handler, note="调解"),
        case,
    )
