import pytest

from households import scope, services
from households.models import AssistancePlan

pytestmark = pytest.mark.django_db


def test_region_roles_read_their_subtree(hh):
    w = hh.world
    assert set(scope.visible_households(w.grid_worker)) == {hh.home}
    assert set(scope.visible_households(w.other_grid_worker)) == {hh.other_home}
    assert set(scope.visible_households(w.dispatcher)) >= {hh.home, hh.other_home}
    assert set(scope.visible_households(w.leader)) >= {hh.home, hh.other_home}


def test_linked_people_read_their_own_households_only(hh):
    assert set(scope.visible_households(hh.party_member)) == {hh.home}
    assert set(scope.visible_households(hh.helper)) == {hh.home}


def test_others_read_nothing(hh):
    w = hh.world
    for user in (w.outsider, w.handler, w.resident, w.liaison):
        assert not scope.visible_households(user).exists()
        assert not scope.is_household_user(user)


def test_the_plans_responsible_cadre_reads_the_household(hh):
    services.create_plan(
        hh.other_home,
        responsible=hh.party_member.person,
        measures=[services.Measure("就业帮扶")],
        actor=hh.world.dispatcher,
    )
    assert AssistancePlan.objects.count() == 1
    assert set(scope.visible_households(hh.party_member)) == {hh.home, hh.other_home}
    assert scope.may_work(hh.party_member, hh.other_home)


def test_who_may_contact(hh):
    w = hh.world
    assert scope.may_contact(w.grid_worker, hh.home)
    assert scope.may_contact(hh.party_member, hh.home)
    assert not scope.may_contact(w.leader, hh.home)
    assert not scope.may_contact(w.other_grid_worker, hh.home)


def test_the_case_page_links_the_household_only_for_its_readers(hh):
    from households.selectors import case_household

    case = hh.world.report(household=hh.home)
    assert case_household(hh.world.grid_worker, case) == hh.home
    assert case_household(hh.world.handler, case) is None
    assert case_household(hh.world.grid_worker, hh.world.report()) is None
