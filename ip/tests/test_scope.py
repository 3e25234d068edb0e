"""Who reads and writes the IP records, and who records a case's facts."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings

from cases.tests.helpers import local
from cases.tests.world import make_user
from ip import scope
from ip.tests.factories import ip_case, make_action, make_licence, make_officer, make_registration
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import Role


@pytest.fixture
def records(world):
    with time_machine.travel(local(2026, 11, 10, 10), tick=False):
        officer = make_officer(world)
        other = Organisation.objects.create(
            kind=OrgKind.ENTERPRISE,
            name="德化另一陶瓷厂",
            credit_code=make_credit_code("9", "1", "350526", "MA2Y00002"),
        )
        own = make_registration(world, officer)
        theirs = make_registration(world, officer, enterprise=other, number="ZL2026-OTHER")
        licence = make_licence(world, officer)
        other_licence = make_licence(world, officer, licensee=other, number="DHBC-2026-002")
        action = make_action(world, officer)
    return officer, own, theirs, licence, other_licence, action


def test_the_offices_staff_write_and_read_everything(world, records):
    officer = records[0]
    assert scope.may_write(officer) and scope.may_write(world.other_handler)
    assert scope.visible_registrations(officer).count() == 2
    assert scope.visible_actions(officer).count() == 1


def test_dispatchers_and_leaders_read_but_do_not_write(world, records):
    for user in (world.dispatcher, world.leader):
        assert not scope.may_write(user)
        assert scope.visible_registrations(user).count() == 2
        assert scope.visible_licences(user).count() == 2
        assert scope.visible_actions(user).count() == 1


def test_a_liaison_reads_their_own_firms_records_only(world, records):
    _, own, _, licence, _, _ = records
    assert list(scope.visible_registrations(world.liaison)) == [own]
    assert list(scope.visible_licences(world.liaison)) == [licence]
    assert not scope.visible_actions(world.liaison).exists()
    assert scope.may_open(world.liaison) and not scope.may_write(world.liaison)


def test_everyone_else_sees_nothing(world, records):
    for user in (world.outsider, world.resident, world.grid_worker):
        assert not scope.may_open(user)
        assert not scope.visible_registrations(user).exists()
        assert not scope.visible_licences(user).exists()
        assert not scope.visible_actions(user).exists()


def test_a_setting_narrows_the_offices(world, records):
    officer = records[0]
    with override_settings(LIANXIN_IP_OFFICES=("版权局",)):
        assert scope.may_write(officer)
        assert not scope.may_write(world.other_handler)


def test_a_town_dispatcher_records_the_facts_of_a_case_in_the_town(world):
    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    other = make_user("other_dispatcher", Role.DISPATCHER, region=world.other_town)
    case = ip_case(world)
    assert scope.may_record_facts(town_dispatcher, case)
    assert not scope.may_record_facts(other, case)
    assert not scope.may_record_facts(town_dispatcher, world.report())
