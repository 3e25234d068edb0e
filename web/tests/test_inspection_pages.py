"""The inspection pages: campaigns, totals with their lists, the one-form log, an inspection's
page; permissions, database effect, scope, query pins."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from inspections.models import (
    Campaign,
    CampaignStatus,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionEventKind,
)
from inspections.tests.helpers import build, finding, inspect


@pytest.fixture
def iw(world):
    return build(world)


def _post(iw, client, token=None, **extra):
    world = iw.world
    data = {
        "form_token": str(token or uuid.uuid4()),
        "region": world.grid.pk,
        "target_name": "浔中村老街餐饮店",
        "address": "浔中村老街12号",
        "inspected_on": timezone.localdate().isoformat(),
        "inspectors": [world.grid_worker.person_id],
        "note": "后厨使用瓶装液化气。",
        "findings-TOTAL_FORMS": "2",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "30",
        "findings-0-description": "燃气软管老化开裂。",
        "findings-0-severity": "major",
        "findings-1-description": "",
        "findings-1-severity": "ordinary",
        **extra,
    }
    url = reverse("inspections:inspection-new") + f"?campaign={iw.campaign.pk}"
    return client.post(url, data)


def test_anonymous_users_are_sent_to_sign_in(client, iw):
    response = client.get(reverse("inspections:campaign-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_outsider_is_refused(client, iw):
    client.force_login(iw.world.outsider)
    assert client.get(reverse("inspections:campaign-list")).status_code == 403
    url = reverse("inspections:inspection-new") + f"?campaign={iw.campaign.pk}"
    assert client.get(url).status_code == 403


def test_a_grid_worker_sees_the_campaigns_and_the_form(client, iw):
    client.force_login(iw.world.grid_worker)
    assert (
        "城镇燃气安全专项整治" in client.get(reverse("inspections:campaign-list")).content.decode()
    )
    url = reverse("inspections:inspection-new") + f"?campaign={iw.campaign.pk}"
    page = client.get(url).content.decode()
    assert "登记排查" in page and "第一网格" in page and "龙浔第一网格" not in page


def test_the_form_logs_the_inspection_and_opens_a_case_per_finding(client, iw):
    client.force_login(iw.world.grid_worker)
    response = _post(iw, client)
    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:inspection-detail", args=[inspection.pk])
    assert Finding.objects.get().case.case_type.code == "hazard"
    assert InspectionEvent.objects.filter(
        kind=InspectionEventKind.INSPECTION_LOGGED, inspection=inspection
    ).exists()


def test_a_resubmitted_form_makes_nothing_twice(client, iw):
    client.force_login(iw.world.grid_worker)
    token = uuid.uuid4()
    _post(iw, client, token)
    _post(iw, client, token)
    assert Inspection.objects.count() == 1 and Case.objects.count() == 1


def test_a_refused_row_saves_nothing_and_shows_the_error(client, iw):
    client.force_login(iw.world.grid_worker)
    response = _post(iw, client, **{"findings-0-rectify_by": "2000-01-01"})
    assert response.status_code == 200
    assert "整改期限不能早于排查日期" in response.content.decode()
    assert not Inspection.objects.exists() and not Case.objects.exists()


def test_the_detail_links_each_case(client, iw):
    made = inspect(iw, findings=[finding()])
    client.force_login(iw.world.grid_worker)
    page = client.get(reverse("inspections:inspection-detail", args=[made.pk])).content.decode()
    case_id = made.findings.get().case_id
    assert reverse("caseviews:case-detail", args=[case_id]) in page


def test_another_towns_inspection_is_not_found(client, iw):
    made = inspect(iw, actor=iw.town_dispatcher, region=iw.world.other_grid)
    client.force_login(iw.world.grid_worker)
    response = client.get(reverse("inspections:inspection-detail", args=[made.pk]))
    assert response.status_code == 404


def test_each_total_opens_its_list(client, iw):
    inspect(iw, findings=[finding(), finding("液化气瓶放置在地下室。")])
    inspect(iw)
    client.force_login(iw.world.dispatcher)
    page = client.get(reverse("inspections:campaign-detail", args=[iw.campaign.pk]))
    line = page.context["totals"].lines[0]
    base = f"?campaign={iw.campaign.pk}&town={line.town.pk}"
    listed = client.get(reverse("inspections:inspection-list") + base)
    assert len(listed.context["inspections"]) == line.inspected == 2
    found = client.get(reverse("inspections:finding-list") + base)
    assert len(found.context["findings"]) == line.found == 2
    done = client.get(reverse("inspections:finding-list") + base + "&rectified=1")
    assert len(done.context["findings"]) == line.rectified == 0


def test_the_campaign_page_takes_fixed_queries(client, iw):
    client.force_login(iw.world.dispatcher)
    url = reverse("inspections:campaign-detail", args=[iw.campaign.pk])
    inspect(iw, findings=[finding()])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        inspect(iw, actor=iw.town_dispatcher, region=iw.world.other_grid, findings=[finding()])
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_finding_list_takes_fixed_queries(client, iw):
    client.force_login(iw.world.dispatcher)
    url = reverse("inspections:finding-list") + f"?campaign={iw.campaign.pk}"
    inspect(iw, findings=[finding()])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        inspect(iw, findings=[finding(), finding("配电箱无漏电保护。")])
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_the_inspection_list_takes_fixed_queries(client, iw):
    client.force_login(iw.world.dispatcher)
    url = reverse("inspections:inspection-list") + f"?campaign={iw.campaign.pk}"
    inspect(iw)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        inspect(
            iw,
            actor=iw.world.dispatcher,
            enterprise=iw.world.enterprise,
            region=iw.world.town,
            target_name="",
        )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


# --- Opening, changing and ending a campaign ------------------------------------------------


def _campaign_data(world, **extra):
    today = timezone.localdate()
    return {
        "name": "自建房安全排查",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=90)).isoformat(),
        "region": world.town.pk,
        "lead_unit": world.dept.pk,
        "status": "active",
        "description": "逐栋排查结构安全。",
        **extra,
    }


def test_a_dispatcher_opens_a_campaign_from_the_list(client, iw):
    world = iw.world
    client.force_login(world.dispatcher)
    listing = client.get(reverse("inspections:campaign-list")).content.decode()
    assert reverse("inspections:campaign-new") in listing
    response = client.post(reverse("inspections:campaign-new"), _campaign_data(world))
    made = Campaign.objects.get(name="自建房安全排查")
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:campaign-detail", args=[made.pk])
    assert made.region == world.town and made.lead_unit == world.dept
    assert made.created_by == world.dispatcher
    assert InspectionEvent.objects.filter(
        kind=InspectionEventKind.CAMPAIGN_CREATED, campaign=made
    ).exists()


def test_a_grid_worker_may_not_open_a_campaign(client, iw):
    client.force_login(iw.world.grid_worker)
    listing = client.get(reverse("inspections:campaign-list")).content.decode()
    assert reverse("inspections:campaign-new") not in listing
    assert client.get(reverse("inspections:campaign-new")).status_code == 403
    response = client.post(reverse("inspections:campaign-new"), _campaign_data(iw.world))
    assert response.status_code == 403 and Campaign.objects.count() == 1


def test_an_end_before_the_start_is_refused_in_chinese(client, iw):
    world = iw.world
    client.force_login(world.dispatcher)
    today = timezone.localdate()
    data = _campaign_data(world, ends_on=(today - timedelta(days=1)).isoformat())
    response = client.post(reverse("inspections:campaign-new"), data)
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_a_region_outside_the_users_scope_is_refused_in_chinese(client, iw):
    client.force_login(iw.town_dispatcher)  # over 龙浔镇
    page = client.get(reverse("inspections:campaign-new")).content.decode()
    assert "龙浔镇" in page and "浔中镇" not in page
    response = client.post(reverse("inspections:campaign-new"), _campaign_data(iw.world))
    assert response.status_code == 200
    assert "该区域不在您负责的范围内" in response.content.decode()
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("value", ["abc", "99999999", "", "-1"])
def test_bad_input_answers_the_form_not_a_500(client, iw, value):
    client.force_login(iw.world.dispatcher)
    data = _campaign_data(iw.world, region=value, starts_on=value or "2026-13-45")
    response = client.post(reverse("inspections:campaign-new"), data)
    assert response.status_code == 200 and Campaign.objects.count() == 1


def test_a_dispatcher_changes_the_campaign(client, iw):
    client.force_login(iw.world.dispatcher)
    url = reverse("inspections:campaign-edit", args=[iw.campaign.pk])
    page = client.get(url).content.decode()
    assert 'value="城镇燃气安全专项整治"' in page
    data = _campaign_data(
        iw.world,
        name="城镇燃气安全专项整治（二期）",
        starts_on=iw.campaign.starts_on.isoformat(),
        ends_on=iw.campaign.ends_on.isoformat(),
        region=iw.world.county.pk,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    iw.campaign.refresh_from_db()
    assert iw.campaign.name == "城镇燃气安全专项整治（二期）"
    event = InspectionEvent.objects.get(kind=InspectionEventKind.CAMPAIGN_CHANGED)
    assert event.data["changes"]["name"][1] == "城镇燃气安全专项整治（二期）"


def test_another_regions_campaign_is_not_changed(client, iw):
    client.force_login(iw.town_dispatcher)  # the campaign covers the county
    url = reverse("inspections:campaign-edit", args=[iw.campaign.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _campaign_data(iw.world)).status_code == 403
    close = reverse("inspections:campaign-close", args=[iw.campaign.pk])
    assert client.post(close).status_code == 403
    iw.campaign.refresh_from_db()
    assert iw.campaign.status == CampaignStatus.ACTIVE
    page = client.get(reverse("inspections:campaign-detail", args=[iw.campaign.pk]))
    assert url not in page.content.decode()


def test_a_change_leaving_an_inspection_outside_is_refused_on_the_form(client, iw):
    made = inspect(iw)
    client.force_login(iw.world.dispatcher)
    data = _campaign_data(
        iw.world,
        name=iw.campaign.name,
        starts_on=iw.campaign.starts_on.isoformat(),
        ends_on=(made.inspected_on - timedelta(days=1)).isoformat(),
        region=iw.world.county.pk,
    )
    if made.inspected_on == iw.campaign.starts_on:
        data["starts_on"] = data["ends_on"]
    url = reverse("inspections:campaign-edit", args=[iw.campaign.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert "专项行动期间必须包含它" in response.content.decode()


def test_ending_a_campaign(client, iw):
    client.force_login(iw.world.dispatcher)
    close = reverse("inspections:campaign-close", args=[iw.campaign.pk])
    assert client.get(close).status_code == 405
    response = client.post(close, {"note": "按期完成"})
    assert response.status_code == 302
    iw.campaign.refresh_from_db()
    assert iw.campaign.status == CampaignStatus.FINISHED
    page = client.get(reverse("inspections:campaign-detail", args=[iw.campaign.pk]))
    text = page.content.decode()
    assert "结束专项行动" not in text and "?campaign=" + str(iw.campaign.pk) + '">＋' not in text
    again = client.post(close, follow=True)
    assert "该专项行动已结束" in again.content.decode()
    edit = client.get(reverse("inspections:campaign-edit", args=[iw.campaign.pk]), follow=True)
    assert "该专项行动已结束，不能再修改" in edit.content.decode()


def test_the_campaign_form_is_csrf_protected(iw):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(iw.world.dispatcher)
    response = client.post(reverse("inspections:campaign-new"), _campaign_data(iw.world))
    assert response.status_code == 403 and Campaign.objects.count() == 1


def test_the_rectify_day_becomes_the_case_deadline_and_a_past_one_is_refused(client, iw):
    from cases import deadlines
    from inspections.services import rectify_deadline

    client.force_login(iw.world.grid_worker)
    today = timezone.localdate()
    response = _post(
        iw,
        client,
        inspected_on=(today - timedelta(days=3)).isoformat(),
        **{"findings-0-rectify_by": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "整改期限已过" in response.content.decode()
    assert not Inspection.objects.exists() and not Case.objects.exists()
    day = deadlines.next_workday(today + timedelta(days=6))
    response = _post(iw, client, **{"findings-0-rectify_by": day.isoformat()})
    assert response.status_code == 302
    case = Finding.objects.get().case
    assert case.deadline == rectify_deadline(day)
    assert timezone.localtime(case.deadline).date() == day
