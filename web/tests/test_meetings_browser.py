"""Meeting entry on a 375 px phone, in Chromium: a joint meeting with three demands."""

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_a_meeting_with_three_demands(chromium, live):
    from cases.models import Case, Channel, Meeting
    from cases.tests.world import World

    world = World.build()
    types = world.types
    page = new_page(chromium, PHONE)
    sign_in(page, live, "dispatcher")
    page.goto(f"{live}/meetings/")
    page.click("label:has-text('联席会议')")
    page.fill("input[name=title]", "陶瓷产业链第三季度联席会议")
    page.fill("input[name=place]", "产业链党群服务中心")
    page.select_option("select[name=host]", label=world.chain_committee.name)
    page.fill("textarea[name=attendees]", "链上企业负责人、人社局、税务局")

    demands = [
        ("enterprise_demand", "人力人才", "企业反映一线技术工人招工难，希望组织专场招聘会。"),
        ("resident_issue", "城乡建设与管理", "园区道路破损，货车通行困难。"),
        ("dispute", "合同纠纷", "两家企业因货款结算发生纠纷，请求调解。"),
    ]
    for index, (code, category, text) in enumerate(demands):
        if index == 2:
            page.click("text=再添加一条诉求")
        row = f"#f-demands-{index}"
        page.select_option(f"{row}-case_type select", str(types[code].pk))
        page.select_option(f"{row}-category select", label=category)
        page.fill(f"{row}-description textarea", text)
    page.fill("#id_demands-0-requester_name", "李四")
    page.select_option("#id_demands-0-enterprise", label=world.enterprise.name)
    screenshot(page, "meeting-new")
    page.click("button:has-text('保存会议和诉求')")
    page.wait_for_selector("text=登记诉求 3 件")

    meeting = Meeting.objects.get()
    cases = list(Case.objects.order_by("pk"))
    assert [c.meeting for c in cases] == [meeting] * 3
    assert [c.category.name for c in cases] == ["人力人才", "城乡建设与管理", "合同纠纷"]
    assert {c.channel for c in cases} == {Channel.MEETING}
    assert cases[0].enterprise == world.enterprise
    body = page.content()
    assert all(c.number in body for c in cases)
    screenshot(page, "meeting-detail")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
