"""Hostile input is a 4xx in the one error shape, never a 500: bodies too large for memory,
JSON nested deeper than any request needs, NUL characters in query parameters and cursors."""

from __future__ import annotations

import base64
import json

import pytest

from api.tests.helpers import assert_error
from cases.models import Case
from cases.tests.helpers import module_world_fixture
from cases.tests.world import make_user
from people.models import Household, Person, Role, RoleAssignment
from people.validators import id_check_digit

module_world = module_world_fixture()
DJANGO_DEFAULT_LIMIT = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


@pytest.fixture
def world(module_world, db):
    return module_world


def new_case(world, **overrides) -> dict:
    return {
        "case_type": "resident_issue",
        "region": world.grid.code,
        "title": "路灯不亮",
        "description": "第一网格主路三盏路灯不亮。",
        "requester_name": "张三",
        "requester_phone": "13912345678",
        **overrides,
    }


def post_raw(client, body: bytes, url: str = "/api/v1/cases/"):
    return client.post(url, data=body, content_type="application/json")


# --- Size -------------------------------------------------------------------------------------


def test_a_5_mb_body_is_a_413_before_it_is_parsed(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = DJANGO_DEFAULT_LIMIT
    body = json.dumps(new_case(world, description="路" * (5 * 1024 * 1024 // 3))).encode()
    assert len(body) > 5_000_000
    response = post_raw(client_for(world.grid_worker), body)
    error = assert_error(response, 413, "too_large", field=None)["errors"][0]
    assert error["message"] == "请求体过大，不能超过 2.5 MB。"
    assert error["message_en"] == "The request body is too large; the limit is 2.5 MB."
    assert not Case.objects.exists()


def test_the_limit_is_djangos_upload_setting(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    body = json.dumps(new_case(world)).encode()
    exact = body + b" " * (4096 - len(body))  # JSON allows trailing whitespace
    response = post_raw(client_for(world.grid_worker), exact)
    assert response.status_code == 201, response.json()
    assert_error(post_raw(client_for(world.grid_worker), exact + b" "), 413, "too_large")


def test_a_413_also_guards_the_registries(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"name": "王五", "address": "浔中" * 600}).encode()
    assert_error(post_raw(client_for(world.admin), body, "/api/v1/people/"), 413, "too_large")


# --- Depth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_json_nested_beyond_the_interpreters_limit_is_a_400(world, client_for, depth):
    body = b"[" * depth + b"]" * depth
    assert_error(post_raw(client_for(world.grid_worker), body), 400, "too_deep", field=None)


def test_json_nested_deeper_than_32_levels_is_a_400(world, client_for):
    nested: object = "x"
    for _ in range(32):
        nested = [nested]
    client = client_for(world.grid_worker)
    response = client.post("/api/v1/cases/", new_case(world, details={"a": nested}), format="json")
    body = assert_error(response, 400, "too_deep", field=None)
    assert body["errors"][0]["message_en"] == (
        "The request body is nested too deeply (at most 32 levels)."
    )
    shallow = new_case(world, details={"a": [[["x"]]]})
    assert client.post("/api/v1/cases/", shallow, format="json").status_code == 201


# --- NUL characters ---------------------------------------------------------------------------

NUL_PARAMETERS = [
    ("/api/v1/cases/?q=%E8%B7%AF%00", "q"),
    ("/api/v1/cases/?number=LX%00", "number"),
    ("/api/v1/cases/?region=3505%00", "region"),
    ("/api/v1/cases/?page_size=%00", "page_size"),
    ("/api/v1/cases/?unknown=%00", "unknown"),
    ("/api/v1/events/?kind=%00", "kind"),
    ("/api/v1/regions/?q=%00", "q"),
    ("/api/v1/regions/?under=%00", "under"),
    ("/api/v1/organisations/?q=%00", "q"),
    ("/api/v1/enterprises/?industry=%00", "industry"),
    ("/api/v1/people/?region=%00", "region"),
    ("/api/v1/households/?tag=%00", "tag"),
    ("/api/v1/household-tags/?q=%00", "q"),
]


@pytest.fixture
def lister(world):
    user = make_user("lister", Role.DISPATCHER, region=world.county)
    RoleAssignment.objects.create(user=user, role=Role.ADMIN)
    return user


@pytest.mark.parametrize(("url", "field"), NUL_PARAMETERS)
def test_a_nul_character_in_a_query_parameter_is_a_400(world, client_for, lister, url, field):
    response = client_for(lister).get(url)
    assert_error(response, 400, "null_characters_not_allowed", field=field)


def test_a_nul_character_in_a_parameter_name_is_a_400(world, client_for, lister):
    response = client_for(lister).get("/api/v1/households/?a%00b=1")
    assert_error(response, 400, "null_characters_not_allowed", field="a\x00b")


@pytest.mark.parametrize("endpoint", ["regions", "people", "cases"])
def test_a_cursor_holding_a_nul_character_is_a_400(world, client_for, lister, endpoint):
    # A made-up cursor whose position is "\x00": on PostgreSQL a text comparison with it fails.
    cursor = base64.b64encode(b"p=%00&r=0").decode()
    response = client_for(lister).get(f"/api/v1/{endpoint}/?cursor={cursor}")
    assert_error(response, 400, "invalid", field="cursor")


# --- Phones and ID numbers in the registries ---------------------------------------------------
# The same checks as the Excel importer (``people.validators``, used by ``ledgers.fields``).

ID_17 = "35052619850315001"
VALID_ID = ID_17 + id_check_digit(ID_17)
WRONG_CHECK = ID_17 + ("0" if VALID_ID[17] != "0" else "1")


@pytest.mark.parametrize(
    ("body", "field", "code", "message_en"),
    [
        ({"id_number": WRONG_CHECK}, "id_number", "checksum", "Wrong check digit"),
        ({"id_number": "3505261985"}, "id_number", "length", "Must be 18 characters (currently 10)"),
        ({"id_number": "350526198513150011"}, "id_number", "birth_date",
         "Invalid date of birth: 19851315"),
        ({"phone": "0595-2350000"}, "phone", "invalid",
         "Must be an 11-digit mobile number starting with 1 (currently “05952350000”)"),
    ],
)  # fmt: skip
def test_a_person_with_a_bad_id_number_or_mobile_is_a_400(
    world, client_for, body, field, code, message_en
):
    response = client_for(world.admin).post("/api/v1/people/", {"name": "王五", **body})
    error = assert_error(response, 400, code, field=field)["errors"][0]
    assert error["message_en"] == message_en
    assert not Person.objects.filter(name="王五").exists()


def test_a_person_is_stored_with_the_id_number_and_mobile_as_the_importer_stores_them(
    world, client_for
):
    client = client_for(world.admin)
    body = {"name": "王五", "phone": "+86 139-1234-5678", "id_number": VALID_ID.lower() + " "}
    response = client.post("/api/v1/people/", body)
    assert response.status_code == 201, response.json()
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.phone, person.id_number) == ("13912345678", VALID_ID)
    response = client.patch(f"/api/v1/people/{person.pk}/", {"phone": "139"})
    assert_error(response, 400, "invalid", field="phone")


def test_a_household_checks_the_heads_id_number_and_its_phone(world, client_for):
    client = client_for(world.admin)
    body = {"head_name": "赵六", "region": world.grid.pk}
    response = client.post("/api/v1/households/", {**body, "head_id_number": WRONG_CHECK})
    assert_error(response, 400, "checksum", field="head_id_number")
    response = client.post("/api/v1/households/", {**body, "phone": "电话"})
    assert_error(response, 400, "invalid", field="phone")
    response = client.post(
        "/api/v1/households/", {**body, "head_id_number": VALID_ID, "phone": "0595-23500000"}
    )
    assert response.status_code == 201, response.json()
    assert Household.objects.get(head_name="赵六").phone == "0595-23500000"


def test_an_organisations_phone_is_checked_like_the_enterprise_ledgers(world, client_for):
    response = client_for(world.admin).patch(
        f"/api/v1/organisations/{world.dept.pk}/", {"phone": "12-34"}
    )
    assert_error(response, 400, "too_short", field="phone")


def test_a_reported_cases_requester_phone_is_checked_like_the_case_ledger(world, client_for):
    client = client_for(world.dispatcher)
    body = {
        "case_type": "resident_issue",
        "region": world.grid.code,
        "title": "路灯不亮",
        "description": "主路路灯不亮。",
        "channel": "hotline",
    }
    response = client.post("/api/v1/cases/", {**body, "requester_phone": "打电话"}, format="json")
    assert_error(response, 400, "invalid", field="requester_phone")
    response = client.post("/api/v1/cases/", {**body, "requester_phone": "12-3"}, format="json")
    assert_error(response, 400, "too_short", field="requester_phone")
    response = client.post(
        "/api/v1/cases/", {**body, "requester_phone": "１３９１２３４５６７８"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["requester_phone"] == "13912345678"  # the importer's normal form


def test_an_id_no_database_key_can_be_and_a_code_with_nul_are_400s(world, client_for):
    """The fuzzer's finds on PostgreSQL: a bigint out of range and a NUL in a region code
    reached the database (a 500 there); both are the field's 400 before any lookup."""
    client = client_for(world.dispatcher)
    body = {
        "case_type": "resident_issue",
        "region": "35\x000526",
        "title": "路灯不亮",
        "description": "村口路灯坏了。",
    }
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "region"
    huge = {**body, "region": world.grid.code, "category": -(2**70)}
    response = client.post("/api/v1/cases/", huge, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "category"
    assert not Case.objects.filter(title="路灯不亮").exists()
