"""``resolve_on_spot``: a case answered where it was reported, with a dispute's mediation
outcome."""

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


def test_resolving_on_the_spot_answers_the_case_at_once(world, clock):
    case = services.resolve_on_spot(
        world.report(), actor=world.grid_worker, answer="已现场更换灯泡。"
    )
    case = fresh(case)
    assert case.status == Status.ANSWERED
    assert case.resolved_on_spot is True
    assert case.answer == "已现场更换灯泡。"
    assert case.first_answered_at == case.answered_at == MONDAY
    assert case.handling_hours == 0.0
    assert case.version == 2
    assert_event(
        case,
        "resolved_on_spot",
        actor=world.grid_worker,
        from_status=Status.REPORTED,
        to_status=Status.ANSWERED,
        reason="已现场更换灯泡。",
        data={},
    )


def test_resolving_on_the_spot_needs_what_was_done(world, clock):
    case = world.report()
    assert_refused(
        ValidationError,
        lambda: services.resolve_on_spot(case, actor=world.grid_worker, answer=" "),
        case,
    )


def test_a_dispute_resolved_on_the_spot_records_its_mediation_outcome(world):
    case = world.report("dispute")
    case = services.resolve_on_spot(
        case, actor=world.grid_worker, answer="现场调解，双方和解。", mediation_outcome="success"
    )
    case.refresh_from_db()
    assert case.mediation_outcome == "success" and case.resolved_on_spot
    assert case.events.last().data == {"mediation_outcome": "success"}


def test_a_mediation_outcome_on_the_spot_is_refused_for_a_type_without_mediation(world):
    case = world.report()
    with pytest.raises(ValidationError):
        services.resolve_on_spot(
            case, actor=world.grid_worker, answer="已处理", mediation_outcome="success"
        )
    case.refresh_from_db()
    assert case.status == "reported"
