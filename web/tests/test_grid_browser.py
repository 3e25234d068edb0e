"""The grid worker's day on a 375 px phone, in Chromium: report with a photo, resolve, visit."""

import time

import pytest

from web.tests.conftest import PHONE, new_page, screenshot, sign_in

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 256

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path):
    from cases.tests.world import World

    settings.MEDIA_ROOT = tmp_path / "media"
    return World.build()


def test_report_a_case_with_a_photo_then_resolve_it_on_the_spot(chromium, live, world, tmp_path):
    from cases.models import Case, CaseAttachment, Status

    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(JPEG)
    page = new_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/grid/")

    started = time.perf_counter()
    page.click("text=上报事项")
    page.click("label:has-text('民情诉求')")
    page.select_option("select[name=category]", label="城乡建设与管理")
    page.fill("textarea[name=description]", "浔中村第一网格主路三盏路灯不亮，夜间出行不便。")
    page.set_input_files("input[name=photo]", str(photo))
    page.fill("input[name=requester_phone]", "13912345678")
    screenshot(page, "grid-report")
    page.click("button:has-text('提交上报')")
    page.wait_for_selector("text=已上报")
    elapsed = time.perf_counter() - started

    case = Case.objects.get()
    assert case.number in page.content()
    assert elapsed < 10, f"reporting took {elapsed:.1f} s"
    print(f"\nreport with photo: {elapsed:.2f} s of wall time for the UI steps")
    assert case.region == world.grid and case.title == "浔中村第一网格主路三盏路灯不亮"
    assert CaseAttachment.objects.filter(case=case).count() == 1

    page.click("text=当场办结")
    page.fill("textarea[name=answer]", "已联系电工当场更换灯泡，恢复照明。")
    page.click("button:has-text('确认当场办结')")
    page.wait_for_selector(f"text=已当场办结：{case.number}。")
    case.refresh_from_db()
    assert (case.status, case.resolved_on_spot) == (Status.ANSWERED, True)
    screenshot(page, "grid-home")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_category_list_follows_the_case_type(chromium, live, world):
    page = new_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/grid/report/")
    page.click("label:has-text('矛盾纠纷')")
    options = page.locator("select[name=category] option").all_inner_texts()
    assert "邻里纠纷" in options and "城乡建设与管理" not in options
    page.click("label:has-text('民情诉求')")
    options = page.locator("select[name=category] option").all_inner_texts()
    assert "城乡建设与管理" in options and "邻里纠纷" not in options


def test_a_return_visit_and_a_mediation_from_the_phone(chromium, live, world):
    from cases.models import CaseEvent, Status

    answered = world.answered(requester_phone="13911112222")
    dispute = world.in_status(Status.IN_PROGRESS, "dispute", title="宅基地边界纠纷")
    page = new_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")

    page.goto(f"{live}/grid/")
    page.click("text=今日回访")
    card = page.locator(f"#case-{answered.pk}")
    assert card.locator("a[href='tel:13911112222']").is_visible()
    screenshot(page, "grid-visits")
    page.check(f"#v{answered.pk}_reached_0")
    page.check(f"#v{answered.pk}_contacted_0")
    page.check(f"#v{answered.pk}_resolved_0")
    page.check(f"#v{answered.pk}_satisfaction_0")
    page.fill(f"#v{answered.pk}_note", "群众表示路灯已修好，满意。")
    card.locator("button:has-text('提交回访')").click()
    page.wait_for_selector(f"text=已完成回访：{answered.number}。")
    answered.refresh_from_db()
    assert (answered.status, answered.visit_satisfaction) == (Status.VERIFIED, "satisfied")

    page.goto(f"{live}/grid/")
    page.click("text=调解记录")
    page.click("text=记录调解")
    page.fill("textarea[name=note]", "组织双方现场丈量，达成一致。")
    page.click("label:has-text('调解成功')")
    screenshot(page, "grid-mediation")
    page.click("button:has-text('保存调解记录')")
    page.wait_for_selector(f"text=已记录调解情况：{dispute.number}。")
    event = CaseEvent.objects.get(case=dispute, kind="mediated")
    assert event.data == {"outcome": "success"}
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_not_reaching_the_requester_hides_the_other_questions(chromium, live, world):
    answered = world.answered()
    page = new_page(chromium, PHONE)
    sign_in(page, live, "grid_worker")
    page.goto(f"{live}/grid/visits/")
    page.check(f"#v{answered.pk}_reached_1")
    assert not page.locator(f"#v{answered.pk}_satisfaction_0").is_visible()
    page.check(f"#v{answered.pk}_reached_0")
    assert page.locator(f"#v{answered.pk}_satisfaction_0").is_visible()
