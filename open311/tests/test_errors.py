"""Bad input of every kind is an answer in the error format: never a 500, never an HTML page."""

import pytest
from django.test.client import MULTIPART_CONTENT

from cases.models import Case, Channel
from open311.tests.helpers import BASE, body, post, xml_dict


def _is_open311(response) -> bool:
    return response["Content-Type"] in (
        "application/json; charset=utf-8",
        "text/xml; charset=utf-8",
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_wrong_method_is_a_405_in_the_format(world, client, fmt):
    for path, method in (("services", "post"), ("requests", "delete"), ("discovery", "put")):
        response = getattr(client, method)(f"{BASE}{path}.{fmt}")
        assert response.status_code == 405
        assert _is_open311(response)
        assert "GET" in response["Allow"]
    data = body(response)
    if fmt == "json":
        assert data == [{"code": 405, "description": "不支持该请求方法。"}]
    else:
        assert [xml_dict(e) for e in data] == [{"code": "405", "description": "不支持该请求方法。"}]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("nothing.json", "application/json; charset=utf-8"),
        ("nothing.xml", "text/xml; charset=utf-8"),
        ("services.csv", "text/xml; charset=utf-8"),
        ("requests/", "text/xml; charset=utf-8"),
        ("", "text/xml; charset=utf-8"),
    ],
)
def test_an_unknown_path_is_a_404_in_the_format(world, client, path, content_type):
    response = client.get(BASE + path)
    assert response.status_code == 404
    assert response["Content-Type"] == content_type
    assert (
        body(response)[0]["code"]
        if content_type.startswith("application")
        else body(response).tag == "errors"
    )


def test_a_broken_multipart_body_is_a_400(world, client, hotline):
    response = client.post(
        f"{BASE}requests.json?api_key={hotline}",
        data=b'--nope\r\nContent-Disposition: form-data; name="x"\r\n\r\n',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400
    assert body(response) == [
        {"code": 400, "description": "无法解析请求内容，请使用 urlencoded 或 multipart 格式。"}
    ]


def test_a_body_over_the_limit_is_a_400(world, client, hotline, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(f"{BASE}requests.xml", {"api_key": hotline, "description": "长" * 2000})
    assert response.status_code == 400
    assert body(response).find("error/description").text == "请求内容过大。"


def test_control_characters_never_reach_the_database_or_the_xml(world, client, hotline):
    response = post(
        client,
        api_key=hotline,
        service_code="resident_issue-05",
        address_id="350526",
        description="路灯\x00不亮\x0b。",
        device_id="a\x00b",
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.description == "路灯不亮。"
    # Text stored by other ways in may still hold them: XML output drops what XML cannot carry.
    Case.objects.filter(pk=case.pk).update(description="旧数据\x1f内容")
    [request] = body(client.get(f"{BASE}requests/{case.number}.xml", {"api_key": hotline}))
    assert request.find("description").text == "旧数据内容"


HOSTILE = [
    {"page": "-1"},
    {"page_size": "0"},
    {"page": "1e3"},
    {"start_date": "\x00"},
    {"end_date": "9999-99-99"},
    {"start_date": "2026-02-30T00:00:00Z"},
    {"service_request_id": ",,,"},
    {"service_code": "%';--"},
    {"status": ","},
    {"status": "open;drop"},
    {"api_key": "\x00"},
    {"api_key": "' OR 1=1 --"},
    {"jurisdiction_id": "x" * 5000},
]


@pytest.mark.parametrize("params", HOSTILE)
@pytest.mark.parametrize(
    "path",
    [
        "requests",
        "servicerequestupdates",
        "services",
        "discovery",
        "requests/LX1",
        "tokens/x",
        "services/x",
    ],
)
def test_hostile_query_strings_never_break_a_get(world, client, path, params):
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}{path}.{fmt}", params)
        assert response.status_code in (200, 400, 403, 404)
        assert _is_open311(response)
        body(response)  # parses


@pytest.mark.parametrize(
    "fields",
    [
        {"lat": "1e999", "long": "1"},
        {"lat": "-0", "long": "0", "address_id": ""},
        {"lat": "Infinity", "long": "1"},
        {"attribute[region][]": ["350526", "350526100"]},
        {"attribute[title][]": ["a", "b"]},
        {"attribute[]": "x", "attribute[[x]]": "y"},
        {"service_code": "\x00"},
        {"requested_datetime": "2026-11-24T03:04:05Z", "device_id": "\x00\x00"},
        {"first_name": "名" * 30, "last_name": "姓" * 30},
    ],
)
def test_hostile_bodies_never_break_a_post(world, client, hotline, fields):
    base = {
        "api_key": hotline,
        "service_code": "resident_issue-05",
        "address_id": "350526",
        "description": "x",
    }
    for content_type in (None, MULTIPART_CONTENT):
        data = {**base, **fields}
        response = (
            client.post(f"{BASE}requests.json", data, content_type=content_type)
            if content_type
            else client.post(f"{BASE}requests.json", data)
        )
        assert response.status_code in (200, 400, 403, 404), response.content
        assert _is_open311(response)


def test_a_post_with_json_body_is_read_as_no_fields(world, client, hotline):
    # GeoReport v2 posts forms; a JSON body carries no fields, so the key is missing.
    response = client.post(
        f"{BASE}requests.json", {"api_key": hotline}, content_type="application/json"
    )
    assert response.status_code == 403
    assert _is_open311(response)


def test_public_listing_ignores_cases_of_inner_channels_even_by_id(world, client):
    inner = world.report(channel=Channel.MEETING)
    response = client.get(f"{BASE}requests.json", {"service_request_id": inner.number})
    assert body(response) == []


@pytest.mark.parametrize(
    "path", ["discovery", "services", "services/dispute", "requests", "servicerequestupdates"]
)
def test_a_bad_key_is_refused_even_where_a_key_is_optional(world, client, path):
    response = client.get(f"{BASE}{path}.xml", {"api_key": "lx_wrong"})
    assert response.status_code == 403
    assert [xml_dict(e) for e in body(response)] == [
        {"code": "403", "description": "api_key 无效或已吊销。"}
    ]


def test_a_bug_is_a_500_in_the_format_and_is_logged(world, client, monkeypatch, caplog):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr("open311.views.load_services", broken)
    response = client.get(f"{BASE}services.json")
    assert response.status_code == 500
    assert body(response) == [{"code": 500, "description": "服务器内部错误，请稍后重试。"}]
    assert "Open311 GET /open311/v2/services.json failed" in caplog.text
