"""The intake sections in a real browser, under the CSP: choosing 矛盾纠纷 shows the parties
(a row added with a button), 侵权纠纷 the facts too, any other type hides them; the household
picker lists the place's households as one types; one submit records it all."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cases.models import Case
from disputes.models import DisputeParty
from web.tests.conftest import DESKTOP, PHONE, new_page, screenshot, sign_in
from web.tests.test_csp_browser import RECORD_VIOLATIONS, violations


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_shows_the_types_sections_and_records_them_in_one_submit(chromium, live):
    from cases.tests.world import World
    from households.tests.helpers import build

    world = World.build()
    families = build(world)
    page = new_page(chromium, DESKTOP)
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/desk/")
    parties = page.locator("[data-intake-section=parties]")
    facts = page.locator("[data-intake-section=facts]")
    page.select_option("#id_case_type", str(world.types["resident_issue"].pk))
    expect(parties).to_be_hidden()
    expect(facts).to_be_hidden()
    page.select_option("#id_case_type", str(world.types["ip_infringement"].pk))
    expect(parties).to_be_visible()
    expect(facts).to_be_visible()
    page.select_option("#id_case_type", str(world.types["dispute"].pk))
    expect(parties).to_be_visible()
    expect(facts).to_be_hidden()

    page.fill("#id_requester_phone", "13700004444")
    page.locator("#id_place").focus()
    page.keyboard.type("xzc")
    expect(page.locator("#place-list [role=option]").first).to_contain_text("浔中村")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_region")).to_have_value(str(world.village.pk))
    page.fill("#id_description", "两户因宅基地边界争执，请求调解。")

    page.fill("#id_party-0-name", "张大山")
    page.fill("#id_party-0-phone", "13905958801")
    page.fill("#id_party-1-name", "李小河")
    page.click("[data-add-party]")
    expect(page.locator("[data-party-row]")).to_have_count(3)
    expect(page.locator("#id_party-2-role")).to_be_focused()
    page.select_option("#id_party-2-role", "respondent")
    page.fill("#id_party-2-name", "李大河")

    page.fill("#id_household_q", "李")
    option = page.locator(f"#id_household option[value='{families.home.pk}']")
    expect(option).to_have_text("李**户 · 第一网格 · 浔中村第一****")
    page.select_option("#id_household", str(families.home.pk))
    # Typing on refreshes the options and keeps the household chosen.
    page.locator("#id_household_q").press("End")
    page.keyboard.type("春")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_household")).to_have_value(str(families.home.pk))
    screenshot(page, "desk-dispute-parties")

    page.click("button[value=register]")
    page.wait_for_url(f"{live}/desk/?done=*")
    case = Case.objects.get(requester_phone="13700004444")
    assert case.household == families.home
    names = list(DisputeParty.objects.filter(case=case).values_list("name", flat=True))
    assert names == ["张大山", "李小河", "李大河"]
    assert violations(page) == [] and errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_grid_worker_names_the_parties_on_the_phone(chromium, live):
    from cases.tests.world import World

    world = World.build()
    page = new_page(chromium, PHONE)
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/grid/report/?type=hazard")
    parties = page.locator("[data-intake-section=parties]")
    expect(parties).to_be_hidden()
    page.check(f"input[name=case_type][value='{world.types['dispute'].pk}']")
    expect(parties).to_be_visible()
    page.fill("#id_description", "两户因宅基地边界争执，双方情绪激动。")
    page.fill("#id_party-0-name", "张大山")
    page.fill("#id_party-1-name", "李小河")
    page.fill("#id_party-1-phone", "abc")
    page.click("button[type=submit].primary")
    expect(page.locator(".party-row .errorlist").first).to_contain_text("只能包含数字")
    assert not Case.objects.exists()
    expect(parties).to_be_visible()  # the re-shown form keeps the dispute's section open
    screenshot(page, "grid-report-parties")
    page.fill("#id_party-1-phone", "13905958802")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live}/grid/cases/*/reported/")
    case = Case.objects.get()
    assert DisputeParty.objects.filter(case=case).count() == 2
    assert violations(page) == []
