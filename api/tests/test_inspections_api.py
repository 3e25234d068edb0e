"""Inspections over the API: findings become hazard cases, a refused row saves nothing, a token
makes nothing twice, scope is a 404, campaign totals."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from api.tests.helpers import assert_error
from cases.models import Case
from inspections.models import Campaign, Inspection, InspectionEvent, InspectionEventKind
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


# --- Opening, changing and ending a campaign ------------------------------------------------

CAMPAIGNS = f"{URL}campaigns/"


def campaign_body(iw, **fields) -> dict:
    today = timezone.localdate()
    data = {
        "name": "自建房安全排查",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=90)).isoformat(),
        "region": iw.world.town.pk,
        "lead_unit": iw.world.dept.pk,
        "description": "逐栋排查。",
    }
    data.update(fields)
    return data


def test_a_dispatcher_opens_a_campaign(iw, client_for):
    answer = client_for(iw.world.dispatcher).post(CAMPAIGNS, campaign_body(iw), format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["name"] == "自建房安全排查" and data["status"] == "active"
    assert data["region"] == iw.world.town.pk and data["lead_unit"] == iw.world.dept.pk
    assert InspectionEvent.objects.filter(
        kind=InspectionEventKind.CAMPAIGN_CREATED, campaign_id=data["id"]
    ).exists()


def test_an_end_before_the_start_is_a_400(iw, client_for):
    sent = campaign_body(iw, ends_on=(timezone.localdate() - timedelta(days=1)).isoformat())
    answer = client_for(iw.world.dispatcher).post(CAMPAIGNS, sent, format="json")
    body_ = assert_error(answer, 400, "before_start", field="ends_on")
    assert "结束日期不能早于开始日期" in body_["errors"][0]["message"]


def test_a_region_outside_the_callers_scope_is_a_403(iw, client_for):
    client = client_for(iw.town_dispatcher)  # over 龙浔镇
    assert_error(client.post(CAMPAIGNS, campaign_body(iw), format="json"), 403, "forbidden")
    assert_error(
        client_for(iw.world.grid_worker).post(CAMPAIGNS, campaign_body(iw)), 403, "forbidden"
    )
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"region": "abc"},
        {"region": 10**12},
        {"starts_on": "2026-13-45"},
        {"name": "长" * 151},
        {"lead_unit": "x"},
        {"status": "finished"},
    ],
)
def test_bad_input_is_a_400(iw, client_for, fields):
    answer = client_for(iw.world.dispatcher).post(
        CAMPAIGNS, campaign_body(iw, **fields), format="json"
    )
    assert answer.status_code == 400, answer.json()
    assert Campaign.objects.count() == 1


def test_an_enterprise_may_not_lead(iw, client_for):
    sent = campaign_body(iw, lead_unit=iw.world.enterprise.pk)
    answer = client_for(iw.world.dispatcher).post(CAMPAIGNS, sent, format="json")
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "lead_unit"


def test_a_patch_changes_what_it_sends(iw, client_for):
    url = f"{CAMPAIGNS}{iw.campaign.pk}/"
    answer = client_for(iw.world.dispatcher).patch(url, {"name": "燃气整治（二期）"}, format="json")
    assert answer.status_code == 200, answer.json()
    data = answer.json()
    assert data["name"] == "燃气整治（二期）" and data["lead_unit"] == iw.world.other_dept.pk
    assert data["ends_on"] == iw.campaign.ends_on.isoformat()
    event = InspectionEvent.objects.get(kind=InspectionEventKind.CAMPAIGN_CHANGED)
    assert event.data["changes"] == {"name": ["城镇燃气安全专项整治", "燃气整治（二期）"]}


def test_a_patch_outside_the_callers_scope_is_a_403(iw, client_for):
    url = f"{CAMPAIGNS}{iw.campaign.pk}/"
    answer = client_for(iw.town_dispatcher).patch(url, {"name": "改名"}, format="json")
    assert_error(answer, 403, "forbidden")
    answer = client_for(iw.world.dispatcher).patch(f"{CAMPAIGNS}999999/", {"name": "x"})
    assert answer.status_code == 404


def test_a_patch_ending_before_the_start_is_a_400(iw, client_for):
    url = f"{CAMPAIGNS}{iw.campaign.pk}/"
    sent = {"ends_on": (iw.campaign.starts_on - timedelta(days=1)).isoformat()}
    answer = client_for(iw.world.dispatcher).patch(url, sent, format="json")
    assert_error(answer, 400, "before_start", field="ends_on")


def test_closing_a_campaign(iw, client_for):
    client = client_for(iw.world.dispatcher)
    url = f"{CAMPAIGNS}{iw.campaign.pk}/close/"
    assert_error(client_for(iw.town_dispatcher).post(url, {}), 403, "forbidden")
    answer = client.post(url, {"note": "按期完成"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "finished"
    assert_error(client.post(url, {}, format="json"), 400, "finished", field="status")
    again = client.patch(f"{CAMPAIGNS}{iw.campaign.pk}/", {"name": "x"}, format="json")
    assert_error(again, 400, "finished")
    logged = client_for(iw.world.grid_worker).post(URL, body(iw), format="json")
    assert_error(logged, 400, "finished", field="campaign")


def test_a_past_rectify_day_is_a_400_and_a_future_one_is_the_case_deadline(iw, client_for):
    from inspections.services import rectify_deadline

    client = client_for(iw.world.grid_worker)
    today = timezone.localdate()
    sent = body(iw, "燃气软管老化。", inspected_on=(today - timedelta(days=4)).isoformat())
    sent["findings"][0]["rectify_by"] = (today - timedelta(days=1)).isoformat()
    assert_error(client.post(URL, sent, format="json"), 400, "past", field="findings.0.rectify_by")
    day = today + timedelta(days=10)
    sent = body(iw, "燃气软管老化。")
    sent["findings"][0]["rectify_by"] = day.isoformat()
    answer = client.post(URL, sent, format="json")
    assert answer.status_code == 201, answer.json()
    case = Case.objects.get(pk=answer.json()["findings"][0]["case"])
    assert case.deadline == rectify_deadline(day)
