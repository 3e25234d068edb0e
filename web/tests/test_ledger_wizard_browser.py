"""The ledger import wizard in Chromium: a county dispatcher brings in each kind of ledger an
office keeps (a 12345 export, a 矛盾纠纷 ledger, a 安全隐患 ledger, an 企业诉求 ledger, a 走访
ledger and a 人民调解 form), corrects a column or a word where the system could not be sure,
confirms, and finds the cases in Lianxin at the state and with the dates the ledger records,
their steps marked as imported. One ledger goes through the background with its progress bar
(the test runs the queued task as the worker would, while the page polls)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils.timezone import localtime
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from web.tests.conftest import DESKTOP, new_page, screenshot, sign_in
from web.tests.test_csp_browser import RECORD_VIOLATIONS, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(settings, tmp_path):
    from cases.tests.world import World
    from ledgers.tests.helpers import build_office

    settings.MEDIA_ROOT = tmp_path / "media"
    world = World.build()
    build_office(world)
    return world


def open_wizard(chromium, live: str) -> Page:
    page = new_page(chromium, DESKTOP)
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live, "dispatcher")
    page.click("nav.mainnav >> text=台账导入")
    expect(page.locator("h1")).to_have_text("台账导入")
    return page


def upload(page: Page, path: Path, case_type: str = "") -> None:
    page.set_input_files("#id_file", str(path))
    if case_type:
        page.select_option("#id_case_type", label=case_type)
    page.click("button:has-text('上传并读取')")


def on_mapping(page: Page) -> None:
    page.wait_for_url(re.compile(r"/ledgers/import/jobs/\d+/mapping/$"))
    expect(page.locator("h1")).to_contain_text("核对对应与预览")


def tile(page: Page, label: str):
    return page.locator(f"[data-testid=counts] .tile:has-text('{label}') b")


def preview_again(page: Page) -> None:
    page.click("button:has-text('重新预览')")
    on_mapping(page)


def confirm(page: Page) -> None:
    page.click("button:has-text('确认导入')")
    page.wait_for_url(re.compile(r"/ledgers/import/jobs/\d+/$"))
    expect(page.locator("[data-testid=result]")).to_be_visible()


def imported_events(case) -> set[str]:
    return set(case.events.values_list("via", flat=True))


def test_a_12345_export_goes_through_the_background_with_a_progress_bar(
    chromium, live, world, settings, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    from cases.models import Case, Satisfaction, Status
    from ledgers.tasks import analyse_ledger, import_ledger_job
    from ledgers.tests.layout_books import hotline_export

    settings.LEDGER_IMPORT_INLINE_ROWS = 0  # every ledger in the background
    path = hotline_export(tmp_path / "12345工单导出.xlsx")
    book = load_workbook(path)
    book.worksheets[0]["O5"] = "已销单"  # a state no vocabulary knows
    book.save(path)

    page = open_wizard(chromium, live)
    upload(page, path)
    page.wait_for_url(re.compile(r"/ledgers/import/jobs/\d+/$"))
    expect(page.locator("[data-testid=progress]")).to_contain_text("正在读取台账")
    expect(page.locator("progress.job-progress")).to_be_visible()
    screenshot(page, "ledger-wizard-progress")
    task = DBTaskResult.objects.get(task_path=analyse_ledger.module_path)
    analyse_ledger.call(*task.args_kwargs["args"])
    on_mapping(page)  # the poll saw the run end and moved on

    expect(tile(page, "有误")).to_have_text("1")
    expect(page.locator("[data-testid=errors]")).to_contain_text("无法识别“已销单”")
    page.get_by_label("已销单", exact=True).select_option(Status.CLOSED)
    screenshot(page, "ledger-wizard-12345-mapping")
    page.click("button:has-text('重新预览')")
    expect(page.locator("[data-testid=progress]")).to_contain_text("正在读取台账")
    task = DBTaskResult.objects.filter(task_path=analyse_ledger.module_path).latest("enqueued_at")
    analyse_ledger.call(*task.args_kwargs["args"])
    on_mapping(page)
    expect(tile(page, "有误")).to_have_text("0")
    expect(page.locator("[data-testid=sample]")).to_contain_text("DH20250302002")

    page.click("button:has-text('确认导入')")
    expect(page.locator("[data-testid=progress]")).to_contain_text("正在导入")
    task = DBTaskResult.objects.get(task_path=import_ledger_job.module_path)
    import_ledger_job.call(*task.args_kwargs["args"])
    expect(page.locator("[data-testid=result]")).to_be_visible()
    expect(page.locator("[data-testid=created]")).to_have_text("3")
    screenshot(page, "ledger-wizard-12345-result")

    case = Case.objects.get(ledger_number="DH20250303003")
    assert case.status == Status.CLOSED and case.channel == "hotline"
    assert localtime(case.reported_at).strftime("%Y-%m-%d %H:%M") == "2025-03-03 09:30"
    assert case.visit_satisfaction == Satisfaction.SATISFIED
    assert imported_events(case) == {"import"}
    assert violations(page) == []


def test_a_dispute_ledger_with_a_category_picked_and_bad_rows_skipped(
    chromium, live, world, tmp_path
):
    from cases.models import Case, MediationOutcome, Status
    from ledgers.tests.layout_books import dispute_ledger

    page = open_wizard(chromium, live)
    upload(page, dispute_ledger(tmp_path / "矛盾纠纷排查化解台账.xlsx"))
    on_mapping(page)
    layout = page.locator("[data-testid=layout]")
    expect(layout).to_contain_text("德化县2025年矛盾纠纷排查化解台账")
    expect(layout).to_contain_text("合计行")
    expect(layout).to_contain_text("签名/填报人")
    expect(page.locator("#id_case_type option:checked")).to_have_text("矛盾纠纷")
    page.get_by_label("劳动争议", exact=True).select_option(label="劳动工资纠纷")
    preview_again(page)
    bad = int(tile(page, "有误").inner_text())
    good = int(tile(page, "正确").inner_text())
    page.check("#id_skip_bad_rows")
    confirm(page)
    expect(page.locator("[data-testid=created]")).to_have_text(str(good))
    expect(page.locator("[data-testid=bad]")).to_have_text(str(bad))

    labour = Case.objects.get(requester_name="苏七")
    assert labour.category.name == "劳动工资纠纷" and labour.status == Status.CLOSED
    assert labour.mediation_outcome == MediationOutcome.SUCCESS
    assert localtime(labour.reported_at).date().isoformat() == "2025-04-08"
    assert imported_events(labour) == {"import"}
    assert violations(page) == []


def test_a_hazard_ledger_with_its_lead_unit_column_chosen(chromium, live, world, tmp_path):
    from cases.models import Case, Status
    from ledgers.tests.layout_books import hazard_ledger

    page = open_wizard(chromium, live)
    upload(page, hazard_ledger(tmp_path / "安全隐患排查整改台账.xlsx"))
    on_mapping(page)
    expect(page.locator("#id_case_type option:checked")).to_have_text("安全隐患")
    expect(page.locator("[data-testid=layout]")).to_contain_text("2025-01-01 — 2025-06-30")
    # 参建单位·建设 names who must act: the lead unit.
    page.get_by_label("参建单位 / 建设", exact=True).select_option("lead_unit")
    preview_again(page)
    page.get_by_label("城投公司", exact=True).select_option(label="德化县住房和城乡建设局")
    preview_again(page)
    expect(tile(page, "有误")).to_have_text("0")
    confirm(page)
    expect(page.locator("[data-testid=created]")).to_have_text("2")

    fixed = Case.objects.get(description__contains="脚手架")
    assert fixed.status == Status.CLOSED and fixed.lead_unit.short_name == "住建局"
    open_one = Case.objects.get(description__contains="漏保")
    assert open_one.status == Status.IN_PROGRESS and open_one.lead_unit.short_name == "教育局"
    assert localtime(open_one.reported_at).date().isoformat() == "2025-04-03"
    assert imported_events(open_one) == {"import"}


def test_an_enterprise_demand_ledger_with_its_date_and_source_columns_chosen(
    chromium, live, world, tmp_path
):
    from cases.models import Case, Channel, Status
    from ledgers.models import LedgerProfile
    from ledgers.tests.layout_books import enterprise_demands

    path = enterprise_demands(tmp_path / "企业诉求问题台账.xlsx")
    page = open_wizard(chromium, live)
    upload(page, path)
    on_mapping(page)
    expect(page.locator("[data-testid=errors]")).to_contain_text("台账没有受理时间列")
    page.get_by_label("收集时间", exact=True).select_option("reported_at")
    page.get_by_label("收集方式", exact=True).select_option("channel")
    page.fill("#id_profile_name", "工商联企业诉求台账")
    preview_again(page)
    expect(tile(page, "有误")).to_have_text("0")
    confirm(page)
    expect(page.locator("[data-testid=created]")).to_have_text("3")

    late = Case.objects.get(ledger_number="QY2025-002")
    assert late.status == Status.IN_PROGRESS and late.channel == Channel.MEETING
    assert localtime(late.reported_at).date().isoformat() == "2025-02-12"
    done = Case.objects.get(ledger_number="QY2025-001")
    assert done.status == Status.CLOSED and done.enterprise == world.enterprise
    assert localtime(done.answered_at).date().isoformat() == "2025-03-20"
    assert imported_events(done) == {"import"}

    # The next quarter's ledger of the same shape is recognised.
    assert LedgerProfile.objects.get().name == "工商联企业诉求台账"
    page.goto(f"{live}/ledgers/import/")
    upload(page, path)
    on_mapping(page)
    expect(page.locator("text=已按本单位的对应方案“工商联企业诉求台账”识别")).to_be_visible()
    expect(tile(page, "已导入过的编号")).to_have_text("3")


def test_a_visit_ledger_with_its_words_and_a_shared_village_name_picked(
    chromium, live, world, tmp_path
):
    from cases.models import Case, Satisfaction, Status
    from ledgers.tests.layout_books import visit_ledger

    page = open_wizard(chromium, live)
    upload(page, visit_ledger(tmp_path / "入户走访台账.xlsx"), case_type="民情诉求")
    on_mapping(page)
    expect(page.locator("[data-testid=layout]")).to_contain_text("重复的表头")
    # 是否解决 / 回访情况 and their words (已解决, 正在解决) are in the vocabulary; only the
    # village that two towns share is asked about.
    expect(page.get_by_label("回访情况", exact=True)).to_have_value("satisfaction")
    expect(page.get_by_label("已解决", exact=True)).to_have_count(0)
    page.get_by_label("东园村", exact=True).select_option(label="德化县/浔中镇/东园村")
    screenshot(page, "ledger-wizard-visit-mapping")
    preview_again(page)
    expect(tile(page, "有误")).to_have_text("0")
    confirm(page)
    expect(page.locator("[data-testid=created]")).to_have_text("3")

    helped = Case.objects.get(requester_name="陈大叔")
    assert helped.region.code == "350526100003" and helped.status == Status.IN_PROGRESS
    assert localtime(helped.reported_at).date().isoformat() == "2025-03-06"
    drained = Case.objects.get(requester_name="黄阿婆")
    assert drained.status == Status.CLOSED
    assert drained.visit_satisfaction == Satisfaction.SATISFIED
    assert imported_events(drained) == {"import"}


def test_a_mediation_form_read_as_one_record_per_block(chromium, live, world, tmp_path):
    from cases.models import Case, MediationOutcome
    from ledgers.tests.layout_books import mediation_form

    page = open_wizard(chromium, live)
    upload(page, mediation_form(tmp_path / "人民调解案件登记表.xlsx"))
    on_mapping(page)
    expect(page.locator("[data-testid=layout]")).to_contain_text("逐案登记表")
    expect(page.locator("#id_case_type option:checked")).to_have_text("矛盾纠纷")
    expect(tile(page, "有误")).to_have_text("0")
    confirm(page)
    expect(page.locator("[data-testid=created]")).to_have_text("2")

    failed = Case.objects.get(ledger_number="TJ2025002")
    assert failed.mediation_outcome == MediationOutcome.FAILED
    assert localtime(failed.reported_at).date().isoformat() == "2025-03-09"
    assert imported_events(failed) == {"import"}
    assert violations(page) == []
