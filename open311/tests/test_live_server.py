"""End to end: a live HTTP server on 127.0.0.1 driven by the ``requests`` client, as a real
Open311 client would: discover, read services, create (with a photo), retry, resolve the token,
list, filter, fetch by id, and follow the case's updates while the engine moves it."""

from xml.etree import ElementTree

import pytest
import requests
from pytest_django.live_server_helper import LiveServer

from cases import services
from cases.models import Case, CaseAttachment, Satisfaction
from open311.tests.helpers import DECLARATION, REQUEST_FIELDS, make_key
from people.apikeys import revoke_api_key

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_server_127(transactional_db):
    """A live HTTP server on 127.0.0.1 (pytest-django's helper; its ``live_server`` fixture binds
    to ``localhost`` unless configured), sharing the test database."""
    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


def _xml(response: requests.Response) -> ElementTree.Element:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(DECLARATION)
    return ElementTree.fromstring(response.content)


def test_a_client_creates_lists_filters_fetches_and_follows_a_request(world, live_server_127):
    server = live_server_127
    assert server.url.startswith("http://127.0.0.1:")
    http = requests.Session()
    root = server.url + "/open311/v2"
    key = make_key("hotline-12345")

    discovery = http.get(f"{root}/discovery.json", timeout=10).json()
    base = discovery["endpoints"][0]["url"]
    assert base == root

    services_xml = _xml(http.get(f"{base}/services.xml", timeout=10))
    codes = [s.findtext("service_code") for s in services_xml]
    assert "resident_issue-05" in codes
    definition = http.get(f"{base}/services/resident_issue-05.json", timeout=10).json()
    regions = {v["key"] for v in definition["attributes"][0]["values"]}
    assert "350526100001G1" in regions

    fields = {
        "api_key": key,
        "service_code": "resident_issue-05",
        "attribute[region]": "350526100001G1",
        "attribute[title]": "路灯不亮",
        "lat": "25.492345",
        "long": "118.241234",
        "address_string": "浔中村主路",
        "description": "主路三盏路灯不亮，夜间出行不便。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13912345678",
        "device_id": "phone-1",
        "requested_datetime": "2026-11-24T03:04:05Z",
    }
    photo = ("media", ("路灯.png", b"\x89PNG\r\n\x1a\n....", "image/png"))
    created = http.post(f"{base}/requests.json", data=fields, files=[photo], timeout=10)
    assert created.status_code == 200, created.text
    [answer] = created.json()
    number, token = answer["service_request_id"], answer["token"]
    # The client retries (a lost answer): the same submission, the same case.
    retried = http.post(f"{base}/requests.json", data=fields, files=[photo], timeout=10)
    assert retried.json() == [answer]
    case = Case.objects.get(number=number)
    assert Case.objects.count() == 1
    assert CaseAttachment.objects.get(case=case).name == "路灯.png"

    resolved = _xml(http.get(f"{base}/tokens/{token}.xml", timeout=10))
    assert resolved.find("request/service_request_id").text == number

    listed = http.get(
        f"{base}/requests.json",
        params={"service_code": "resident_issue-05", "status": "open"},
        timeout=10,
    ).json()
    assert [r["service_request_id"] for r in listed] == [number]
    assert http.get(f"{base}/requests.json", params={"status": "closed"}, timeout=10).json() == []

    [fetched] = _xml(http.get(f"{base}/requests/{number}.xml", timeout=10))
    assert [child.tag for child in fetched] == REQUEST_FIELDS
    assert fetched.findtext("description") == "主路三盏路灯不亮，夜间出行不便。"
    assert fetched.findtext("address_id") == "350526100001G1"
    assert "张三" not in http.get(f"{base}/requests/{number}.xml", timeout=10).text

    case = services.triage_case(case, actor=world.dispatcher, category=world.category())
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    case = services.accept_case(case, actor=world.handler)
    case = services.answer_case(case, actor=world.handler, answer="已更换灯泡，恢复照明。")
    case = services.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    services.close_case(case, actor=world.dispatcher)

    updates = http.get(
        f"{base}/servicerequestupdates.json", params={"service_request_id": number}, timeout=10
    ).json()
    assert [u["description"] for u in updates] == [
        "收集",
        "汇总研判",
        "交办：由德化县人力资源和社会保障局主办",
        "办理",
        "反馈：已更换灯泡，恢复照明。",
        "回访",
        "销号",
    ]
    assert updates[0]["media_url"].startswith(f"{server.url}/cases/{case.pk}/attachments/")
    assert updates[-1]["status"] == "closed"

    [closed] = http.get(f"{base}/requests.json", params={"status": "closed"}, timeout=10).json()
    assert closed["service_request_id"] == number
    assert closed["status_notes"] == "销号：已更换灯泡，恢复照明。"
    assert closed["agency_responsible"] == "德化县人力资源和社会保障局"

    revoke_api_key("hotline-12345")
    refused = http.post(f"{base}/requests.xml", data=fields, timeout=10)
    assert refused.status_code == 403
    assert _xml(refused).findtext("error/code") == "403"
