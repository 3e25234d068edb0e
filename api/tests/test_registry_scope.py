"""People, households and household links through the API are read inside the caller's region
subtrees (``people.scope``, the registry pages' rule): a grid worker of one grid neither lists
nor reads the people and households of another (404), a person belongs to ``Person.region``,
administrators and leaders without a region read everything, department staff no one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.tests.helpers import assert_error
from cases.tests.helpers import module_world_fixture
from cases.tests.world import make_user
from people.models import Household, HouseholdLink, Person, Role

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def rows(world):
    """In each grid a person and a household with a link; a cadre with no region at all."""
    made = {}
    for name, grid in (("a", world.grid), ("b", world.other_grid)):
        person = Person.objects.create(name=f"居民{name}", phone="13800000000", region=grid)
        home = Household.objects.create(head_name=f"户主{name}", region=grid)
        link = HouseholdLink.objects.create(person=person, household=home, kind="party_member")
        made[name] = {"person": person, "household": home, "link": link}
    made["nowhere"] = Person.objects.create(name="无区域干部", phone="13800000000")
    return made


def listed(client, collection: str) -> set[int]:
    response = client.get(f"/api/v1/{collection}/?page_size=200")
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def people_in_grids(rows) -> set[int]:
    return {rows["a"]["person"].pk, rows["b"]["person"].pk}


def test_a_grid_worker_lists_only_their_grids_people_households_and_links(world, client_for, rows):
    client = client_for(world.grid_worker)
    assert listed(client, "people") & people_in_grids(rows) == {rows["a"]["person"].pk}
    assert rows["nowhere"].pk not in listed(client, "people")
    assert listed(client, "households") == {rows["a"]["household"].pk}
    assert listed(client, "household-links") == {rows["a"]["link"].pk}
    # A filter cannot widen the scope either.
    response = client.get(f"/api/v1/households/?region={world.county.code}")
    assert {row["id"] for row in response.json()["results"]} == {rows["a"]["household"].pk}


@pytest.mark.parametrize(
    ("collection", "key"),
    [("people", "person"), ("households", "household"), ("household-links", "link")],
)
def test_a_grid_worker_cannot_read_another_grids_row(world, client_for, rows, collection, key):
    client = client_for(world.grid_worker)
    assert client.get(f"/api/v1/{collection}/{rows['a'][key].pk}/").status_code == 200
    response = client.get(f"/api/v1/{collection}/{rows['b'][key].pk}/")
    assert_error(response, 404, "not_found", field=None)


def test_a_village_cadre_reads_the_grids_under_the_village(world, client_for, rows):
    cadre = make_user("cadre", Role.VILLAGE_CADRE, region=world.village)
    assert listed(client_for(cadre), "households") == {rows["a"]["household"].pk}


def test_a_county_dispatcher_reads_both_grids_but_not_people_without_a_region(
    world, client_for, rows
):
    client = client_for(world.dispatcher)
    assert listed(client, "households") == {rows["a"]["household"].pk, rows["b"]["household"].pk}
    seen = listed(client, "people")
    assert people_in_grids(rows) <= seen and rows["nowhere"].pk not in seen


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_administrators_and_leaders_without_a_region_read_everyone(world, client_for, rows, who):
    seen = listed(client_for(getattr(world, who)), "people")
    assert people_in_grids(rows) | {rows["nowhere"].pk} <= seen


def test_a_leader_with_a_region_reads_only_that_region(world, client_for, rows):
    leader = make_user("town_leader", Role.LEADER, region=world.other_town)
    assert listed(client_for(leader), "households") == {rows["b"]["household"].pk}


def test_department_staff_read_no_one(world, client_for, rows):
    client = client_for(world.handler)
    for collection in ("people", "households", "household-links"):
        assert_error(client.get(f"/api/v1/{collection}/"), 403, "permission_denied")
    response = client.get(f"/api/v1/people/{rows['a']['person'].pk}/")
    assert_error(response, 403, "permission_denied")


@pytest.mark.parametrize("collection", ["people", "households", "household-links"])
def test_a_scoped_list_costs_the_same_queries_for_2_rows_and_20(world, client_for, collection):
    # Two region roles: the scope is an OR of two subtree ranges, still no query per row.
    user = make_user("two_grids", Role.GRID_WORKER, region=world.grid)
    user.roles.create(role=Role.GRID_CHIEF, region=world.other_grid)
    client = client_for(user)

    def add(start: int, count: int) -> None:
        for index in range(start, start + count):
            grid = (world.grid, world.other_grid)[index % 2]
            person = Person.objects.create(name=f"人{index}", region=grid)
            home = Household.objects.create(head_name=f"户{index}", region=grid)
            home.tags.create(name=f"标签{index}")
            HouseholdLink.objects.create(person=person, household=home, kind="party_member")

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            seen = listed(client, collection)
        return len(queries), len(seen)

    add(0, 2)
    client.get(f"/api/v1/{collection}/")  # the key's first use records it (one UPDATE)
    few, few_rows = count()
    add(2, 18)
    many, many_rows = count()
    assert many == few and many_rows > few_rows
