"""Identifiers holding a NUL or another control character are a 400, and never reach the database
(PostgreSQL refuses NUL in text: without the check they were a 500 there)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from open311.tests.helpers import BASE, body


def _no_nul_reaches_the_database(queries) -> None:
    assert all("\x00" not in query["sql"] for query in queries.captured_queries)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("requests/LX1%00", "service_request_id"),
        ("tokens/abc%00", "token"),
        ("services/resident_issue%00", "service_code"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_nul_in_a_path_is_a_400(world, client, path, name, fmt):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}{path}.{fmt}")
    assert response.status_code == 400
    _no_nul_reaches_the_database(queries)
    if fmt == "json":
        assert body(response) == [{"code": 400, "description": f"{name} 不能包含控制字符。"}]
    else:
        assert body(response).find("error/code").text == "400"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("requests", {"service_request_id": "LX1\x00"}),
        ("requests", {"service_code": "resident_issue-05\x00"}),
        ("servicerequestupdates", {"service_request_id": "LX1,LX2\x00"}),
        ("requests", {"api_key": "lx_\x00"}),
    ],
)
def test_a_nul_in_an_identifier_of_the_query_string_is_a_400(world, client, path, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}{path}.json", params)
    assert response.status_code == 400
    [error] = body(response)
    assert error["description"] == f"{next(iter(params))} 不能包含控制字符。"
    _no_nul_reaches_the_database(queries)


@pytest.mark.parametrize(
    "fields",
    [{"service_code": "resident_issue-05\x00"}, {"address_id": "350526\x00"}],
)
def test_a_nul_in_an_identifier_of_a_post_is_a_400(world, client, hotline, fields):
    data = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "x",
        **fields,
    }
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"{BASE}requests.json", data)
    assert response.status_code == 400
    _no_nul_reaches_the_database(queries)
    assert not Case.objects.exists()


def test_free_text_only_loses_its_control_characters(world, client, hotline):
    data = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "路灯\x00不亮",
    }
    assert client.post(f"{BASE}requests.json", data).status_code == 200
    assert Case.objects.get().description == "路灯不亮"
