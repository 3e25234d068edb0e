"""A copyright officer in Chromium records a GI-mark licence and an enforcement action linked to
an infringement case by its number."""

import pytest

from web.tests.conftest import new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_licence_and_an_action(chromium, live):
    from cases.tests.world import World
    from ip.models import EnforcementAction, GiLicence, IpEvent
    from ip.tests.factories import copyright_office, ip_case, make_officer

    world = World.build()
    make_officer(world)
    case = ip_case(world)
    page = new_page(chromium)
    sign_in(page, live, "banquan")
    page.goto(f"{live}/ip/")
    page.wait_for_selector("text=知识产权保护")
    page.click("text=登记使用许可")
    page.select_option("select[name=licensee]", str(world.enterprise.pk))
    page.fill("input[name=number]", "DHBC-2026-068")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已登记使用许可 DHBC-2026-068")
    licence = GiLicence.objects.get()
    assert (licence.mark_name, licence.licensee_id) == ("德化白瓷", world.enterprise.pk)
    screenshot(page, "ip-licence-detail")

    page.goto(f"{live}/ip/actions/new/")
    page.fill("input[name=acted_on]", "2026-01-05")
    page.fill("input[name=place]", "浔中镇陶瓷街")
    page.select_option("select[name=region]", str(world.town.pk))
    page.check(f"input[name=units][value='{copyright_office(world).pk}']")
    page.check(f"input[name=units][value='{world.other_dept.pk}']")
    page.fill("textarea[name=result]", "查处仿冒外观设计茶具销售点 2 处。")
    page.fill("input[name=cases]", case.number or "")
    screenshot(page, "ip-action-new")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已登记执法行动")
    action = EnforcementAction.objects.get()
    assert list(action.cases.all()) == [case]
    assert page.locator("#linked-cases").inner_text().strip() == case.number
    assert IpEvent.objects.filter(kind__in=["licence_created", "action_created"]).count() == 2
    screenshot(page, "ip-action-detail")
