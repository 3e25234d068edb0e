"""Inspections over the API: findings become hazard cases, a refused row saves nothing, a token
makes nothing twice, scope is a 404, campaign totals."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from api.tests.helpers import assert_error
from cases.models import Case
from inspections.models import Inspection
from inspections.tests.helpers import build, finding, inspect

URL = "/api/v1/inspections/"


@pytest.fixture
def iw(world):
    return build(world)


def body(iw, *descriptions: str, **fields) -> dict:
    data = {
        "campaign": iw.campaign.pk,
        "region": iw.world.grid.pk,
        "target_name": "浔中村老街餐饮店",
        "inspected_on": timezone.localdate().isoformat(),
        "findings": [{"description": text, "severity": "major"} for text in descriptions],
    }
    data.update(fields)
    return data


def test_an_inspection_with_two_findings_opens_two_hazard_cases(iw, client_for):
    client = client_for(iw.world.grid_worker)
    answer = client.post(URL, body(iw, "燃气软管老化。", "未装报警器。"), format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["result"] == "hazards" and data["target"] == "浔中村老街餐饮店"
    assert data["inspectors"] == [{"id": iw.world.grid_worker.person_id, "name": "grid_worker"}]
    assert [f["severity"] for f in data["findings"]] == ["major", "major"]
    cases = Case.objects.filter(pk__in=[f["case"] for f in data["findings"]])
    assert {c.case_type.code for c in cases} == {"hazard"}
    assert client.get(f"{URL}{data['id']}/").json() == data


def test_the_same_token_returns_the_inspection_made(iw, client_for):
    client = client_for(iw.world.grid_worker)
    sent = body(iw, "燃气软管老化。", token=str(uuid.uuid4()))
    first = client.post(URL, sent, format="json")
    again = client.post(URL, sent, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Inspection.objects.count() == 1 and Case.objects.count() == 1


def test_a_refused_row_saves_nothing(iw, client_for):
    sent = body(iw, "燃气软管老化。", "未装报警器。")
    sent["findings"][1]["rectify_by"] = (timezone.localdate() - timedelta(days=3)).isoformat()
    answer = client_for(iw.world.grid_worker).post(URL, sent, format="json")
    assert_error(answer, 400, "before_inspection", field="findings.1.rectify_by")
    assert not Inspection.objects.exists() and not Case.objects.exists()


def test_a_place_outside_the_grid_is_a_403(iw, client_for):
    answer = client_for(iw.world.grid_worker).post(
        URL, body(iw, region=iw.world.other_grid.pk), format="json"
    )
    assert_error(answer, 403, "forbidden")


def test_an_unknown_region_is_a_400(iw, client_for):
    answer = client_for(iw.world.grid_worker).post(URL, body(iw, region=999999), format="json")
    body_ = answer.json()
    assert answer.status_code == 400 and body_["errors"][0]["field"] == "region"


def test_another_towns_inspection_is_a_404(iw, client_for):
    made = inspect(iw, actor=iw.town_dispatcher, region=iw.world.other_grid)
    answer = client_for(iw.world.grid_worker).get(f"{URL}{made.pk}/")
    assert answer.status_code == 404


def test_the_campaign_carries_its_totals_by_town(iw, client_for):
    inspect(iw, findings=[finding(), finding("液化气瓶放置在地下室。")])
    client = client_for(iw.world.dispatcher)
    listed = client.get(f"{URL}campaigns/").json()
    assert [c["name"] for c in listed["results"]] == ["城镇燃气安全专项整治"]
    data = client.get(f"{URL}campaigns/{iw.campaign.pk}/").json()
    assert data["towns"] == [
        {
            "town": iw.world.town.pk,
            "town_name": "浔中镇",
            "inspected": 1,
            "found": 2,
            "rectified": 0,
            "rate": 0.0,
        }
    ]
    assert data["total"]["inspected"] == 1 and data["total"]["town"] is None


def test_an_outsider_may_not_read_campaigns(iw, client_for):
    assert_error(client_for(iw.world.outsider).get(f"{URL}campaigns/"), 403, "forbidden")
