"""The dispatcher's workbench in a real browser: triage and assign a case, then supervise."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case, Priority, Status
from web.tests.conftest import DESKTOP, new_page, screenshot, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_triages_assigns_and_supervises(chromium, live):
    from cases.tests.world import World

    world = World.build()
    category = world.category()
    category.suggested_unit = world.dept
    category.save()
    case = world.report(title="浔中村主路路灯不亮", category=category)
    duplicate = world.report(title="浔中村主路路灯不亮了")  # a likely duplicate
    with time_machine.travel(timezone.now() - timedelta(days=21)):
        late = world.assigned(title="企业用工备案超期未办")
    soon = services.assign_case(
        services.triage_case(
            world.report(title="燃气管道异味"), actor=world.dispatcher, priority=Priority.URGENT
        ),
        actor=world.dispatcher,
        lead_unit=world.other_dept,
    )

    page = new_page(chromium, DESKTOP)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/dispatch/")
    hint = page.locator(f"#case-{case.pk} .hints li", has_text=duplicate.number)
    assert "标题相似" in hint.inner_text()
    screenshot(page, "dispatch-inbox")

    page.click(f"#case-{case.pk} a.button.primary")
    page.wait_for_url(f"{live}/dispatch/cases/{case.pk}/triage/")
    preview = page.locator("[data-testid=deadline-preview]")
    assert "（5个工作日）" in preview.inner_text()
    assert page.locator("#id_lead_unit").input_value() == str(world.dept.pk)
    page.select_option("#id_priority", Priority.IMPORTANT)
    expect(preview).to_contain_text("3个工作日")  # polls without eval (the CSP forbids it)
    page.check(f"input[name=co_units][value='{world.other_dept.pk}']")
    page.fill("#id_note", "请三个工作日内答复。")
    screenshot(page, "dispatch-triage")
    page.click("button.primary:has-text('研判并交办')")
    page.wait_for_url(f"{live}/dispatch/")
    assert "已交办至人社局" in page.inner_text(".messages")
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.priority == Priority.IMPORTANT
    assert list(case.assignments.filter(is_lead=False).values_list("unit", flat=True)) == [
        world.other_dept.pk
    ]

    page.click("nav.subtabs >> text=超期督办")
    page.wait_for_url(f"{live}/dispatch/supervision/")
    row = page.locator(f"#case-{late.pk}")
    assert "已超期" in row.inner_text()
    assert page.locator(f"#case-{soon.pk}").count() == 1
    row.locator("textarea[name=note]").fill("请于本周五前办结并报告")
    row.locator("button:has-text('督办')").click()
    page.locator(f"#case-{late.pk} .done").wait_for()
    assert "已督办 1 次" in page.locator(f"#case-{late.pk}").inner_text()
    assert page.url == f"{live}/dispatch/supervision/"  # updated in place, no reload
    assert Case.objects.get(pk=late.pk).supervision_level == 1
    assert Case.objects.get(pk=late.pk).events.latest("id").reason == "请于本周五前办结并报告"
    screenshot(page, "dispatch-supervision")
