"""The briefings over the API: ask, follow, read the numbers with their case filters, download;
scope (another town's briefing is a 404) and precise 400s."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from briefings import services
from briefings.models import Briefing, BriefingStatus
from cases.tests.world import make_user
from people.models import Role

TZ = ZoneInfo("Asia/Shanghai")
APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=TZ)


@pytest.fixture
def march(world):
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        world.report(title="楼道灯坏")
        world.verified()
    return world


def test_ask_follow_read_and_download(march, client_for, django_capture_on_commit_callbacks):
    api = client_for(march.leader)
    with time_machine.travel(APRIL, tick=False), django_capture_on_commit_callbacks(execute=False):
        response = api.post("/api/v1/briefings/", {"kind": "month", "month": 202603}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["docx_url"] is None
    with time_machine.travel(APRIL, tick=False):
        services.make_briefing(Briefing.objects.get(pk=body["id"]))
    detail = api.get(f"/api/v1/briefings/{body['id']}/").json()
    assert detail["status"] == "ready"
    received = detail["figures"]["numbers"]["received"]
    assert received["value"] == 2
    assert received["params"] == {"month": "202603", "metric": "received", "part": "num"}
    with time_machine.travel(APRIL, tick=False):
        cases = api.get("/api/v1/cases/", received["params"]).json()
    assert len(cases["results"]) == 2
    download = api.get(detail["pdf_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert api.get("/api/v1/briefings/").json()["results"][0]["id"] == body["id"]


def test_scope_and_errors(march, client_for):
    officer = make_user("town_officer", Role.DISPATCHER, region=march.town)
    api = client_for(officer)
    with time_machine.travel(APRIL, tick=False):
        county = services.request_briefing(actor=march.leader, kind="month", month=202603)
        refused = api.post(
            "/api/v1/briefings/",
            {"kind": "month", "month": 202603, "region": march.other_town.code},
            format="json",
        )
        future = api.post(
            "/api/v1/briefings/",
            {"kind": "month", "month": 202612, "region": march.town.code},
            format="json",
        )
        wrong = api.post("/api/v1/briefings/", {"kind": "year", "month": "x"}, format="json")
        unknown = api.post(
            "/api/v1/briefings/", {"kind": "month", "month": 202603, "region": "999"}, format="json"
        )
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "region_scope"
    assert future.status_code == 400 and future.json()["errors"][0]["code"] == "future"
    assert wrong.status_code == 400
    assert {e["field"] for e in wrong.json()["errors"]} == {"kind", "month"}
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "region"
    assert api.get(f"/api/v1/briefings/{county.pk}/").status_code == 404
    assert api.get(f"/api/v1/briefings/{county.pk}/pdf/").status_code == 404
    assert api.get("/api/v1/briefings/99999999999999999999/").status_code == 404
    assert county.status == BriefingStatus.PENDING
    assert client_for(march.grid_worker).get("/api/v1/briefings/").status_code == 403
