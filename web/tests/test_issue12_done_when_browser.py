"""Issue 12's "done when", in one Chromium run over one world: on a 375 px phone a grid worker
records a household visit (with a demand that becomes a case) and a plan review; a town officer
sees the household's cases and plan; a copyright officer records a GI-mark licence and an
enforcement action linked to an infringement case by its number."""

from datetime import timedelta

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_grid_worker_town_officer_and_copyright_officer(chromium, live):
    from django.utils import timezone

    from cases.models import Case
    from cases.tests.world import World, make_user
    from households import services
    from households.models import HouseholdVisit, PlanReview
    from households.tests.helpers import build
    from ip.models import EnforcementAction, GiLicence, IpEvent
    from ip.tests.factories import copyright_office, ip_case, make_officer
    from people.models import Role

    hh = build(World.build())
    world = hh.world
    services.create_plan(
        hh.home,
        responsible=hh.helper.person,
        measures=[services.Measure("发展油茶种植", "年增收3000元", "镇农业服务中心")],
        started_on=timezone.localdate() - timedelta(days=40),
        actor=world.grid_worker,
    )
    make_user("town_officer", Role.DISPATCHER, region=world.town)
    make_officer(world)
    infringement = ip_case(world)

    # The grid worker, on the phone: a visit with a demand, then the monthly plan review.
    page = new_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/households/{hh.home.pk}/")
    page.wait_for_selector("text=一户一策")
    assert fits(page)
    page.click("text=登记走访")
    page.fill("textarea[name=findings]", "老人慢性病用药正常，孩子按时上学。")
    page.select_option("select[name=case_type]", label=world.types["resident_issue"].name)
    page.fill("textarea[name=demands]", "屋后排水沟堵塞，雨天积水进屋。")
    assert fits(page)
    page.click("button:has-text('保存走访')")
    page.wait_for_selector("text=诉求 1 件")
    assert HouseholdVisit.objects.filter(household=hh.home).count() == 1
    demand = Case.objects.get(household=hh.home)
    assert demand.description == "屋后排水沟堵塞，雨天积水进屋。"

    page.click("a:has-text('帮扶复核')")
    page.fill("textarea[name=progress]", "油茶苗长势良好，已完成追肥。")
    page.select_option("select[name^=measure_]", "in_progress")
    assert fits(page)
    page.click("button:has-text('保存复核')")
    page.wait_for_selector("text=已记录帮扶复核")
    assert PlanReview.objects.filter(plan__household=hh.home).count() == 1
    screenshot(page, "done-when-12-household")
    for path in (
        "/households/",
        "/households/coverage/",
        "/households/mine/",
        "/households/visits/",
    ):
        page.goto(f"{live}{path}")
        assert fits(page), path

    # The town officer: the household's case and plan, with the review just recorded.
    officer = new_page(chromium, PHONE)
    sign_in(officer, live, "town_officer")
    officer.goto(f"{live}/households/{hh.home.pk}/")
    officer.wait_for_selector(f"a[href='/cases/{demand.pk}/']")
    assert officer.locator("#plan >> text=发展油茶种植").count() == 1
    assert officer.locator("#reviews >> text=油茶苗长势良好").count() == 1
    assert fits(officer)
    officer.click(f"a[href='/cases/{demand.pk}/']")
    officer.wait_for_selector(f"text={demand.number}")

    # The copyright officer: a licence, then an action linked to the infringement case.
    ip_page = new_page(chromium)
    sign_in(ip_page, live, "banquan")
    ip_page.goto(f"{live}/ip/")
    ip_page.wait_for_selector("text=知识产权保护")
    ip_page.click("text=登记使用许可")
    ip_page.select_option("select[name=licensee]", str(world.enterprise.pk))
    ip_page.fill("input[name=number]", "DHBC-2026-068")
    ip_page.click("button:has-text('保存')")
    ip_page.wait_for_selector("text=已登记使用许可 DHBC-2026-068")
    licence = GiLicence.objects.get()
    assert (licence.mark_name, licence.licensee_id) == ("德化白瓷", world.enterprise.pk)

    ip_page.goto(f"{live}/ip/actions/new/")
    ip_page.fill("input[name=acted_on]", "2026-01-05")
    ip_page.fill("input[name=place]", "浔中镇陶瓷街")
    ip_page.select_option("select[name=region]", str(world.town.pk))
    ip_page.check(f"input[name=units][value='{copyright_office(world).pk}']")
    ip_page.check(f"input[name=units][value='{world.other_dept.pk}']")
    ip_page.fill("textarea[name=result]", "查处仿冒外观设计茶具销售点 2 处。")
    ip_page.fill("input[name=cases]", infringement.number or "")
    ip_page.click("button:has-text('保存')")
    ip_page.wait_for_selector("text=已登记执法行动")
    action = EnforcementAction.objects.get()
    assert list(action.cases.all()) == [infringement]
    assert ip_page.locator("#linked-cases").inner_text().strip() == infringement.number
    assert IpEvent.objects.filter(kind__in=["licence_created", "action_created"]).count() == 2
    screenshot(ip_page, "done-when-12-ip-action")
