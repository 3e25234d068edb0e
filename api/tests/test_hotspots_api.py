"""The suggestion endpoints: a case's suggested category and lead unit through the caller's
scope, a text's, the roles that read them, and precise errors on bad input."""

from __future__ import annotations

import pytest

from api.tests.helpers import assert_error
from cases.tests.helpers import local
from cases.tests.world import make_user
from hotspots import suggest
from hotspots.tests.factories import trained
from people.models import Role

NOW = local(2026, 3, 20, 10)
TEXT = "/api/v1/suggestions/"


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    suggest._loaded.clear()
    return tmp_path


@pytest.fixture
def lights(world):
    return world.report(title="路灯不亮", description="村口路灯不亮，夜间漆黑。")


def url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/suggestions/"


def test_before_training_the_lists_are_empty(world, client_for, lights):
    response = client_for(world.dispatcher).get(url(lights.pk))
    assert response.status_code == 200
    assert response.json() == {"categories": [], "units": [], "model": None}


def test_a_case_and_a_text_get_their_suggestions(world, client_for, lights):
    row = trained(world, NOW)
    first, second = world.types["resident_issue"].categories.order_by("code")[:2]
    body = client_for(world.dispatcher).get(url(lights.pk)).json()
    assert body["categories"][0]["id"] == first.pk
    assert body["categories"][0]["case_type"] == "resident_issue"
    assert 0.5 < body["categories"][0]["probability"] <= 1
    assert body["units"][0] == {
        "id": world.other_dept.pk,
        "name": world.other_dept.name,
        "short_name": "市场监管局",
        "probability": body["units"][0]["probability"],
    }
    assert body["model"]["cases_used"] == row.cases_used == 12

    answer = client_for(world.operator).post(TEXT, {"text": "老板拖欠工资三个月"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["categories"][0]["id"] == second.pk
    assert answer.json()["units"][0]["id"] == world.dept.pk
    # Restricted to another case type: none of these categories.
    other = client_for(world.leader).post(
        TEXT, {"text": "路灯不亮", "case_type": "enterprise_demand"}, format="json"
    )
    assert other.json()["categories"] == [] and other.json()["units"]


def test_scope_and_roles(world, client_for, lights):
    trained(world, NOW)
    town2 = make_user("town2_dispatcher", Role.DISPATCHER, region=world.other_town)
    assert_error(client_for(town2).get(url(lights.pk)), 404, "not_found")
    assert_error(client_for(world.dispatcher).get(url(2**63)), 404, "not_found")
    # The grid worker sees the case they reported but does not triage.
    assert_error(client_for(world.grid_worker).get(url(lights.pk)), 403, "permission_denied")
    assert_error(
        client_for(world.resident).post(TEXT, {"text": "路灯"}, format="json"),
        403,
        "permission_denied",
    )
    from rest_framework.test import APIClient

    assert APIClient().post(TEXT, {"text": "路灯"}, format="json").status_code in (401, 403)


def test_bad_input_is_a_precise_400(world, client_for):
    client = client_for(world.dispatcher)
    assert_error(client.post(TEXT, {}, format="json"), 400, "required", "text")
    assert_error(client.post(TEXT, {"text": ""}, format="json"), 400, "blank", "text")
    assert_error(client.post(TEXT, {"text": ["a"]}, format="json"), 400, "invalid", "text")
    assert_error(
        client.post(TEXT, {"text": "a\x00b"}, format="json"),
        400,
        "null_characters_not_allowed",
        "text",
    )
    assert_error(client.post(TEXT, {"text": "字" * 5001}, format="json"), 400, "max_length", "text")
    assert_error(
        client.post(TEXT, {"text": "路灯", "case_type": "nope"}, format="json"),
        400,
        "does_not_exist",
        "case_type",
    )
    assert client.get(TEXT).status_code == 405
