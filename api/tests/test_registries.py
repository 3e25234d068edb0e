"""Registries over the API: who reads, what is masked, only administrators write, and the
models' own rules (region levels, credit codes, unique links) come back as 400s."""

from __future__ import annotations

import pytest

from api.tests.helpers import assert_error
from cases.tests.helpers import module_world_fixture
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import (
    EnterpriseLink,
    Household,
    HouseholdLink,
    HouseholdTag,
    Person,
    Role,
    RoleAssignment,
)
from regions.models import Region, RegionLevel

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def household(world):
    tag = HouseholdTag.objects.create(name="监测对象")
    home = Household.objects.create(
        head_name="李四",
        head_id_number="350526199001011234",
        phone="13912345678",
        address="浔中村第一组12号",
        region=world.grid,
        members=4,
    )
    home.tags.add(tag)
    return home


@pytest.fixture
def resident(world):
    from cases.tests.world import make_user

    user = make_user("resident_user")
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT)
    return user


def test_signed_in_users_read_regions_and_organisations(world, client_for, resident):
    client = client_for(resident)
    regions = client.get("/api/v1/regions/").json()["results"]
    assert [r["code"] for r in regions][:2] == [world.county.code, world.town.code]
    under = client.get(f"/api/v1/regions/?under={world.town.code}").json()["results"]
    assert {r["code"] for r in under} == {world.town.code, world.village.code, world.grid.code}
    orgs = client.get("/api/v1/organisations/?kind=department").json()["results"]
    assert {o["id"] for o in orgs} == {world.dept.pk, world.other_dept.pk}
    enterprises = client.get("/api/v1/enterprises/").json()["results"]
    assert [e["credit_code"] for e in enterprises] == [world.enterprise.credit_code]


def test_people_and_households_are_masked_for_staff(world, client_for, household):
    client = client_for(world.grid_worker)
    home = client.get(f"/api/v1/households/{household.pk}/").json()
    assert home == {
        "id": household.pk,
        "head_name": "李*",
        "head_id_number": "3505**********1234",
        "phone": "139****5678",
        "address": "浔中村第****",
        "region": world.grid.pk,
        "members": 4,
        "tags": ["监测对象"],
    }
    neighbour = Person.objects.create(name="王五", phone="13800000000", region=world.grid)
    person = client.get(f"/api/v1/people/{neighbour.pk}/").json()
    assert person["phone"] == "138****0000"
    assert (
        client.get(f"/api/v1/households/?tag=监测对象&region={world.town.code}").json()["results"][
            0
        ]["id"]
        == household.pk
    )


def test_administrators_see_personal_data_in_full(world, client_for, household):
    home = client_for(world.admin).get(f"/api/v1/households/{household.pk}/").json()
    assert (home["head_name"], home["phone"]) == ("李四", "13912345678")


def test_residents_and_accounts_without_roles_cannot_read_people(world, client_for, resident):
    assert_error(client_for(resident).get("/api/v1/people/"), 403, "permission_denied")
    assert_error(client_for(world.outsider).get("/api/v1/households/"), 403, "permission_denied")


def test_only_administrators_write(world, client_for):
    body = {
        "name": "新网格",
        "code": "350526100001G2",
        "level": RegionLevel.PIECE,
        "parent": world.village.pk,
    }
    assert_error(client_for(world.dispatcher).post("/api/v1/regions/", body, format="json"), 403,
                 "permission_denied")  # fmt: skip
    response = client_for(world.admin).post("/api/v1/regions/", body, format="json")
    assert response.status_code == 201, response.json()
    region = Region.objects.get(code="350526100001G2")
    assert region.path.startswith(world.village.path)
    assert response.json()["path"] == region.path


def test_a_region_must_sit_below_its_parent_and_cannot_move(world, client_for):
    client = client_for(world.admin)
    body = {"name": "错层", "code": "X1", "level": RegionLevel.TOWN, "parent": world.village.pk}
    response = client.post("/api/v1/regions/", body, format="json")
    error = assert_error(response, 400, "invalid", field="level")
    assert (
        error["errors"][0]["message_en"] == "A subregion must be at a lower level than its parent."
    )
    response = client.patch(
        f"/api/v1/regions/{world.grid.pk}/", {"parent": world.other_town.pk}, format="json"
    )
    assert_error(response, 400, "invalid", field="parent")
    response = client.patch(
        f"/api/v1/regions/{world.grid.pk}/", {"population": 1200}, format="json"
    )
    assert response.status_code == 200 and response.json()["population"] == 1200


def test_an_enterprise_needs_a_valid_unique_credit_code(world, client_for):
    client = client_for(world.admin)
    response = client.post("/api/v1/enterprises/", {"name": "无码"}, format="json")
    assert_error(response, 400, "required", field="credit_code")
    response = client.post(
        "/api/v1/enterprises/", {"name": "错码", "credit_code": "91350526MA2Y000010"}, format="json"
    )
    body = assert_error(response, 400, "checksum", field="credit_code")
    assert (
        body["errors"][0]["message_en"] == "The unified social credit code has a wrong check digit."
    )
    response = client.post(
        "/api/v1/enterprises/",
        {"name": "重码", "credit_code": world.enterprise.credit_code},
        format="json",
    )
    assert_error(response, 400, "unique", field="credit_code")
    code = make_credit_code("9", "1", "350526", "MA2Y00002")
    response = client.post(
        "/api/v1/enterprises/",
        {"name": "德化新瓷有限公司", "credit_code": code, "chain": world.chain_committee.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Organisation.objects.get(credit_code=code).kind == OrgKind.ENTERPRISE
    response = client.post(
        "/api/v1/organisations/", {"name": "某企业", "kind": "enterprise"}, format="json"
    )
    assert_error(response, 400, "required", field="credit_code")


def test_links_are_created_once(world, client_for, household):
    client = client_for(world.admin)
    person = Person.objects.create(name="王五", phone="13700000000")
    body = {"person": person.pk, "enterprise": world.enterprise.pk, "kind": "linked_cadre"}
    assert client.post("/api/v1/enterprise-links/", body, format="json").status_code == 201
    assert_error(client.post("/api/v1/enterprise-links/", body, format="json"), 400, "unique")
    assert EnterpriseLink.objects.count() == 1
    not_an_enterprise = {**body, "enterprise": world.dept.pk}
    assert_error(
        client.post("/api/v1/enterprise-links/", not_an_enterprise, format="json"),
        400,
        "does_not_exist",
        field="enterprise",
    )
    body = {"person": person.pk, "household": household.pk, "kind": "party_member"}
    assert client.post("/api/v1/household-links/", body, format="json").status_code == 201
    assert HouseholdLink.objects.get().kind == "party_member"
    links = client_for(world.dispatcher).get(f"/api/v1/household-links/?household={household.pk}")
    assert links.json()["results"][0]["person_name"] == "王*"


def test_households_take_tags_by_name(world, client_for):
    HouseholdTag.objects.create(name="低保")
    client = client_for(world.admin)
    body = {"head_name": "赵六", "region": world.grid.pk, "tags": ["低保"]}
    response = client.post("/api/v1/households/", body, format="json")
    assert response.status_code == 201, response.json()
    assert list(Household.objects.get(head_name="赵六").tags.values_list("name", flat=True)) == [
        "低保"
    ]
    response = client.post("/api/v1/households/", {**body, "tags": ["没有这个"]}, format="json")
    assert_error(response, 400, "does_not_exist", field="tags")


def test_registries_have_no_delete(world, client_for):
    response = client_for(world.admin).delete(f"/api/v1/regions/{world.grid.pk}/")
    assert_error(response, 405, "method_not_allowed")
