"""The desk in a real browser, keyboard only: an operator registers a repeat hotline call, picks
the place by typing its pinyin initials, and assigns it to the category's suggested unit with
Ctrl+Enter — well under a minute."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from cases.models import Case, Status
from web.tests.conftest import DESKTOP, new_page, screenshot
from web.tests.test_csp_browser import RECORD_VIOLATIONS, violations

PHONE = "13700003333"


def sign_in_to_the_desk(page, live: str) -> None:
    """The operator's home is the desk: signing in lands there."""
    page.goto(f"{live}/login/")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", "pass-12345")
    page.click("button.primary")
    page.wait_for_url(f"{live}/desk/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_operator_registers_and_assigns_a_call_with_the_keyboard_only(chromium, live):
    from cases.tests.world import World

    world = World.build()
    category = world.category()  # 社会保障与就业, the first of 民情诉求
    category.suggested_unit = world.dept
    category.save()
    earlier = world.report(requester_phone=PHONE, title="工地拖欠工资未结清")

    page = new_page(chromium, DESKTOP)
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_to_the_desk(page, live)
    keys = page.keyboard
    phone = page.locator("#id_requester_phone")
    expect(phone).to_be_focused()  # autofocus: the operator types at once

    started = time.monotonic()
    keys.type(PHONE)
    panel = page.locator("#caller-panel")
    expect(panel.locator("[data-testid=repeat-flag]")).to_have_text("重复来电")
    expect(panel).to_contain_text(earlier.number)

    keys.press("Tab")
    expect(page.locator("#id_requester_name")).to_be_focused()
    keys.type("陈师傅")
    keys.press("Tab")  # the channel: 热线 is already chosen
    expect(page.locator("#id_channel_0")).to_be_focused()
    expect(page.locator("#id_channel_0")).to_be_checked()
    keys.press("Alt+l")  # one key links this call to the open case; the focus stays
    link = panel.locator(f"[data-link-case='{earlier.number}']")
    expect(link).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#id_repeat_of")).to_have_value(earlier.number)
    expect(page.locator("#id_channel_0")).to_be_focused()

    keys.press("Tab")
    expect(page.locator("#id_case_type")).to_be_focused()
    keys.press("ArrowDown")  # 企业诉求 → 民情诉求
    expect(page.locator("#id_case_type")).to_have_value(str(world.types["resident_issue"].pk))

    keys.press("Tab")
    place = page.locator("#id_place")
    expect(place).to_be_focused()
    keys.type("xzc")
    option = page.locator("#place-list [role=option]").first
    expect(option).to_contain_text("浔中村")
    expect(place).to_have_attribute("aria-expanded", "true")
    screenshot(page, "desk-place")
    keys.press("ArrowDown")
    expect(place).to_have_attribute("aria-activedescendant", "place-opt-0")
    keys.press("Enter")
    expect(place).to_have_value("德化县 › 浔中镇 › 浔中村")
    expect(page.locator("#id_region")).to_have_value(str(world.village.pk))

    keys.press("Tab")
    keys.type("浔中村工地")
    keys.press("Tab")
    expect(page.locator("#id_category")).to_be_focused()
    keys.press("ArrowDown")  # the first category of 民情诉求
    expect(page.locator("#id_category")).to_have_value(str(category.pk))
    expect(page.locator("#id_lead_unit")).to_have_value(str(world.dept.pk))  # suggested

    keys.press("Tab")
    keys.type("工地再次拖欠工资")
    keys.press("Tab")
    expect(page.locator("#id_description")).to_be_focused()
    keys.press("Control+End")
    keys.type("上次反映后只结清一半，仍欠八名工人三个月工资。")
    keys.press("Tab")
    expect(page.locator("#id_priority")).to_be_focused()
    expect(page.locator("[data-testid=deadline-preview]")).to_contain_text("5个工作日")
    screenshot(page, "desk")

    keys.press("Control+Enter")  # 研判交办
    page.wait_for_url(f"{live}/desk/?done=*")
    done = page.locator("[data-testid=desk-done]")
    expect(done).to_contain_text("已交办至人社局")
    elapsed = time.monotonic() - started
    assert elapsed < 20, f"registering a simple call took {elapsed:.1f} s"

    case = Case.objects.exclude(pk=earlier.pk).get(requester_phone=PHONE)
    expect(done).to_contain_text(f"已登记 {case.number}")
    expect(done).to_contain_text(f"重复来电，关联事项 {earlier.number}")
    assert case.status == Status.ASSIGNED and case.lead_unit == world.dept
    assert case.region == world.village and case.requester_name == "陈师傅"
    assert case.description.startswith(f"【重复来电，原事项 {earlier.number}】上次反映后")
    assert case.details["repeat_of"] == earlier.number
    # The form is cleared for the next call, the phone focused again.
    expect(phone).to_have_value("")
    expect(phone).to_be_focused()
    screenshot(page, "desk-done")
    assert violations(page) == [] and errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_says_what_is_wrong_while_typing(chromium, live):
    from cases.tests.world import World, make_user
    from people.models import Role

    world = World.build()
    make_user("town_operator", Role.OPERATOR, region=world.town)
    page = new_page(chromium, DESKTOP)
    page.goto(f"{live}/login/")
    page.fill("input[name=username]", "town_operator")
    page.fill("input[name=password]", "pass-12345")
    page.click("button.primary")
    page.wait_for_url(f"{live}/desk/")
    keys = page.keyboard
    keys.type("138x")  # the panel's 400 carries its message (htmx-config on the page)
    expect(page.locator("#caller-panel")).to_contain_text("电话号码只能包含数字")
    page.locator("#id_place").focus()
    keys.type("龙浔")  # another town: not in this operator's scope
    expect(page.locator("#place-list")).to_contain_text("没有找到匹配的地点")
    expect(page.locator("#place-list [role=option]")).to_have_count(0)
