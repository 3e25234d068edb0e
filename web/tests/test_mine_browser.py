"""A resident and an enterprise liaison on a 375 px phone, in Chromium: sign in with the phone
number, report with a photo, add information when asked, rate the answer. The staff's moves
are made through the services to keep the test short."""

import struct
import zlib

import pytest

from web.tests.conftest import PHONE, new_page, screenshot


def png(width: int = 96, height: int = 72) -> bytes:
    """A real photo-sized PNG (a blue-grey gradient), so the page shows a thumbnail."""
    rows = b"".join(
        b"\x00" + bytes(c for x in range(width) for c in (90 + x, 110 + y, 140))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path):
    from cases.tests.world import World

    settings.MEDIA_ROOT = tmp_path / "media"
    return World.build()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def sign_in_by_phone(page, live: str, phone: str) -> None:
    page.goto(f"{live}/login/")
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", "pass-12345")
    page.click("button.primary")
    page.wait_for_url(f"{live}/mine/")


def rate(page, satisfaction: str, comment: str) -> None:
    page.check(f"input[name=satisfaction][value={satisfaction}]")
    page.check("input[name=resolved][value='1']")
    page.check("input[name=contacted][value='1']")
    page.fill("textarea[name=comment]", comment)


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_resident_reports_adds_information_and_rates_on_the_phone(
    chromium, live, world, tmp_path
):
    from cases import services
    from cases.models import Case, CaseAttachment, CaseEvent, Status

    photo = tmp_path / "lamp.png"
    photo.write_bytes(png())
    page = new_page(chromium, PHONE)
    sign_in_by_phone(page, live, "13959001234")
    expect(page.locator("h1")).to_have_text("我的诉求")
    screenshot(page, "mine-empty")

    page.click("text=我要反映")
    page.fill("textarea[name=description]", "村口路灯坏了三盏，晚上出行很不方便，请尽快修理。")
    page.fill("[data-place-search]", "xzc")  # 浔中村 by its pinyin initials
    page.click(".place-results button:has-text('浔中村')")
    expect(page.locator("select[name=region]")).to_have_value(str(world.village.pk))
    expect(page.locator("select[name=town]")).to_have_value(str(world.town.pk))
    page.fill("input[name=address]", "村委会东侧")
    page.set_input_files("input[name=photos]", str(photo))
    expect(page.locator("[data-photo-name]")).to_have_text("lamp.png")
    fits_the_phone(page)
    screenshot(page, "mine-report")
    page.click("button:has-text('提交')")
    expect(page.locator(".messages")).to_contain_text("您的诉求已提交")
    case = Case.objects.get()
    assert case.region == world.village and case.requester == world.resident.person
    assert CaseAttachment.objects.filter(case=case).count() == 1
    expect(page.locator(".photos img")).to_have_count(1)
    screenshot(page, "mine-submitted")

    services.request_info(case, actor=world.dispatcher, question="请补充路灯的编号。")
    page.click("text=‹ 我的诉求")
    expect(page.locator(".todo.ask")).to_have_text("请补充信息 ›")
    screenshot(page, "mine-list-asked")
    page.click(f"text={case.title}")
    expect(page.locator(".question")).to_have_text("请补充路灯的编号。")
    page.fill("textarea[name=info]", "编号 17 至 19。")
    screenshot(page, "mine-add-info")
    page.click("button:has-text('提交补充信息')")
    expect(page.locator(".messages")).to_contain_text("已补充信息")
    expect(page.locator(".ask-card")).to_have_count(0)

    case = services.triage_case(
        Case.objects.get(), actor=world.dispatcher, category=world.category()
    )
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    case = services.accept_case(case, actor=world.handler)
    services.answer_case(case, actor=world.handler, answer="已更换路灯三盏，恢复照明。")
    page.reload()
    expect(page.locator(".answer-text")).to_have_text("已更换路灯三盏，恢复照明。")
    rate(page, "satisfied", "修得很快，谢谢！")
    fits_the_phone(page)
    screenshot(page, "mine-rate")
    page.click("button:has-text('提交评价')")
    expect(page.locator(".messages")).to_contain_text("感谢您的评价！")
    expect(page.locator(".steps")).to_contain_text("您已评价：满意。")
    screenshot(page, "mine-rated")

    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.visit_valid and case.visit_passed
    assert CaseEvent.objects.filter(case=case, kind="rated", via="web").exists()


def test_a_liaison_files_for_the_enterprise_through_the_chain_committee(chromium, live, world):
    from cases import services
    from cases.models import Case, Satisfaction, Status
    from cases.tests.world import make_user
    from people.models import Role

    chain_dispatcher = make_user(
        "chain_dispatcher", Role.DISPATCHER, organisation=world.chain_committee
    )
    page = new_page(chromium, PHONE)
    sign_in_by_phone(page, live, "13905951234")
    page.click("text=我要反映")
    expect(page.locator(".filer")).to_contain_text("德化佳诚陶瓷有限公司（企业诉求）")
    page.fill("textarea[name=description]", "企业扩产需要增加用工 50 人，请协助招聘。")
    page.select_option("select[name=category]", label="人力人才")
    fits_the_phone(page)
    screenshot(page, "mine-liaison-report")
    page.click("button:has-text('提交')")
    expect(page.locator(".messages")).to_contain_text("您的诉求已提交")
    case = Case.objects.get()
    assert case.enterprise == world.enterprise and case.committee == world.chain_committee
    assert case.region == world.town  # the enterprise's own place, preselected

    case = services.request_info(case, actor=chain_dispatcher, question="需要哪些工种？")
    page.reload()
    page.fill("textarea[name=info]", "成型工 30 人，彩绘工 20 人。")
    page.click("button:has-text('提交补充信息')")
    expect(page.locator(".messages")).to_contain_text("已补充信息")

    case = services.triage_case(Case.objects.get(), actor=chain_dispatcher)
    case = services.assign_case(case, actor=chain_dispatcher, lead_unit=world.dept)
    case = services.accept_case(case, actor=world.handler)
    services.answer_case(case, actor=world.handler, answer="已组织专场招聘会，推荐 56 人。")
    page.reload()
    expect(page.locator(".steps")).to_contain_text("您的诉求已交办至人社局")
    rate(page, Satisfaction.BASIC, "人已到岗，还需培训。")
    screenshot(page, "mine-liaison-rate")
    page.click("button:has-text('提交评价')")
    expect(page.locator(".messages")).to_contain_text("感谢您的评价！")
    case.refresh_from_db()
    assert case.status == Status.VERIFIED and case.visit_satisfaction == Satisfaction.BASIC
