"""In a real browser: the desk registers a call 对承办单位保密, the unit reads it masked with the
notice, and the dispatcher hides it from the public list on the case page."""

import pytest
from playwright.sync_api import expect

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from cases import services
    from cases.tests.world import World

    world = World.build()
    case = services.assign_case(
        services.triage_case(
            world.report(title="浔中村主路路灯不亮", anonymous_to_unit=True),
            actor=world.dispatcher,
            category=world.category(),
        ),
        actor=world.dispatcher,
        lead_unit=world.dept,
    )
    return world, case


def test_the_unit_reads_the_requester_masked_and_the_desk_hides_the_case(chromium, live):
    from cases.models import Case
    from privacy.models import CasePrivacyChange

    world, case = _world()
    unit = new_page(chromium)
    sign_in(unit, live, "handler")
    unit.goto(f"{live}/cases/{case.pk}/")
    expect(unit.locator("#requester")).to_contain_text("张*")
    expect(unit.locator("#requester")).not_to_contain_text("13912345678")
    expect(unit.locator("#anonymous-notice")).to_have_text(
        "诉求人要求对承办单位保密，请通过热线中心联系"
    )
    expect(unit.locator("#privacy-flags")).to_have_count(0)
    screenshot(unit, "privacy-unit-case-page")

    desk = new_page(chromium)
    sign_in(desk, live, "dispatcher")
    desk.goto(f"{live}/cases/{case.pk}/")
    expect(desk.locator("#requester")).to_contain_text("13912345678")
    expect(desk.locator("#anonymous-badge")).to_be_visible()
    flags = desk.locator("#privacy-flags")
    expect(flags.locator("input[name=anonymous_to_unit]")).to_be_checked()
    expect(flags.locator("input[name=is_public]")).to_be_checked()
    flags.locator("input[name=is_public]").uncheck()
    flags.locator("input[name=reason]").fill("来电人要求不公开")
    flags.locator("button[type=submit]").click()
    expect(desk.locator(".messages")).to_contain_text("隐私设置已保存")
    expect(desk.locator("#privacy-flags input[name=is_public]")).not_to_be_checked()
    screenshot(desk, "privacy-dispatcher-case-page")
    assert Case.objects.get(pk=case.pk).is_public is False
    assert CasePrivacyChange.objects.get(case=case).reason == "来电人要求不公开"


def test_the_desk_offers_both_boxes(chromium, live):
    _world()
    page = new_page(chromium)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/desk/")
    expect(page.get_by_label("对承办单位保密")).to_be_visible()
    expect(page.get_by_label("不公开")).to_be_visible()
    screenshot(page, "privacy-desk")


def test_a_resident_reads_who_opened_their_details_on_the_phone(chromium, live):
    from cases.models import Channel
    from cases.tests.world import World
    from privacy.models import Door
    from privacy.services import record_case_access

    world = World.build()
    case = world.report(
        actor=world.resident,
        channel=Channel.WEB,
        requester=world.resident.person,
        requester_name="",
        requester_phone="",
        region=world.village,
    )
    record_case_access(world.dispatcher, case, door=Door.WEB, purpose="查看事项详情")
    page = new_page(chromium, PHONE)
    page.goto(f"{live}/login/")
    page.fill("input[name=username]", "resident")
    page.fill("input[name=password]", "pass-12345")
    page.click("button.primary")
    page.goto(f"{live}/mine/new/")
    expect(page.get_by_label("对承办单位保密")).to_be_visible()
    screenshot(page, "privacy-mine-report")
    page.goto(f"{live}/mine/")
    page.locator("#my-accesses-link").click()
    expect(page.locator("#my-accesses li")).to_have_count(1)
    expect(page.locator("#my-accesses")).to_contain_text(case.number)
    expect(page.locator("#my-accesses")).not_to_contain_text("dispatcher")
    screenshot(page, "privacy-mine-accesses")
