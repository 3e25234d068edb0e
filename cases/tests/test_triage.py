"""``triage_case``: category, priority and risk, set and corrected."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Priority, RiskLevel, Status
from cases.tests.helpers import MONDAY, assert_event, assert_refused, fresh, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def test_triage_sets_the_category_priority_and_risk(world, clock):
    category = world.category("dispute")
    case = services.triage_case(
        world.report("dispute"),
        actor=world.dispatcher,
        category=category,
        priority=Priority.IMPORTANT,
        risk_level=RiskLevel.HIGH,
        note="涉及多户",
    )
    case = fresh(case)
    assert (case.status, case.category, case.priority, case.risk_level, case.triaged_at) == (
        Status.TRIAGED,
        category,
        Priority.IMPORTANT,
        RiskLevel.HIGH,
        MONDAY,
    )
    assert_event(
        case,
        "triaged",
        actor=world.dispatcher,
        from_status=Status.REPORTED,
        to_status=Status.TRIAGED,
        reason="涉及多户",
        data={
            "category": category.pk,
            "priority": Priority.IMPORTANT,
            "risk_level": RiskLevel.HIGH,
        },
    )


def test_triage_can_be_repeated_to_correct_it(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher, priority=Priority.URGENT)
    case = services.triage_case(case, actor=world.dispatcher, priority=Priority.NORMAL)
    assert (case.status, case.priority, case.version) == (Status.TRIAGED, Priority.NORMAL, 3)
    assert_event(
        case,
        "triaged",
        actor=world.dispatcher,
        from_status=Status.TRIAGED,
        to_status=Status.TRIAGED,
    )


@pytest.mark.parametrize(
    "kwargs",
    [{"priority": "whenever"}, {"risk_level": "extreme"}, {"category": "dispute"}],
    ids=["unknown priority", "unknown risk", "category of another type"],
)
def test_triage_refuses_invalid_grading(world, clock, kwargs):
    case = world.report("resident_issue")
    if "category" in kwargs:
        kwargs = {"category": world.category(kwargs["category"])}
    assert_refused(
        ValidationError, lambda: services.triage_case(case, actor=world.dispatcher, **kwargs), case
    )
