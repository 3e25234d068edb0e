"""Changing and ending a campaign: who may (dispatchers, leaders and town offices over its
region), what is refused in Chinese, and the event each change writes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.tests.world import make_user
from inspections import scope, services
from inspections.models import Campaign, CampaignStatus, InspectionEvent, InspectionEventKind
from inspections.tests.helpers import inspect
from orgs.models import Organisation, OrgKind
from people.models import Role


def _args(campaign: Campaign, **changes):
    args = {
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "region": campaign.region,
        "lead_unit": campaign.lead_unit,
        "description": campaign.description,
        "status": campaign.status,
    }
    return {**args, **changes}


@pytest.fixture
def town_campaign(iw):
    """A campaign over 浔中镇 opened by the county dispatcher."""
    today = timezone.localdate()
    return services.create_campaign(
        name="自建房安全排查",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        region=iw.world.town,
        actor=iw.world.dispatcher,
    )


@pytest.fixture
def town_office(iw):
    gov = Organisation.objects.create(
        kind=OrgKind.TOWN_GOVERNMENT, name="浔中镇人民政府", region=iw.world.town
    )
    return make_user("xunzhong_gov", Role.DEPT_HANDLER, organisation=gov)


def test_a_change_is_saved_with_an_event_of_what_changed(iw, town_campaign):
    new_end = town_campaign.ends_on - timedelta(days=30)
    changed = services.change_campaign(
        town_campaign,
        actor=iw.world.dispatcher,
        **_args(
            town_campaign, name=" 自建房安全隐患排查 ", ends_on=new_end, description="逐栋排查"
        ),
    )
    changed.refresh_from_db()
    assert changed.name == "自建房安全隐患排查" and changed.ends_on == new_end
    event = InspectionEvent.objects.get(kind=InspectionEventKind.CAMPAIGN_CHANGED)
    assert event.actor == iw.world.dispatcher and event.campaign == changed
    assert event.data["changes"] == {
        "name": ["自建房安全排查", "自建房安全隐患排查"],
        "ends_on": [town_campaign.ends_on.isoformat(), new_end.isoformat()],
        "description": ["", "逐栋排查"],
    }


def test_an_unchanged_save_writes_no_event(iw, town_campaign):
    services.change_campaign(town_campaign, actor=iw.world.dispatcher, **_args(town_campaign))
    assert not InspectionEvent.objects.filter(kind=InspectionEventKind.CAMPAIGN_CHANGED).exists()


def test_the_end_may_not_come_before_the_start(iw, town_campaign):
    with pytest.raises(ValidationError) as exc:
        services.change_campaign(
            town_campaign,
            actor=iw.world.dispatcher,
            **_args(town_campaign, ends_on=town_campaign.starts_on - timedelta(days=1)),
        )
    error = exc.value.error_dict["ends_on"][0]
    assert error.code == "before_start" and "结束日期不能早于开始日期" in error.messages[0]


def test_a_region_outside_the_users_scope_is_refused(iw, town_office):
    with pytest.raises(PermissionDenied) as exc:
        services.create_campaign(
            name="龙浔镇燃气排查",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 6, 30),
            region=iw.world.other_town,
            actor=town_office,
        )
    assert "无权在该区域" in str(exc.value)


def test_a_town_office_opens_and_runs_a_campaign_in_its_town(iw, town_office):
    made = services.create_campaign(
        name="浔中镇燃气排查",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        region=iw.world.village,
        actor=town_office,
    )
    services.change_campaign(made, actor=town_office, **_args(made, region=iw.world.town))
    with pytest.raises(PermissionDenied):
        services.change_campaign(made, actor=town_office, **_args(made, region=iw.world.county))
    with pytest.raises(PermissionDenied):  # the county-wide campaign is not the town's
        services.close_campaign(iw.campaign, actor=town_office)


def test_who_runs_a_campaign(iw, town_campaign, town_office):
    world = iw.world
    assert scope.may_run(world.dispatcher, iw.campaign)
    assert scope.may_run(world.leader, iw.campaign)
    assert scope.may_run(world.admin, iw.campaign)
    assert scope.may_run(town_office, town_campaign)
    assert not scope.may_run(town_office, iw.campaign)
    assert not scope.may_run(iw.town_dispatcher, town_campaign)  # over 龙浔镇 only
    assert not scope.may_run(world.grid_worker, town_campaign)
    assert not scope.may_run(iw.lead_handler, iw.campaign)  # the lead unit logs, not runs
    assert not scope.may_run(world.outsider, iw.campaign)


def test_a_change_may_not_leave_an_inspection_outside(iw):
    made = inspect(iw, inspected_on=timezone.localdate())
    campaign = iw.campaign
    with pytest.raises(ValidationError) as exc:
        services.change_campaign(
            campaign,
            actor=iw.world.dispatcher,
            **_args(campaign, ends_on=made.inspected_on - timedelta(days=1)),
        )
    assert exc.value.error_dict["ends_on"][0].code == "excludes_inspections"
    with pytest.raises(ValidationError) as exc:
        services.change_campaign(
            campaign, actor=iw.world.dispatcher, **_args(campaign, region=iw.world.other_town)
        )
    assert exc.value.error_dict["region"][0].code == "excludes_inspections"


def test_closing_ends_the_campaign_and_no_more_is_logged_in_it(iw):
    closed = services.close_campaign(iw.campaign, actor=iw.world.dispatcher, note="按期完成")
    assert closed.status == CampaignStatus.FINISHED
    event = InspectionEvent.objects.get(kind=InspectionEventKind.CAMPAIGN_CLOSED)
    assert event.data == {"from": "active", "note": "按期完成"}
    with pytest.raises(ValidationError) as exc:
        inspect(iw, campaign=closed)
    assert exc.value.error_dict["campaign"][0].code == "finished"
    with pytest.raises(ValidationError) as exc:
        services.close_campaign(iw.campaign, actor=iw.world.dispatcher)
    assert exc.value.error_dict["status"][0].code == "finished"
    with pytest.raises(ValidationError) as exc:
        services.change_campaign(closed, actor=iw.world.dispatcher, **_args(closed))
    assert exc.value.error_dict["status"][0].code == "finished"


def test_a_campaign_is_not_changed_to_finished_nor_led_by_an_enterprise(iw):
    campaign = iw.campaign
    with pytest.raises(ValidationError) as exc:
        services.change_campaign(
            campaign, actor=iw.world.dispatcher, **_args(campaign, status="finished")
        )
    assert exc.value.error_dict["status"][0].code == "invalid_choice"
    with pytest.raises(ValidationError) as exc:
        services.change_campaign(
            campaign, actor=iw.world.dispatcher, **_args(campaign, lead_unit=iw.world.enterprise)
        )
    assert exc.value.error_dict["lead_unit"][0].code == "enterprise"
