"""In a real browser, under a controlled clock: a case's sign-for light turns from green to
yellow to red on the case list, the sweep climbs the escalation ladder (逐级督办) and the case
page shows each rung, and the dispatcher pauses the clock (暂停计时) from the case page."""

from __future__ import annotations

import pytest
import time_machine

from cases.models import CaseEvent, EventKind
from cases.sweep import sweep
from cases.tests.helpers import local
from web.tests.conftest import DESKTOP, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Monday 7 December 2026, 10:00 in Dehua: a working day, so the sign-for clock (2 working
# hours) runs to 12:00 the same day.
HANDED_OVER = local(2026, 12, 7, 10)


def _sign_light(page):
    return page.locator("tr", has_text="浔中村主路路灯不亮").locator(".light").first


def test_a_case_turns_yellow_then_red_and_climbs_the_ladder(chromium, live):
    from cases.tests.world import World

    with time_machine.travel(HANDED_OVER, tick=False) as traveller:
        world = World.build()
        case = world.assigned(title="浔中村主路路灯不亮")
        page = new_page(chromium, DESKTOP)
        sign_in(page, live, "dispatcher")

        page.goto(f"{live}/cases/?status=assigned")
        light = _sign_light(page)
        assert light.get_attribute("class") == "light green"
        assert light.get_attribute("title").startswith("签收：绿灯")
        screenshot(page, "clocks-green")

        traveller.move_to(local(2026, 12, 7, 11, 40))  # 20 of 120 minutes left: under 25 %
        page.reload()
        assert _sign_light(page).get_attribute("class") == "light yellow"
        screenshot(page, "clocks-yellow")

        traveller.move_to(local(2026, 12, 7, 12, 1))
        page.reload()
        assert _sign_light(page).get_attribute("class") == "light red"
        screenshot(page, "clocks-red")

        # The sweep runs: at the deadline the handler is told, four working hours later the
        # unit head.
        sweep(local(2026, 12, 7, 12, 1))
        traveller.move_to(local(2026, 12, 7, 16))
        sweep(local(2026, 12, 7, 16))
        rungs = CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).order_by("id")
        assert [e.data["target"] for e in rungs] == ["handler", "unit_head"]

        page.goto(f"{live}/cases/{case.pk}/")
        timeline = page.locator(".timeline")
        assert timeline.locator("li", has_text="逐级督办").count() == 2
        assert "第2级督办，提醒单位负责人" in timeline.inner_text()
        assert "签收 12-07 12:00" in page.inner_text(".stage-clocks")
        screenshot(page, "clocks-ladder")

        # The dispatcher stops the clock while the unit waits for an appraisal.
        page.goto(f"{live}/cases/{case.pk}/move/clock_paused/")
        page.fill("textarea[name=reason]", "等待供电所鉴定结果。")
        page.click("form button.primary, form button[type=submit]")
        page.wait_for_url(f"{live}/cases/{case.pk}/")
        assert "计时暂停中" in page.inner_text("main")
        assert page.locator(".stage-clocks .light.paused").count() == 3
        screenshot(page, "clocks-paused")
