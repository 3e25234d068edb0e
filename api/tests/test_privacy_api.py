"""个人信息保护 through the API: 对承办单位保密 at creation and on every read of the case (the
requester's name and phone, the reporter, the timeline's actors, the imported personal columns),
and the access log written by reading a case's detail, never by a list or a move."""

from __future__ import annotations

import pytest

from api.tests.helpers import case_url
from cases import services
from cases.models import Case, Channel
from privacy.models import Door, RequesterAccess

pytestmark = pytest.mark.django_db


def _anonymous_filed_by_resident(world) -> Case:
    """The resident's own demand, anonymous to the units, assigned to the department."""
    case = world.report(
        actor=world.resident,
        channel=Channel.WEB,
        requester=world.resident.person,
        requester_name="",
        requester_phone="",
        anonymous_to_unit=True,
        region=world.village,
        details={"当事人姓名": "王秀英", "联系电话": "13959001234", "路段": "主路"},
    )
    case = services.triage_case(case, actor=world.dispatcher)
    return services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)


def test_a_case_is_created_anonymous_to_the_units(world, client_for):
    response = client_for(world.grid_worker).post(
        "/api/v1/cases/",
        {
            "case_type": "resident_issue",
            "region": world.grid.code,
            "title": "路灯不亮",
            "description": "第一网格主路三盏路灯不亮。",
            "requester_name": "张三",
            "requester_phone": "13912345678",
            "anonymous_to_unit": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Case.objects.get(pk=response.json()["id"]).anonymous_to_unit is True
    # The reporter still sees whom they registered, and creating is no reading: not logged.
    assert response.json()["requester_phone"] == "13912345678"
    assert not RequesterAccess.objects.exists()


def test_the_lead_unit_reads_an_anonymous_case_masked_everywhere(world, client_for):
    case = _anonymous_filed_by_resident(world)
    response = client_for(world.handler).get(case_url(case.pk))
    assert response.status_code == 200
    data = response.json()
    assert data["requester_name"] == "王**" and data["requester_phone"] == "139****1234"
    assert data["reported_by"]["name"] == "王**"
    assert data["events"][0]["actor"]["name"] == "王**"
    assert data["details"] == {"当事人姓名": "王**", "联系电话": "139****1234", "路段": "主路"}
    assert "王秀英" not in response.content.decode()
    assert "13959001234" not in response.content.decode()
    events = client_for(world.handler).get(case_url(case.pk, "events")).json()["results"]
    assert events[0]["actor"]["name"] == "王**"
    listed = client_for(world.handler).get("/api/v1/cases/").json()["results"]
    assert [row["requester_name"] for row in listed if row["id"] == case.pk] == ["王**"]
    assert not RequesterAccess.objects.exists()  # nothing unmasked was shown


def test_the_dispatcher_reads_it_unmasked_and_the_reading_is_logged(world, client_for):
    case = _anonymous_filed_by_resident(world)
    client = client_for(world.dispatcher)
    data = client.get(case_url(case.pk)).json()
    assert data["requester_name"] == "王秀英" and data["requester_phone"] == "13959001234"
    assert data["reported_by"]["name"] == "王秀英"
    assert data["details"]["联系电话"] == "13959001234"
    [row] = RequesterAccess.objects.all()
    assert (row.user, row.case, row.door) == (world.dispatcher, case, Door.API)
    assert (row.person, row.phone) == (world.resident.person, "13959001234")
    # A second reading is a second row; a 304 shows nothing new and is not logged.
    etag = client.get(case_url(case.pk))["ETag"]
    assert client.get(case_url(case.pk), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert RequesterAccess.objects.count() == 2


def test_lists_events_and_moves_are_not_logged(world, client_for):
    case = services.accept_case(world.assigned(), actor=world.handler)
    dispatcher = client_for(world.dispatcher)
    dispatcher.get("/api/v1/cases/")
    dispatcher.get(case_url(case.pk, "events"))
    response = dispatcher.post(
        case_url(case.pk, "supervise"), {"version": case.version, "note": "请加快。"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["requester_phone"] == "13912345678"  # the move's answer: the case
    assert not RequesterAccess.objects.exists()


def test_the_etag_changes_when_the_case_becomes_anonymous(world, client_for):
    case = world.assigned()
    client = client_for(world.handler)
    etag = client.get(case_url(case.pk))["ETag"]
    Case.objects.filter(pk=case.pk).update(anonymous_to_unit=True)
    response = client.get(case_url(case.pk), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["requester_phone"] == "139****5678"
