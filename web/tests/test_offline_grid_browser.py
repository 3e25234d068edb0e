"""The grid worker without signal, in Chromium on a 375 px phone: the report page opens from the
phone, a report with a photo waits on the phone, and arrives exactly once when the signal does."""

from __future__ import annotations

import pytest
from django.core.signals import request_started
from playwright.sync_api import expect

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 256
TITLE = "浔中村第一网格主路三盏路灯不亮"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path):
    from cases.tests.world import World

    settings.MEDIA_ROOT = tmp_path / "media"
    return World.build()


@pytest.fixture
def served():
    """The paths the live server was asked for (its request threads run in this process)."""
    paths: list[str] = []

    def record(sender, environ, **kwargs):
        paths.append(environ.get("PATH_INFO", ""))

    request_started.connect(record)
    yield paths
    request_started.disconnect(record)


def wait_for_worker(page) -> None:
    """Until the worker controls the page (wait_for_function would need eval, which the CSP
    refuses)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    for _ in range(100):
        if page.evaluate("navigator.serviceWorker.controller !== null"):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the service worker never took the page")


def banner(page):
    return page.locator("[data-offline-banner]")


def test_a_report_made_offline_waits_on_the_phone_and_arrives_once(
    chromium, live, world, tmp_path, served
):
    from cases.models import Case, CaseAttachment, CaseEvent, EventKind

    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(JPEG)
    page = new_page(chromium, PHONE)
    context = page.context
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live, "grid_worker")

    # Online: the report page installs the worker, which keeps the grid pages' shell.
    page.goto(f"{live}/grid/report/")
    wait_for_worker(page)
    assert "/sw.js" in served

    # No signal: the report is kept on the phone with its photo.
    context.set_offline(True)
    page.click("label:has-text('民情诉求')")
    page.select_option("select[name=category]", label="城乡建设与管理")
    page.fill("textarea[name=description]", TITLE + "，夜间出行不便。")
    page.set_input_files("input[name=photo]", str(photo))
    page.click("button:has-text('提交上报')")
    expect(banner(page)).to_contain_text("已保存在手机上，有信号后自动上报（待上报 1 条）")
    expect(banner(page)).to_contain_text(TITLE)
    assert page.input_value("textarea[name=description]") == ""  # ready for the next one
    screenshot(page, "offline-report-waiting")
    assert not Case.objects.exists()

    # Still no signal: the page opens from the phone and still shows it waiting.
    served.clear()
    page.reload()
    expect(page.locator("h1")).to_have_text("上报事项")
    expect(banner(page)).to_contain_text("待上报 1 条")
    assert "/grid/report/" not in served, "the page came from the server, not the phone"
    assert page.locator("button:has-text('提交上报')").is_visible()
    screenshot(page, "offline-report-reloaded")
    assert not Case.objects.exists()

    # The signal returns: the report is sent once and the banner says so with its number.
    context.set_offline(False)
    expect(banner(page)).to_contain_text("已上报", timeout=15000)
    case = Case.objects.get(title=TITLE)
    expect(banner(page)).to_contain_text(case.number)
    expect(banner(page)).not_to_contain_text("待上报 1 条")
    assert case.reported_by == world.grid_worker
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REPORTED).count() == 1
    assert CaseAttachment.objects.filter(case=case).count() == 1
    assert case.attachments.get().file.read() == JPEG
    screenshot(page, "offline-report-sent")

    # Another load sends nothing twice.
    page.reload()
    expect(banner(page)).to_contain_text(case.number)
    page.wait_for_timeout(500)
    assert Case.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert errors == []


def test_a_refused_report_is_marked_to_fix_and_reopens_filled_in(chromium, live, world):
    from cases.models import Case

    page = new_page(chromium, PHONE)
    context = page.context
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/grid/report/")
    wait_for_worker(page)

    context.set_offline(True)
    page.click("label:has-text('民情诉求')")
    page.select_option("select[name=category]", label="城乡建设与管理")
    page.fill("textarea[name=description]", "村口垃圾无人清运，气味很大。")
    page.fill("input[name=requester_phone]", "12")  # the server refuses it, the browser does not
    page.click("button:has-text('提交上报')")
    expect(banner(page)).to_contain_text("待上报 1 条")

    context.set_offline(False)
    expect(banner(page)).to_contain_text("需修改", timeout=15000)
    expect(banner(page)).to_contain_text("请输入有效的电话号码")
    screenshot(page, "offline-report-to-fix")
    assert not Case.objects.exists()

    page.click("[data-offline-banner] a:has-text('重新打开')")
    # The form is refilled from IndexedDB after the page loads: wait for it, then read it.
    expect(page.locator("textarea[name=description]")).to_have_value("村口垃圾无人清运，气味很大。")
    assert page.input_value("select[name=category]") != ""
    assert page.is_checked("label:has-text('民情诉求') input")
    expect(page.locator("#f-requester_phone .offline-errors")).to_contain_text("有效的电话号码")
    screenshot(page, "offline-report-reopened")
    page.fill("input[name=requester_phone]", "13912345678")
    page.click("button:has-text('提交上报')")
    page.wait_for_url(f"{live}/grid/cases/*/reported/")
    case = Case.objects.get()
    assert case.requester_phone == "13912345678" and case.title == "村口垃圾无人清运，气味很大"
    expect(banner(page)).to_contain_text(f"已上报 {case.number}")


def test_a_return_visit_made_offline_is_made_once_when_the_signal_returns(chromium, live, world):
    from cases.models import CaseEvent, EventKind, Status

    case = world.answered(requester_phone="13911112222")
    page = new_page(chromium, PHONE)
    context = page.context
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/grid/visits/")
    wait_for_worker(page)

    context.set_offline(True)
    form = page.locator(f"#case-{case.pk} form")
    for name in ("reached", "contacted", "resolved"):
        form.locator(f"input[name={name}][value='1']").check()
    form.locator("input[name=satisfaction][value=satisfied]").check()
    form.locator("textarea[name=note]").fill("电话回访，群众表示路灯已亮。")
    form.locator("button:has-text('提交回访')").click()
    expect(banner(page)).to_contain_text("待上报 1 条")
    expect(page.locator(f"#case-{case.pk} .offline-note")).to_have_text(
        "已保存在手机上，有信号后自动上报。"
    )
    expect(form).to_be_hidden()
    screenshot(page, "offline-visit-waiting")

    context.set_offline(False)
    expect(banner(page)).to_contain_text(f"已上报 {case.number}", timeout=15000)
    expect(page.locator(f"#case-{case.pk} .offline-note")).to_have_text(f"已上报 {case.number}")
    case.refresh_from_db()
    assert case.status == Status.VERIFIED
    assert CaseEvent.objects.filter(case=case, kind=EventKind.VISITED).count() == 1
    screenshot(page, "offline-visit-sent")


def test_a_report_whose_post_gets_no_answer_is_kept_by_the_worker(chromium, live, world):
    """The phone shows signal but nothing gets through: the worker keeps the post and sends the
    page back to the form, which shows it waiting."""
    from cases.models import Case, CaseEvent, EventKind

    page = new_page(chromium, PHONE)
    context = page.context
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/grid/report/")
    wait_for_worker(page)

    def no_answer(route):
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    context.route("**/grid/report/", no_answer)
    page.click("label:has-text('民情诉求')")
    page.fill("textarea[name=description]", "桥头护栏松动，存在安全隐患。")
    page.click("button:has-text('提交上报')")
    page.wait_for_url(f"{live}/grid/report/#offline-saved")
    expect(banner(page)).to_contain_text("待上报 1 条")
    assert not Case.objects.exists()

    context.unroute("**/grid/report/")
    # The next page load sends what waits (as do the `online` event and the half-minute retry,
    # whose timing a loaded machine makes uncertain).
    page.reload()
    expect(banner(page)).to_contain_text("已上报", timeout=15000)
    case = Case.objects.get()
    assert case.title == "桥头护栏松动，存在安全隐患"
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REPORTED).count() == 1


def test_a_household_visit_made_offline_arrives_once_with_its_demands(chromium, live, world):
    from cases.models import Case
    from households.models import HouseholdVisit
    from households.tests.helpers import build

    home = build(world).home
    page = new_page(chromium, PHONE)
    context = page.context
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/households/{home.pk}/visit/")
    wait_for_worker(page)

    context.set_offline(True)
    page.fill("textarea[name=findings]", "老人腿脚不便，门前路灯不亮。")
    page.select_option("select[name=case_type]", label="民情诉求")
    page.fill("textarea[name=demands]", "门前路灯不亮\n申请临时救助")
    page.click("button:has-text('保存走访')")
    expect(banner(page)).to_contain_text("待上报 1 条")
    expect(banner(page)).to_contain_text("李春生户")
    screenshot(page, "offline-household-visit-waiting")

    context.set_offline(False)
    expect(banner(page)).to_contain_text("已上报", timeout=15000)
    visit = HouseholdVisit.objects.get()
    numbers = sorted(Case.objects.filter(household=home).values_list("number", flat=True))
    assert visit.cases.count() == 2 and len(numbers) == 2
    expect(banner(page)).to_contain_text(" ".join(numbers))
    screenshot(page, "offline-household-visit-sent")
