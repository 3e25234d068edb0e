"""``GET /api/v1/dispatch-catalogue/``: the version in force with its lines and their tiers'
clocks, ``?version=N``, who may read it, and precise errors."""

from __future__ import annotations

import pytest
import time_machine

from api.tests.helpers import assert_error
from cases import catalogue
from cases.catalogue import EntryRow
from cases.models import Priority, TimeLimit
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role

URL = "/api/v1/dispatch-catalogue/"
NOW = local(2026, 11, 24, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def versions(world):
    """v1 (retired): the first category → dept; v2 (in force): → other dept, urgent."""
    first = world.category()
    v1 = catalogue.new_draft(actor=world.dispatcher, note="首版")
    catalogue.save_entries(v1, [EntryRow(first, world.dept)], actor=world.dispatcher)
    catalogue.publish(v1, actor=world.dispatcher)
    v2 = catalogue.new_draft(actor=world.admin, note="调整")
    catalogue.save_entries(
        v2, [EntryRow(first, world.other_dept, [world.dept], Priority.URGENT)], actor=world.admin
    )
    catalogue.publish(v2, actor=world.admin)
    return first


def test_the_version_in_force_with_its_lines_and_clocks(world, client_for, versions):
    response = client_for(world.dispatcher).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("version", "status", "note", "created_by", "published_by")} == {
        "version": 2,
        "status": "published",
        "note": "调整",
        "created_by": "admin",
        "published_by": "admin",
    }
    assert body["published_at"].startswith("2026-11-24T")
    urgent = TimeLimit.objects.get(case_type=versions.case_type, priority=Priority.URGENT)
    assert body["entries"] == [
        {
            "category": {
                "id": versions.pk,
                "code": versions.code,
                "name": versions.name,
                "case_type": "resident_issue",
                "is_active": True,
            },
            "lead_unit": {
                "id": world.other_dept.pk,
                "name": world.other_dept.name,
                "short_name": "市场监管局",
            },
            "co_units": [{"id": world.dept.pk, "name": world.dept.name, "short_name": "人社局"}],
            "priority": "urgent",
            "clocks": {
                "sign_hours": urgent.response_hours,
                "contact_hours": urgent.contact_hours,
                "finish_amount": urgent.amount,
                "finish_unit": urgent.unit,
            },
        }
    ]


def test_an_earlier_version_by_its_number(world, client_for, versions):
    body = client_for(world.admin).get(URL, {"version": 1}).json()
    assert (body["version"], body["status"], body["note"]) == (1, "retired", "首版")
    assert body["entries"][0]["lead_unit"]["id"] == world.dept.pk
    assert body["entries"][0]["co_units"] == []
    assert body["entries"][0]["clocks"]["finish_unit"] == "days"


def test_a_draft_and_a_missing_version_are_404(world, client_for, versions):
    catalogue.new_draft(actor=world.dispatcher)
    client = client_for(world.dispatcher)
    assert_error(client.get(URL, {"version": 3}), 404, "not_found")
    assert_error(client.get(URL, {"version": 99}), 404, "not_found")


def test_before_any_version_is_published_it_is_404(world, client_for):
    body = assert_error(client_for(world.dispatcher).get(URL), 404, "no_catalogue")
    assert body["errors"][0]["message"] == "尚未发布派单目录。"


@pytest.mark.parametrize(
    ("version", "code"),
    [("abc", "invalid"), ("0", "min_value"), ("-1", "min_value"), ("99999999999", "max_value")],
)
def test_a_bad_version_is_a_400_naming_the_field(world, client_for, versions, version, code):
    response = client_for(world.dispatcher).get(URL, {"version": version})
    assert_error(response, 400, code, "version")


def test_only_dispatchers_and_administrators_read_it(world, client_for, versions):
    town = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    assert client_for(town).get(URL).status_code == 200
    for user in (world.handler, world.grid_worker, world.leader, world.resident):
        assert_error(client_for(user).get(URL), 403, "permission_denied")


def test_it_only_reads(world, client_for, versions):
    response = client_for(world.admin).post(URL, {}, format="json")
    assert response.status_code == 405
