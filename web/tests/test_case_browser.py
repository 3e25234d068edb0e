"""In a real browser: a case page where an action makes the timeline grow, the list, the registry."""

import pytest
from playwright.sync_api import expect

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from cases import services
    from cases.tests.world import World
    from people.models import Person, RegionDuty, RegionResponsibility
    from regions.models import GridStation

    world = World.build()
    for region, name, duty in (
        (world.village, "王书记", RegionDuty.SECRETARY),
        (world.grid, "李网格", RegionDuty.GRID_WORKER),
        (world.town, "吴镇长", RegionDuty.TOWN_CADRE),
    ):
        person = Person.objects.create(name=name, phone="13312345678")
        RegionResponsibility.objects.create(region=region, person=person, duty=duty)
    GridStation.objects.create(name="浔中村网格驿站", region=world.village, address="村部一楼")
    _enterprises(world)
    case = services.assign_case(
        services.triage_case(
            world.report(title="浔中村主路路灯不亮"),
            actor=world.dispatcher,
            category=world.category(),
        ),
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
        note="请三日内修复",
    )
    world.report("dispute", title="邻里宅基地纠纷")
    world.answered(title="村口垃圾清运不及时")
    world.report(region=world.other_grid, title="龙浔网格道路破损")
    return world, case


def _enterprises(world) -> None:
    from orgs.credit_code import make_credit_code
    from orgs.models import ChainPosition, EnterpriseSize, Organisation, OrgKind
    from people.models import EnterpriseLink, EnterpriseLinkKind, Person

    profile = {
        "industry": "日用陶瓷",
        "size": EnterpriseSize.MEDIUM,
        "park": "城东工业园区",
        "chain_position": ChainPosition.MIDSTREAM,
        "employees": 420,
        "is_above_scale": True,
    }
    Organisation.objects.filter(pk=world.enterprise.pk).update(**profile)
    kiln = Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name="德化县窑火设备有限公司",
        region=world.town,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y00009"),
        industry="窑炉设备",
        size=EnterpriseSize.SMALL,
        park="陶瓷科技园",
        chain_position=ChainPosition.UPSTREAM,
        employees=75,
    )
    for name, firm, kind in (
        ("卢清", world.enterprise, EnterpriseLinkKind.LINKED_CADRE),
        ("曾斌兴", world.enterprise, EnterpriseLinkKind.PARTY_INSTRUCTOR),
        ("胡荣芳", kiln, EnterpriseLinkKind.RESIDENT_COMMISSIONER),
    ):
        EnterpriseLink.objects.create(
            person=Person.objects.create(name=name), enterprise=firm, kind=kind
        )


def test_a_handler_takes_actions_and_the_timeline_grows(chromium, live):
    world, case = _world()
    page = new_page(chromium)
    sign_in(page, live, "handler")
    page.goto(f"{live}/cases/{case.pk}/")
    assert page.locator("#timeline > li").count() == 3
    assert "139****5678" not in page.content()  # the lead unit may call the requester
    page.click("button:has-text('签收')")
    page.wait_for_selector(".messages")
    assert page.locator("#timeline > li").count() == 4
    assert page.locator("#case-state").inner_text() == case.case_type.label("in_progress")
    page.click("details[data-move=answered] summary")
    page.fill("#id_answered_answer", "已更换灯泡，恢复照明。")
    page.click("details[data-move=answered] button[type=submit]")
    page.wait_for_selector("text=已完成：答复办结")
    assert page.locator("#timeline > li").count() == 5
    assert "已更换灯泡，恢复照明。" in page.locator("#timeline").inner_text()
    screenshot(page, "case-detail")
    phone = new_page(chromium, PHONE)
    sign_in(phone, live, "other_handler")  # a co-unit sees the requester masked
    phone.goto(f"{live}/cases/{case.pk}/")
    assert "139****5678" in phone.locator("#requester").inner_text()
    screenshot(phone, "case-detail-phone")


def test_the_list_filters_and_the_registry_tree_opens_with_htmx(chromium, live):
    world, _case = _world()
    page = new_page(chromium)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/cases/")
    assert page.locator(".case-table tbody tr").count() == 4
    page.select_option("select[name=type]", "dispute")  # htmx reloads the results
    # Playwright's locator assertions poll without eval, which the pages' CSP forbids.
    expect(page.locator(".case-table tbody tr")).to_have_count(1)
    assert "type=dispute" in page.url
    page.goto(f"{live}/cases/")
    screenshot(page, "case-list")
    phone = new_page(chromium, PHONE)
    sign_in(phone, live, "dispatcher")
    phone.goto(f"{live}/cases/")
    screenshot(phone, "case-list-phone")

    page.goto(f"{live}/registry/")
    page.click("text=浔中镇")
    page.wait_for_selector("text=浔中村网格驿站")
    assert "书记：王书记" in page.content()
    screenshot(page, "registry-regions")
    page.goto(f"{live}/registry/enterprises/")
    assert world.enterprise.credit_code in page.content() and "驻厂专员：胡荣芳" in page.content()
    screenshot(page, "registry-enterprises")
