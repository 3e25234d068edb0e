"""The department's workbench in a real browser: sign for an order, answer it, print the list."""

from __future__ import annotations

import pytest

from cases import services
from cases.models import Case, Status
from web.tests.conftest import DESKTOP, new_page, screenshot, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_department_signs_for_and_answers_a_case(chromium, live):
    from cases.tests.world import World

    world = World.build()
    case = world.assigned(title="企业招工补贴申请")
    world.assigned("hazard", title="窑炉燃气管道老化")
    services.accept_case(world.assigned(title="职业技能培训咨询"), actor=world.handler)
    services.assign_case(
        services.triage_case(world.report(title="园区道路积水"), actor=world.dispatcher),
        actor=world.dispatcher,
        lead_unit=world.other_dept,
        co_units=[world.dept],
    )

    page = new_page(chromium, DESKTOP)
    sign_in(page, live, "handler")
    page.goto(f"{live}/dept/")
    assert page.locator("h2", has_text="协办事项").count() == 1
    assert "园区道路积水" in page.inner_text("section:has(h2:has-text('协办事项'))")
    screenshot(page, "department-queue")

    page.locator(f"#case-{case.pk} button:has-text('签收')").click()
    page.wait_for_url(f"{live}/dept/cases/{case.pk}/")
    assert "已签收" in page.inner_text(".messages")
    page.fill("#id_answered-answer", "已联系企业，补贴材料已受理，预计下月发放。")
    page.click("#answered button[type=submit]")
    page.wait_for_url(f"{live}/dept/in-progress/")
    assert "已答复" in page.inner_text(".messages")
    case = Case.objects.get(pk=case.pk)
    assert case.status == Status.ANSWERED and case.answered_on_time

    page.click("nav.subtabs >> text=履职清单")
    page.wait_for_url(f"{live}/dept/duty-list/")
    assert page.locator("h3.group-title").count() >= 2
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()  # the menu is not printed
    assert page.locator(".print-head").is_visible()
    screenshot(page, "department-duty-list")
