"""The dispatch catalogue in a real browser: the county's dispatcher drafts a revision, edits a
row, publishes it behind the confirmation page, and the triage page follows it when the
category changes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import CatalogueStatus, DispatchCatalogue, Priority
from web.tests.conftest import DESKTOP, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_revises_and_publishes_and_triage_follows(chromium, live):
    from cases.tests.world import World

    world = World.build()
    first, second = world.types["resident_issue"].categories.order_by("code")[:2]
    first.suggested_unit = world.dept
    first.save()
    case = world.report(title="浔中村主路路灯不亮", category=first)

    page = new_page(chromium, DESKTOP)
    sign_in(page, live, "dispatcher")
    page.click("nav >> text=派单目录")
    page.wait_for_url(f"{live}/dispatch/catalogue/")
    assert "尚未发布派单目录" in page.inner_text("#catalogue-current")
    page.fill("input[name=note]", "首版")
    page.click("button.primary:has-text('新建修订草稿')")
    page.wait_for_url(f"{live}/dispatch/catalogue/v1/edit/")

    # The second category: the other department leads, the department co-handles, 重要.
    row = page.locator(f"#row-{second.pk}")
    row.locator("select[name$=lead_unit]").select_option(str(world.other_dept.pk))
    row.locator("select[name$=co_units]").select_option([str(world.dept.pk)])
    row.locator("select[name$=priority]").select_option(Priority.IMPORTANT)
    screenshot(page, "catalogue-edit")
    page.click("button.primary:has-text('保存草稿')")
    page.wait_for_url(f"{live}/dispatch/catalogue/v1/")
    assert "已保存修订草稿 v1" in page.inner_text(".messages")
    assert "新增" in page.inner_text(f"#change-{second.pk}")

    page.click("a.button.primary:has-text('发布')")
    page.wait_for_url(f"{live}/dispatch/catalogue/v1/publish/")
    screenshot(page, "catalogue-publish")
    page.click("button.primary:has-text('确认发布')")
    page.wait_for_url(f"{live}/dispatch/catalogue/")
    assert "派单目录 v1 已发布施行" in page.inner_text(".messages")
    assert "现行版本 v1" in page.inner_text("#catalogue-current")
    screenshot(page, "catalogue-index")
    assert DispatchCatalogue.objects.get(version=1).status == CatalogueStatus.PUBLISHED

    # Triage: the case's category (first) follows the seeded line; switching to the second
    # category takes its line: lead unit, co-units, tier, and the note with the version.
    page.goto(f"{live}/dispatch/cases/{case.pk}/triage/")
    note = page.locator("[data-testid=catalogue-note]")
    expect(note).to_contain_text("依据派单目录 v1：主办 人社局")
    assert page.locator("#id_lead_unit").input_value() == str(world.dept.pk)
    page.select_option("#id_category", str(second.pk))
    expect(note).to_contain_text("依据派单目录 v1：主办 市场监管局；协办 人社局；重要")
    assert page.locator("#id_lead_unit").input_value() == str(world.other_dept.pk)
    assert page.locator("#id_priority").input_value() == Priority.IMPORTANT
    assert page.locator(f"input[name=co_units][value='{world.dept.pk}']").is_checked()
    # The deadline preview followed the tier (重要: 3 working days).
    expect(page.locator("[data-testid=deadline-preview]")).to_contain_text("3个工作日")
    screenshot(page, "catalogue-triage")
    page.click("button.primary:has-text('研判并交办')")
    page.wait_for_url(f"{live}/dispatch/")
    case.refresh_from_db()
    assert case.lead_unit == world.other_dept and case.priority == Priority.IMPORTANT

    page.goto(f"{live}/cases/{case.pk}/")
    assert page.locator(".catalogue-version").count() == 2
    screenshot(page, "catalogue-case-page")
