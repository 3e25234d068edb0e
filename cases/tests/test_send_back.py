"""``send_back``: a unit returns a case that is not its remit, with a listed reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import CaseAssignment, SendBackReason, Status
from cases.tests.helpers import assert_event, assert_refused, fresh, local, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_sending_back_returns_the_case_to_triage_and_frees_the_unit(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    case = services.send_back(
        case,
        actor=world.handler,
        reason_code=SendBackReason.NOT_REMIT,
        reason="路灯属供电公司管理，依据《电力设施保护条例》。",
    )
    case = fresh(case)
    assert case.status == Status.TRIAGED
    assert (
        case.lead_unit,
        case.deadline,
        case.response_deadline,
        case.pending_extension_until,
    ) == (None,) * 4
    assert (case.send_back_count, case.is_overdue) == (1, False)
    assert not CaseAssignment.objects.filter(case=case, is_active=True).exists()
    assert_event(
        case,
        "sent_back",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.TRIAGED,
        reason="路灯属供电公司管理，依据《电力设施保护条例》。",
        data={"reason_code": "not_remit", "unit": world.dept.pk},
    )


def test_a_sent_back_case_can_be_assigned_to_another_unit(world, clock):
    case = services.send_back(
        world.assigned(),
        actor=world.handler,
        reason_code=SendBackReason.NOT_REMIT,
        reason="不属本单位职责",
    )
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.other_dept)
    assert fresh(case).lead_unit == world.other_dept
    active = CaseAssignment.objects.filter(case=case, is_active=True)
    assert list(active.values_list("unit", flat=True)) == [world.other_dept.pk]
    assert CaseAssignment.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    "code, reason",
    [("whim", "不想办"), (SendBackReason.OTHER, " ")],
    ids=["unlisted reason", "no explanation"],
)
def test_sending_back_needs_a_listed_reason_and_an_explanation(world, clock, code, reason):
    case = world.assigned()
    assert_refused(
        ValidationError,
        lambda: services.send_back(case, actor=world.handler, reason_code=code, reason=reason),
        case,
    )
