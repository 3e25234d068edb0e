"""One JSON error shape for every failure, with the right status, never HTML or a bare 500."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from api.tests.helpers import assert_error, case_url
from cases import moves


def test_malformed_json_is_a_400(world, client_for):
    response = client_for(world.dispatcher).post(
        "/api/v1/cases/", data=b'{"title": ', content_type="application/json"
    )
    body = assert_error(response, 400, "parse_error", field=None)
    assert body["errors"][0]["message"] == "请求体不是有效的 JSON。"


def test_a_lone_surrogate_is_a_400(world, client_for):
    response = client_for(world.dispatcher).post(
        "/api/v1/cases/", data=b'{"title": "\\ud800"}', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_a_json_array_body_is_a_400(world, client_for):
    response = client_for(world.dispatcher).post("/api/v1/cases/", [1, 2], format="json")
    assert_error(response, 400, "invalid", field=None)


def test_a_form_body_is_a_415(world, client_for):
    response = client_for(world.dispatcher).post(
        "/api/v1/cases/", data="title=x", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type", field=None)


def test_an_unsupported_method_is_a_405_with_allow(world, client_for):
    response = client_for(world.dispatcher).delete("/api/v1/cases/")
    assert_error(response, 405, "method_not_allowed", field=None)
    assert "POST" in response["Allow"]


def test_an_unknown_api_path_is_a_json_404_without_credentials():
    paths = ("/api/v1/nothing/", "/api/v2/cases/", "/api/", "/api/v1/cases/abc/")
    # A line break in the path (the fuzzer's find) is no exception.
    for path in (*paths, "/api/v1/organisations/a%0Ab%0Dc/"):
        assert_error(APIClient().get(path), 404, "not_found", field=None)
    hint = assert_error(APIClient().post("/api/v1/cases"), 404, "not_found")
    assert "/api/v1/cases/" in hint["errors"][0]["message_en"]


def test_a_case_outside_scope_and_a_huge_id_are_404(world, client_for):
    hidden = world.report(region=world.other_grid)
    client = client_for(world.grid_worker)
    assert_error(client.get(case_url(hidden.pk)), 404, "not_found")
    assert_error(client.get(case_url(2**70)), 404, "not_found")
    assert_error(client.get("/api/v1/regions/99999999999999999999999/"), 404, "not_found")


def test_an_unexpected_error_is_a_logged_json_500(world, client_for, caplog):
    case = world.report()
    broken = dataclasses.replace(
        moves.CATALOGUE["rejected"], service=mock.Mock(side_effect=RuntimeError("boom"))
    )
    with mock.patch.dict(moves.CATALOGUE, {"rejected": broken}):
        response = client_for(world.dispatcher).post(
            case_url(case.pk, "reject"), {"version": 1, "reason": "x"}, format="json"
        )
    assert_error(response, 500, "server_error", field=None)
    assert "boom" not in response.content.decode()
    assert any("Unexpected error" in r.message for r in caplog.records)


def test_lowered_rates_answer_429_with_retry_after(world, client_for):
    rates = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "2/min"},
    }
    with override_settings(REST_FRAMEWORK=rates):
        client = client_for(world.dispatcher)
        assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
        response = client.get("/api/v1/me/")
        body = assert_error(response, 429, "throttled", field=None)
        assert int(response["Retry-After"]) > 0
        assert "seconds" in body["errors"][0]["message_en"]
        # Another user has its own count.
        assert client_for(world.handler).get("/api/v1/me/").status_code == 200


def test_the_default_rates_do_not_get_in_the_way(world, client_for):
    client = client_for(world.dispatcher)
    assert all(client.get("/api/v1/me/").status_code == 200 for _ in range(50))


ENGINE_SOURCES = ("cases/services.py", "cases/forms.py", "cases/moves.py", "cases/models.py")


def test_every_engine_and_catalogue_message_has_english_in_the_catalogue():
    """The API's ``message_en`` comes from locale/en: a new message needs its translation there
    (``makemessages -l en``, then ``compilemessages``)."""
    root = Path(settings.BASE_DIR)
    messages = set()
    for name in ENGINE_SOURCES:
        source = (root / name).read_text(encoding="utf-8")
        messages |= set(re.findall(r'_\(\s*"([^"]+)"', source))
    with translation.override("en"):
        missing = sorted(m for m in messages if translation.gettext(m) == m)
    assert not missing, f"add English to locale/en/LC_MESSAGES/django.po for: {missing}"


def test_an_engine_refusal_renders_its_placeholders_in_both_languages(world, client_for):
    case = world.report()
    response = client_for(world.admin).post(
        case_url(case.pk, "accept"), {"version": case.version}, format="json"
    )
    item = assert_error(response, 409, "invalid_transition")["errors"][0]
    label = case.case_type.label(case.status)
    assert item["message"] == f"事项当前为“{label}”，不能执行该操作。"
    assert item["message_en"] == f"The case is currently “{label}”; this action is not allowed."


@pytest.mark.parametrize(
    "message", ["该字段是必填项。", "This field is required."], ids=["zh", "en"]
)
def test_message_is_chinese_whatever_the_client_asks(world, client_for, message):
    language = "zh-hans" if message.startswith("该") else "en"
    response = client_for(world.dispatcher).post(
        "/api/v1/cases/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    item = assert_error(response, 400, "required", field="title")["errors"]
    title = next(e for e in item if e["field"] == "title")
    assert (title["message"], title["message_en"]) == (
        "该字段是必填项。",
        "This field is required.",
    )


def test_the_server_error_handler_answers_json_for_api_paths(rf):
    from api.views import server_error

    response = server_error(rf.get("/api/v1/cases/"))
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body["errors"][0]["code"] == "server_error"
    assert server_error(rf.get("/admin/"))["Content-Type"].startswith("text/html")
