"""Who sees which task and which rows: the office all, a unit's staff their own rows, others
nothing."""

from __future__ import annotations

import pytest

from assessment import scope
from assessment.tests.helpers import setup
from cases.tests.world import make_user
from people.models import Role

pytestmark = pytest.mark.django_db


def test_office_sees_every_row(world):
    s = setup(world)
    for user in (world.dispatcher, world.admin, world.leader):
        assert list(scope.visible_tasks(user)) == [s.task]
        assert scope.manages(user, s.task)
        assert scope.visible_rows(user, s.task).count() == 4
        assert scope.reachable_rows(user).count() == 4


def test_unit_staff_see_their_own_rows_only(world):
    s = setup(world)
    assert list(scope.visible_tasks(world.handler)) == [s.task]
    assert not scope.manages(world.handler, s.task)
    rows = scope.visible_rows(world.handler, s.task)
    assert {r.unit_id for r in rows} == {world.dept.pk}
    assert s.other_row not in scope.reachable_rows(world.handler)
    assert scope.reports_for(world.handler, s.row)
    assert not scope.reports_for(world.handler, s.other_row)


def test_others_see_nothing(world):
    s = setup(world)
    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    for user in (world.outsider, world.grid_worker, world.resident, world.liaison, town_dispatcher):
        assert not scope.visible_tasks(user).exists()
        assert not scope.reachable_rows(user).exists()
        assert not scope.manages(user, s.task)


def test_issuing_committee_dispatcher_manages(world):
    s = setup(world)
    committee = make_user("committee", Role.DISPATCHER, organisation=world.chain_committee)
    assert scope.manages(committee, s.task)
    assert scope.reachable_rows(committee).count() == 4


def test_menu_roles(world):
    assert scope.in_menu(world.handler) and scope.in_menu(world.dispatcher)
    assert scope.in_menu(world.admin) and scope.in_menu(world.leader)
    assert not scope.in_menu(world.grid_worker) and not scope.in_menu(world.resident)


def test_admin_reads_but_never_writes(world, client):
    s = setup(world)
    client.force_login(world.admin)
    changelist = client.get("/admin/assessment/breakdown/")
    assert changelist.status_code == 200
    assert client.get(f"/admin/assessment/breakdown/{s.row.pk}/change/").status_code == 200
    assert client.get("/admin/assessment/assessmenttask/add/").status_code == 403
    response = client.post(f"/admin/assessment/breakdown/{s.row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
