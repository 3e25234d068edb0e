"""对承办单位保密: who reads the requester of a case whose requester asked to stay unknown to the
handling units (``cases.scope.can_see_requester``), and who counts as the requester."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case, Channel
from cases.scope import can_see_requester, names_the_requester

pytestmark = pytest.mark.django_db


def _loaded(case: Case) -> Case:
    return Case.objects.select_related("region", "reported_by__person").get(pk=case.pk)


def _co_assigned(world, **overrides) -> Case:
    case = services.triage_case(world.report(**overrides), actor=world.dispatcher)
    return services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )


def test_report_case_stores_the_wish(world):
    assert world.report(anonymous_to_unit=True).anonymous_to_unit is True
    assert world.report().anonymous_to_unit is False


def test_the_lead_unit_sees_an_ordinary_requester_but_not_an_anonymous_one(world):
    ordinary = _loaded(_co_assigned(world))
    anonymous = _loaded(_co_assigned(world, anonymous_to_unit=True))
    assert can_see_requester(world.handler, ordinary)
    assert not can_see_requester(world.handler, anonymous)
    # A co-unit never sees the requester, anonymous or not.
    assert not can_see_requester(world.other_handler, ordinary)
    assert not can_see_requester(world.other_handler, anonymous)


def test_only_the_desk_the_reporter_and_administrators_see_an_anonymous_requester(world):
    case = _loaded(
        _co_assigned(world, anonymous_to_unit=True, actor=world.operator, channel=Channel.HOTLINE)
    )
    assert can_see_requester(world.dispatcher, case)
    assert can_see_requester(world.admin, case)
    assert can_see_requester(world.operator, case)  # who registered the call
    assert not can_see_requester(world.grid_worker, case)
    assert not can_see_requester(world.leader, case)
    assert not can_see_requester(world.outsider, case)


def test_a_head_of_the_lead_unit_does_not_see_an_anonymous_requester(world):
    from cases.tests.world import make_user
    from people.models import Role

    head = make_user("privacy-head", Role.DEPT_HEAD, organisation=world.dept)
    case = _loaded(_co_assigned(world, anonymous_to_unit=True))
    assert not can_see_requester(head, case)


def test_the_requester_is_the_linked_person_or_the_reporter_under_their_own_name(world):
    person = world.resident.person
    linked = world.report(
        actor=world.resident, channel=Channel.WEB, requester=person, requester_name=""
    )
    assert names_the_requester(world.resident, linked)
    assert not names_the_requester(world.dispatcher, linked)
    own_name = world.report(
        actor=world.resident, channel=Channel.WEB, requester_name=world.resident.display_name
    )
    assert names_the_requester(world.resident, own_name)
    # A grid worker reporting for someone else is not the requester.
    assert not names_the_requester(world.grid_worker, world.report())
    assert not names_the_requester(None, linked)
