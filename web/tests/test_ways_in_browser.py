"""Every way in, round the whole loop, in Chromium: a call registered at the hotline desk, a
resident's report on the phone and an enterprise liaison's report on the phone. The dispatchers
triage and assign, the unit accepts and answers, the requesters rate on their phones, the
dispatchers close — every move a click. On the way the unit is told of each assignment in its
inbox and in its WeCom group (a local HTTP server stands in for the robot), and each requester is
told of the answer by SMS and, with an account, in the inbox.

The notification tasks run between the steps as the background worker would (the live server
queues them in the database after each move's commit).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from notify.tests.conftest import http_recorder  # noqa: F401  (the fixture)
from web.tests.conftest import DESKTOP, PHONE, new_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT_PHONE, LIAISON_PHONE = "13959001234", "13905951234"


@pytest.fixture
def world(settings, tmp_path, http_recorder):  # noqa: F811
    from cases.tests.world import World
    from notify import rules, sms
    from notify.models import Channel, NotificationRule, Recipient, Webhook

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_QUIET_HOURS = ""  # the test may run at night
    settings.NOTIFY_SMS_BACKEND = "notify.sms.OutboxSmsBackend"
    world = World.build()
    category = world.category()
    category.suggested_unit = world.dept
    category.save()
    # A transactional test starts from an emptied database: the rules the office would have.
    for kind, recipient, channel, template in (
        ("assigned", Recipient.LEAD_HANDLERS, Channel.INBOX, "新交办事项{number}「{title}」"),
        ("assigned", Recipient.LEAD_HANDLERS, Channel.WECOM, "【连心桥】新交办{number}「{title}」"),
        ("answered", Recipient.REQUESTER, Channel.INBOX, "您的诉求{number}已答复"),
        ("answered", Recipient.REQUESTER, Channel.SMS, "【连心桥】您反映的{number}已答复"),
    ):
        NotificationRule.objects.update_or_create(
            kind=kind,
            recipient=recipient,
            channel=channel,
            defaults={"template": template, "is_active": True},
        )
    Webhook.objects.create(
        name="人社局工作群",
        kind=Webhook.Kind.WECOM,
        url=http_recorder.url + "/cgi-bin/webhook/send?key=test",
        organisation=world.dept,
    )
    rules.invalidate()
    sms.outbox.clear()
    yield world
    rules.invalidate()
    sms.outbox.clear()


def sign_in_by_phone(page, live: str, phone: str) -> None:
    page.goto(f"{live}/login/")
    page.fill("input[name=username]", phone)
    page.fill("input[name=password]", "pass-12345")
    page.click("button.primary")
    page.wait_for_url(f"{live}/mine/")


def report_on_the_phone(page, text: str, *, place: str = "") -> int:
    page.click("text=我要反映")
    page.fill("textarea[name=description]", text)
    if place:  # a liaison's enterprise has its place already chosen
        page.fill("[data-place-search]", "xzc")
        page.click(f".place-results button:has-text('{place}')")
    page.click("button:has-text('提交')")
    expect(page.locator(".messages")).to_contain_text("您的诉求已提交")
    found = re.search(r"/mine/(\d+)/", page.url)
    assert found is not None, page.url
    return int(found.group(1))


def triage_and_assign(page, live: str, pk: int, category_pk: int, unit_pk: int) -> None:
    page.goto(f"{live}/dispatch/cases/{pk}/triage/")
    page.select_option("#id_category", str(category_pk))
    page.select_option("#id_lead_unit", str(unit_pk))
    page.click("button:has-text('研判并交办')")
    page.wait_for_load_state()


def accept_and_answer(page, live: str, pk: int, answer: str) -> None:
    page.goto(f"{live}/dept/")
    page.click(f"#case-{pk} button:has-text('签收')")
    page.wait_for_url(f"{live}/dept/cases/{pk}/")
    page.fill("#answered textarea", answer)
    page.click("#answered button:has-text('办结答复')")
    expect(page.locator(".messages")).to_contain_text("已答复")


def rate_on_the_phone(page, live: str, pk: int, satisfaction: str) -> None:
    page.goto(f"{live}/mine/{pk}/")
    page.check(f"input[name=satisfaction][value={satisfaction}]")
    page.check("input[name=resolved][value='1']")
    page.check("input[name=contacted][value='1']")
    page.fill("textarea[name=comment]", "办得及时，谢谢。")
    page.click("button:has-text('提交评价')")
    expect(page.locator(".messages")).to_contain_text("感谢您的评价！")


def close(page, live: str, pk: int) -> None:
    page.goto(f"{live}/dispatch/closing/")
    page.click(f"#case-{pk} button:has-text('销号')")
    expect(page.locator(".messages")).to_contain_text("已销号")


def test_the_desk_the_resident_and_the_enterprise_go_round_the_loop(
    chromium,
    live,
    world,
    http_recorder,  # noqa: F811
):
    from cases.models import Case, CaseEvent, Status
    from cases.tests.world import make_user
    from notify import sms
    from notify.models import Notification
    from notify.tests.helpers import run_notify_tasks
    from people.models import Role

    make_user("chain_dispatcher", Role.DISPATCHER, organisation=world.chain_committee)

    # 1. The operator registers the resident's call at the desk and assigns it at once.
    desk = new_page(chromium, DESKTOP)
    desk.goto(f"{live}/login/")
    desk.fill("input[name=username]", "operator")
    desk.fill("input[name=password]", "pass-12345")
    desk.click("button.primary")
    desk.wait_for_url(f"{live}/desk/")  # the operator's home is the desk
    desk.fill("#id_requester_phone", RESIDENT_PHONE)
    desk.fill("#id_requester_name", "王秀英")
    desk.select_option("#id_case_type", str(world.types["resident_issue"].pk))
    desk.fill("#id_place", "xzc")
    desk.locator("#place-list [role=option]").first.click()
    expect(desk.locator("#id_region")).to_have_value(str(world.village.pk))
    desk.select_option("#id_category", str(world.category().pk))
    expect(desk.locator("#id_lead_unit")).to_have_value(str(world.dept.pk))
    desk.fill("#id_description", "浔中村村委会东侧路灯坏了三盏，夜间出行不便。")
    desk.click("button:has-text('研判交办')")
    expect(desk.locator("[data-testid=desk-done]")).to_contain_text("已交办至人社局")
    called = Case.objects.get(channel="hotline")
    assert called.requester == world.resident.person and called.status == Status.ASSIGNED

    # 2. The resident reports on the phone; 3. so does the enterprise's liaison.
    resident = new_page(chromium, PHONE)
    sign_in_by_phone(resident, live, RESIDENT_PHONE)
    expect(resident.locator(f"text={called.number}")).to_be_visible()  # the call is theirs too
    own = report_on_the_phone(resident, "小区门口下水道堵塞，污水漫到路面。", place="浔中村")
    liaison = new_page(chromium, PHONE)
    sign_in_by_phone(liaison, live, LIAISON_PHONE)
    firm = report_on_the_phone(liaison, "企业扩产需增加用工50人，请协助招聘。")
    assert Case.objects.get(pk=firm).committee == world.chain_committee

    # The county dispatcher and the chain committee's dispatcher triage and assign.
    dispatcher = new_page(chromium, DESKTOP)
    sign_in(dispatcher, live, "dispatcher")
    triage_and_assign(dispatcher, live, own, world.category().pk, world.dept.pk)
    chain = new_page(chromium, DESKTOP)
    sign_in(chain, live, "chain_dispatcher")
    triage_and_assign(chain, live, firm, world.category("enterprise_demand").pk, world.dept.pk)
    assert set(Case.objects.values_list("status", flat=True)) == {Status.ASSIGNED}

    # The unit hears of its three assignments: in the inbox and in its WeCom group.
    assert run_notify_tasks() > 0
    numbers = list(Case.objects.order_by("pk").values_list("number", flat=True))
    robot = [r.json() for r in http_recorder.received if "/cgi-bin/webhook/" in r.path]
    assert {m["msgtype"] for m in robot} == {"text"}
    told = "\n".join(m["text"]["content"] for m in robot)
    assert all(number in told for number in numbers)
    handler = new_page(chromium, DESKTOP)
    sign_in(handler, live, "handler")
    handler.goto(f"{live}/inbox/")
    expect(handler.locator(".inbox-link .badge")).to_have_text("3")
    for number in numbers:
        expect(handler.locator(f"text=新交办事项{number}").first).to_be_visible()
    screenshot(handler, "ways-in-unit-inbox")

    # The unit accepts and answers each.
    for pk in (called.pk, own, firm):
        accept_and_answer(handler, live, pk, "已安排处理完毕，请您查看。")
    assert set(Case.objects.values_list("status", flat=True)) == {Status.ANSWERED}

    # The requesters are told of the answer: by SMS, and in the inbox of their account.
    run_notify_tasks()
    texts = {(m.phone, m.text) for m in sms.outbox}
    for pk, phone in ((called.pk, RESIDENT_PHONE), (own, RESIDENT_PHONE), (firm, LIAISON_PHONE)):
        number = Case.objects.get(pk=pk).number
        assert any(p == phone and number in t for p, t in texts), (number, texts)
    resident.goto(f"{live}/inbox/")
    expect(resident.locator("text=已答复").first).to_be_visible()
    told = Notification.objects.filter(user=world.resident, kind="answered", channel="inbox")
    assert told.count() == 2

    # The requesters rate on their phones: that is the return visit.
    rate_on_the_phone(resident, live, called.pk, "satisfied")
    rate_on_the_phone(resident, live, own, "basic")
    rate_on_the_phone(liaison, live, firm, "satisfied")
    screenshot(liaison, "ways-in-rated")
    assert set(Case.objects.values_list("status", flat=True)) == {Status.VERIFIED}

    # The dispatchers close.
    close(dispatcher, live, called.pk)
    close(dispatcher, live, own)
    close(chain, live, firm)
    for case in Case.objects.all():
        assert case.status == Status.CLOSED and case.visit_valid
        kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
        assert kinds[-2:] == ["rated", "closed"], kinds
        assert "accepted" in kinds and "answered" in kinds
