"""A linked cadre on a 375 px phone, in Chromium: the workbench, a visit with two demands and a
briefing ticked done; the coverage tables fit the screen."""

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cadre_logs_a_visit_on_the_phone(chromium, live):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Case, Channel
    from cases.tests.world import World
    from outreach import services
    from outreach.models import BriefingStatus, BriefingTask, EnterpriseVisit
    from outreach.tests.helpers import build, policy

    ow = build(World.build())
    services.push_briefings(
        policy(), actor=ow.world.admin, due_on=timezone.localdate() + timedelta(days=10)
    )
    page = new_page(chromium, PHONE)
    sign_in(page, live, "cadre")
    page.goto(f"{live}/outreach/mine/")
    assert page.locator("text=尚未走访").count() == 1
    screenshot(page, "outreach-mine")
    page.click("text=登记走访")
    page.fill("input[name=met]", "总经理 王某")
    page.fill("textarea[name=findings]", "生产经营正常，反映用工紧张和用气成本上涨。")
    page.check("input[name=briefings]")
    page.fill("#f-demands-0-description textarea", "一线技术工人招工难，希望组织专场招聘会。")
    page.click("text=再添加一条诉求")
    page.fill("#f-demands-1-description textarea", "天然气价格上涨，希望协调气源和价格。")
    screenshot(page, "outreach-visit-new")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("button:has-text('保存走访和诉求')")
    page.wait_for_selector("text=诉求 2 件")
    visit = EnterpriseVisit.objects.get()
    cases = list(Case.objects.filter(meeting=visit.meeting))
    assert len(cases) == 2 and {c.channel for c in cases} == {Channel.VISIT}
    assert BriefingTask.objects.get(cadre=ow.cadre.person).status == BriefingStatus.DONE
    screenshot(page, "outreach-visit-detail")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_coverage_tables_fit_a_phone(chromium, live):
    from cases.tests.world import World
    from outreach.tests.helpers import build

    build(World.build())
    page = new_page(chromium, PHONE)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/outreach/coverage/")
    page.wait_for_selector("text=按乡镇")
    screenshot(page, "outreach-coverage")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("table >> nth=1 >> a >> nth=0")
    page.wait_for_selector("text=共")
    screenshot(page, "outreach-coverage-firms")
