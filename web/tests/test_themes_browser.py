"""每月一题 and 重复诉求 in Chromium: the dispatcher picks this month's hottest village and
category on the new-theme page, names the units and milestones, and lands on the theme with its
cases; the lead unit marks a milestone; the leader's dashboard shows the progress; a caller's
third call raises a repeat alert the dispatcher acknowledges."""

from __future__ import annotations

import pytest

from web.tests.conftest import SCREENSHOTS, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def build():
    from cases.tests.world import World, make_user
    from hotspots import repeats
    from people.models import Role

    world = World.build()
    category = world.category()
    for i in range(4):
        world.report(category=category, title="停水", requester_phone=f"1390000000{i}")
    world.report(category=category, region=world.other_grid, title="停水")
    for _ in range(3):
        case = world.report(title="夜间工地噪音", requester_phone="13905950001")
    repeats.check_case(case.pk)
    make_user("dept_head", Role.DEPT_HEAD, organisation=world.dept)
    return world


def test_a_theme_from_the_data_and_a_repeat_alert(chromium, live):
    from themes.models import MonthlyTheme

    world = build()
    page = new_page(chromium)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/themes/new/")
    rows = page.locator("#candidates-villages tbody tr")
    assert rows.count() == 2
    assert rows.first.locator("a.figure").inner_text() == "4"
    screenshot(page, "themes-new-candidates")
    rows.first.locator("text=选用").click()
    page.wait_for_url("**/themes/new/?*")
    assert page.input_value("input[name=title]") == "浔中村" + world.category().name + "问题治理"
    page.select_option("select[name=lead_unit]", label="人社局")
    page.select_option("select[name=co_units]", label="市场监管局")
    page.fill("input[name=milestone_1]", "排查供水管网")
    page.fill("input[name=milestone_1_due]", "2099-01-10")
    page.fill("input[name=milestone_2]", "更换老旧管道")
    page.fill("input[name=milestone_2_due]", "2099-01-30")
    page.click("button:has-text('确定每月一题')")
    page.wait_for_selector("#theme-progress")
    theme = MonthlyTheme.objects.get()
    assert theme.cases.count() == 4 and theme.status == "active"
    assert "节点完成 0/2，事项办结 0/4" in page.locator("#theme-progress").inner_text()
    screenshot(page, "themes-detail")

    handler = new_page(chromium)
    sign_in(handler, live, "handler")
    handler.goto(f"{live}/themes/{theme.pk}/")
    handler.fill(f"#milestone-{theme.milestones.first().pk} textarea", "已完成管网排查。")
    handler.click(f"#milestone-{theme.milestones.first().pk} button")
    handler.wait_for_selector("text=节点已完成")
    assert "节点完成 1/2" in handler.locator("#theme-progress").inner_text()

    leader = new_page(chromium)
    sign_in(leader, live, "leader")
    leader.goto(f"{live}/dashboard/")
    section = leader.locator("#month-themes")
    assert "浔中村" in section.inner_text()
    assert section.locator("[data-progress=milestones]").inner_text() == "1/2"
    section.screenshot(path=str(SCREENSHOTS / "dashboard-themes-section.png"))

    page.goto(f"{live}/hotspots/repeats/")
    assert page.locator("#repeats tbody tr").count() == 1
    screenshot(page, "repeats-list")
    page.locator("#repeats a").first.click()
    page.fill("#acknowledge-form textarea", "已联系住建局夜查")
    page.click("#acknowledge-form button")
    page.wait_for_selector("text=已知悉该重复诉求预警")
    assert page.locator("#repeat-status").inner_text() == "已知悉"
    screenshot(page, "repeats-detail")
    page.goto(f"{live}/inbox/")
    assert "重复诉求预警" in page.content()
