"""On a 375 px phone, in Chromium: a grid worker records a household visit with a demand and a
plan review; a town officer (dispatcher over the town) sees the household's cases and plan."""

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_grid_worker_records_a_visit_and_a_review_and_a_town_officer_reads_them(chromium, live):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Case
    from cases.tests.world import World, make_user
    from households import services
    from households.models import HouseholdVisit, PlanReview
    from households.tests.helpers import build
    from people.models import Role

    hh = build(World.build())
    services.create_plan(
        hh.home,
        responsible=hh.helper.person,
        measures=[services.Measure("发展油茶种植", "年增收3000元", "镇农业服务中心")],
        started_on=timezone.localdate() - timedelta(days=40),
        actor=hh.world.grid_worker,
    )
    make_user("town_officer", Role.DISPATCHER, region=hh.world.town)

    page = new_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/households/{hh.home.pk}/")
    page.wait_for_selector("text=一户一策")
    assert fits(page)
    page.click("text=登记走访")
    page.fill("textarea[name=findings]", "老人慢性病用药正常，孩子按时上学。")
    page.select_option("select[name=case_type]", label=hh.world.types["resident_issue"].name)
    page.fill("textarea[name=demands]", "屋后排水沟堵塞，雨天积水进屋。")
    screenshot(page, "household-visit-new")
    assert fits(page)
    page.click("button:has-text('保存走访')")
    page.wait_for_selector("text=诉求 1 件")
    assert HouseholdVisit.objects.count() == 1
    case = Case.objects.get(household=hh.home)

    page.click("a:has-text('帮扶复核')")
    page.fill("textarea[name=progress]", "油茶苗长势良好，已完成追肥。")
    page.select_option("select[name^=measure_]", "in_progress")
    assert fits(page)
    page.click("button:has-text('保存复核')")
    page.wait_for_selector("text=已记录帮扶复核")
    assert PlanReview.objects.count() == 1
    screenshot(page, "household-detail")
    assert fits(page)

    officer = new_page(chromium, PHONE)
    sign_in(officer, live, "town_officer")
    officer.goto(f"{live}/households/{hh.home.pk}/")
    officer.wait_for_selector(f"a[href='/cases/{case.pk}/']")
    assert officer.locator("#plan >> text=发展油茶种植").count() == 1
    assert officer.locator("#reviews >> text=油茶苗长势良好").count() == 1
    assert fits(officer)
    for path in (
        "/households/",
        "/households/coverage/",
        "/households/mine/",
        "/households/visits/",
    ):
        page.goto(f"{live}{path}")
        assert fits(page), path
    screenshot(page, "household-mine")
