"""In a real browser: a dispatcher splits a call holding two demands into two linked cases, and
supervises twenty cases at once from a filtered list, reading the outcome case by case."""

import pytest
from playwright.sync_api import expect

from web.tests.conftest import new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_splits_a_call_into_two_linked_cases(chromium, live):
    from cases.models import Case
    from cases.tests.world import World

    world = World.build()
    call = world.report(
        title="来电：路灯不亮、垃圾未清运",
        description="主路三盏路灯不亮；村口垃圾三天未清运。",
        channel="hotline",
        actor=world.dispatcher,
    )
    page = new_page(chromium)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/cases/{call.pk}/")
    page.click("details[data-move=split] summary")
    page.fill("#id_split_parts_0_title", "路灯不亮")
    page.fill("#id_split_parts_0_description", "主路三盏路灯不亮，夜间出行不便。")
    page.fill("#id_split_parts_1_title", "垃圾未清运")
    page.fill("#id_split_parts_1_description", "村口垃圾三天未清运。")
    page.select_option("#id_split_parts_1_category", str(world.category().pk))
    # A third part stays folded behind "增加一项" until asked for.
    assert not page.locator("#id_split_parts_2_title").is_visible()
    screenshot(page, "split-form")
    page.click("details[data-move=split] button[type=submit]")
    page.wait_for_selector("text=已完成：拆分")

    part = Case.objects.get(split_from=call)
    expect(page.locator("h1.case-title")).to_have_text("路灯不亮")
    expect(page.locator("#split-cases")).to_contain_text(part.number)
    assert "拆分为" in page.locator("#timeline").inner_text()
    screenshot(page, "split-original")
    page.click(f"#split-cases a:has-text('{part.number}')")
    page.wait_for_url(f"{live}/cases/{part.pk}/")
    expect(page.locator("#split-from")).to_contain_text(call.number)
    expect(page.locator("h1.case-title")).to_have_text("垃圾未清运")
    assert "张三" in page.locator("#requester").inner_text()  # the same requester
    screenshot(page, "split-part")


def test_a_dispatcher_supervises_twenty_cases_from_a_filtered_list(chromium, live):
    from cases import services
    from cases.models import CaseEvent
    from cases.tests.world import World

    world = World.build()
    for index in range(20):
        world.assigned(title=f"路灯不亮（第{index + 1}处）")
    left_out = world.report(title="尚未交办的事项")
    services.triage_case(left_out, actor=world.dispatcher)

    page = new_page(chromium)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/cases/?status=assigned")
    expect(page.locator(".case-table tbody tr")).to_have_count(20)
    page.check("input[data-select-all]")
    expect(page.locator("#bulk-count")).to_have_text("已勾选 20 件")
    page.select_option("#bulk-action", "supervised")
    screenshot(page, "bulk-list")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_selector("h1:has-text('批量督办')")
    expect(page.locator("#bulk-selection tbody tr")).to_have_count(20)
    page.fill("textarea[name=note]", "请本周五前办结并答复。")
    screenshot(page, "bulk-confirm")
    page.click("button:has-text('对 20 件事项执行督办')")
    page.wait_for_selector("#bulk-results")
    expect(page.locator("#bulk-results tbody tr")).to_have_count(20)
    expect(page.locator("#bulk-results tbody tr[data-ok='1']")).to_have_count(20)
    expect(page.locator("#bulk-summary")).to_contain_text("成功 20 件")
    screenshot(page, "bulk-result")
    assert (
        CaseEvent.objects.filter(kind="supervised", reason="请本周五前办结并答复。").count() == 20
    )
    assert not CaseEvent.objects.filter(case=left_out, kind="supervised").exists()
