"""Importing offices' own ledgers with their history: each kind of ledger, the business key,
all-or-nothing, scope, and the command line."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from cases.models import Case, CaseEvent, EventKind, MediationOutcome, Satisfaction, Status, Via
from ledgers.history import UPDATE, HistoryOptions, import_history, ledger_number
from ledgers.reader import LedgerFileError
from ledgers.tests.helpers import run, run_failing
from ledgers.tests.layout_books import (
    dispute_ledger,
    dispute_statistics,
    excel_time,
    hazard_ledger,
    hotline_export,
    mediation_form,
    save_book,
)
from ledgers.vocabulary import MappingProfile
from orgs.models import Organisation
from regions.models import Region, RegionLevel

TZ = ZoneInfo("Asia/Shanghai")


def options(world, **fields) -> HistoryOptions:
    values = {
        "case_type": world.types["resident_issue"],
        "profile": MappingProfile(),
        "actor": world.dispatcher,
    }
    values.update(fields)
    return HistoryOptions(**values)


def edit(path, cells):
    book = load_workbook(path)
    for ref, value in cells.items():
        book.worksheets[0][ref] = value
    book.save(path)
    return path


def events(case: Case) -> list[CaseEvent]:
    return list(case.events.order_by("created_at", "pk"))


def test_a_hotline_export_comes_in_closed_with_its_history(world, office, tmp_path):
    path = hotline_export(tmp_path / "12345.xlsx")
    result = import_history(path, options(world))
    assert result.errors == []
    assert (result.rows, result.created, result.imported) == (3, 3, True)
    case = Case.objects.get(ledger_number="DH20250301001")
    assert case.status == Status.CLOSED
    assert case.region == office["宝美村"]
    assert case.lead_unit.name == "浔中镇人民政府"
    assert case.category.name == "城乡建设与管理"
    assert case.channel == "hotline"  # a 12345 export's rows were calls
    assert case.reported_at == datetime(2025, 3, 1, 9, 30, tzinfo=TZ)
    assert case.reported_month == 202503
    assert case.answered_at == datetime(2025, 3, 4, tzinfo=TZ)
    # A date as the limit: the end of that working day.
    assert case.deadline.astimezone(TZ).date().isoformat() == "2025-03-06"
    assert case.answered_on_time is True
    assert case.visit_satisfaction == Satisfaction.SATISFIED
    assert case.requester_name == "张三" and case.requester_phone == "13800000001"
    assert case.details["办理时限"]  # the limit as the ledger wrote it, beside the deadline
    log = events(case)
    assert [e.kind for e in log][0] == EventKind.REPORTED and log[-1].kind == EventKind.CLOSED
    assert {e.via for e in log} == {Via.IMPORT}
    assert log[0].created_at == case.reported_at
    assert all(e.data["ledger"] == "12345.xlsx" for e in log)
    assert log[0].actor == world.dispatcher


def test_imported_closed_cases_stay_out_of_the_triage_queue(world, office, tmp_path, client):
    path = edit(hotline_export(tmp_path / "12345.xlsx"), {"O2": "待处理", "L2": None})
    result = import_history(path, options(world))
    assert result.created == 3
    waiting = Case.objects.get(ledger_number="DH20250301001")
    assert waiting.status == Status.REPORTED
    client.force_login(world.dispatcher)
    page = client.get("/dispatch/").content.decode()
    assert waiting.title in page
    for closed in Case.objects.filter(ledger_number__in=["DH20250302002", "DH20250303003"]):
        assert closed.status == Status.CLOSED
        assert closed.title not in page


def test_importing_again_skips_or_moves_the_cases_on(world, office, tmp_path):
    path = edit(hotline_export(tmp_path / "12345.xlsx"), {"N2": None, "O2": "办理中", "L2": None})
    first = import_history(path, options(world))
    assert first.created == 3
    case = Case.objects.get(ledger_number="DH20250301001")
    assert case.status == Status.IN_PROGRESS
    again = import_history(path, options(world))
    assert (again.created, again.skipped, again.updated) == (0, 3, 0)
    assert Case.objects.filter(ledger_number__startswith="DH2025").count() == 3
    # A later export of the same ledger: the case was answered and closed since.
    later = edit(path, {"N2": "满意", "O2": "已办结", "L2": excel_time(2025, 3, 10)})
    moved = import_history(later, options(world, duplicates=UPDATE))
    assert (moved.created, moved.updated, moved.skipped) == (0, 1, 2)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.visit_satisfaction == Satisfaction.SATISFIED
    kinds = [e.kind for e in events(case)]
    assert kinds.count(EventKind.REPORTED) == 1 and kinds[-1] == EventKind.CLOSED


def test_the_business_key_is_normalised_and_in_file_duplicates_are_reported(
    world, office, tmp_path
):
    assert ledger_number("工单编号：ＤＨ 2025 0301") == "DH20250301"
    assert ledger_number(" no.12-3 ") == "12-3"
    path = edit(hotline_export(tmp_path / "12345.xlsx"), {"B5": "dh2025030 1001"})
    result = import_history(path, options(world))
    assert result.imported is False and Case.objects.count() == 0
    assert result.duplicates_in_file == {"DH20250301001": [2, 5]}
    [error] = result.errors
    assert (error.row, error.column) == (5, "工单编号")
    assert "第2行" in error.message


def test_all_or_nothing_unless_bad_rows_are_skipped(world, office, tmp_path):
    path = edit(hotline_export(tmp_path / "12345.xlsx"), {"C3": "2025年2月30日"})
    result = import_history(path, options(world))
    assert (result.imported, result.created, result.bad) == (False, 0, 1)
    assert Case.objects.count() == 0
    assert str(result.errors[0]).startswith("第3行 受理时间：")
    skipped = import_history(path, options(world, skip_bad_rows=True))
    assert (skipped.imported, skipped.created, skipped.bad) == (True, 2, 1)


def test_a_dry_run_writes_nothing_and_lists_the_questions(world, office, tmp_path):
    Region.objects.create(
        name="宝美村", code="350526101009", level=RegionLevel.VILLAGE, parent=world.other_town
    )
    path = edit(
        hotline_export(tmp_path / "12345.xlsx"),
        {"G2": None, "O3": "研判中", "J5": "县文旅局", "I5": "夜市管理"},
    )
    result = import_history(path, options(world, dry_run=True))
    assert Case.objects.count() == 0 and result.imported is False
    assert result.unknown_values["status"] == ["研判中"]
    assert result.unknown_values["lead_unit"] == ["县文旅局"]
    assert result.unknown_values["category"] == ["夜市管理"]
    assert "宝美村" in result.ambiguous_places
    codes = [code for code, _label in result.ambiguous_places["宝美村"]]
    assert codes == ["350526100002", "350526101009"]
    # The user's picks, saved in the profile, answer every question.
    profile = MappingProfile(
        values={
            "status": {"研判中": Status.TRIAGED},
            "lead_unit": {"县文旅局": str(Organisation.objects.get(short_name="住建局").pk)},
            "category": {
                "夜市管理": str(world.types["resident_issue"].categories.get(code="10").pk)
            },
            "place": {"宝美村": "350526100002"},
        }
    )
    again = import_history(path, options(world, profile=profile))
    assert again.errors == [] and again.created == 3
    assert Case.objects.get(ledger_number="DH20250302002").status == Status.TRIAGED


def test_places_outside_the_importers_area_are_refused(world, office, tmp_path):
    from cases.tests.world import make_user
    from people.models import Role

    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    path = hotline_export(tmp_path / "12345.xlsx")
    result = import_history(path, options(world, actor=town_dispatcher))
    assert result.imported is False
    assert {e.row for e in result.errors} == {3, 5}  # 龙浔镇 and 三班镇 are not 浔中镇's


def test_a_dispute_ledger_with_title_merged_cells_and_footer(world, office, tmp_path):
    path = dispute_ledger(tmp_path / "dispute.xlsx")
    unit = Organisation.objects.get(name="浔中镇人民政府")
    labour = world.types["dispute"].categories.get(name="劳动工资纠纷")
    # 劳动争议 is not one of the county's words: the office maps it once.
    profile = MappingProfile(values={"category": {"劳动争议": str(labour.pk)}})
    result = import_history(
        path,
        options(world, case_type=world.types["dispute"], default_unit=unit, profile=profile),
    )
    assert result.errors == [], result.errors
    assert result.created == 5
    assert {r.kind for r in result.left_out} >= {"total", "signature", "note"}
    cases = {c.requester_name: c for c in Case.objects.filter(case_type__code="dispute")}
    # 村 merged over three rows, 镇 over five: every row has its place.
    assert cases["林三"].region == office["宝美村"]
    assert cases["许八"].region == office["东园村"]
    # The ledger's period year (填报时间 2025) dates "2月6日".
    assert cases["林三"].reported_at.astimezone(TZ).date().isoformat() == "2025-02-06"
    assert cases["陈一"].status == Status.CLOSED
    assert cases["陈一"].mediation_outcome == MediationOutcome.SUCCESS
    assert cases["郑五"].status == Status.IN_PROGRESS and cases["郑五"].lead_unit == unit
    assert cases["许八"].mediation_outcome == MediationOutcome.REFERRED
    assert cases["陈一"].details["对方当事人"] == "陈二"
    assert cases["林三"].category.name == "婚姻家庭纠纷"


def test_a_hazard_ledger_with_a_two_row_header(world, office, tmp_path):
    path = hazard_ledger(tmp_path / "hazard.xlsx")
    result = import_history(
        path,
        options(
            world,
            case_type=world.types["hazard"],
            default_region=world.town,
            default_unit=Organisation.objects.get(name="浔中镇人民政府"),
        ),
    )
    assert result.errors == [], result.errors
    done = Case.objects.get(description="脚手架连墙件缺失")
    assert done.status == Status.CLOSED and done.risk_level == "low"
    assert done.deadline.astimezone(TZ).date().isoformat() == "2025-03-20"
    assert done.details["参建单位·建设"] == "城投公司"
    open_one = Case.objects.get(description="临时用电未接漏保")
    assert open_one.status == Status.IN_PROGRESS and open_one.risk_level == "high"


def test_a_form_of_one_block_per_case(world, office, tmp_path):
    path = mediation_form(tmp_path / "form.xlsx")
    result = import_history(
        path,
        options(
            world,
            case_type=world.types["dispute"],
            default_region=world.village,
            default_unit=Organisation.objects.get(name="浔中镇人民政府"),
        ),
    )
    assert result.errors == [], result.errors
    first = Case.objects.get(ledger_number="TJ2025001")
    assert first.mediation_outcome == MediationOutcome.SUCCESS
    assert first.status == Status.CLOSED
    assert Case.objects.get(ledger_number="TJ2025002").mediation_outcome == "failed"


def test_a_statistics_sheet_is_refused(world, tmp_path):
    with pytest.raises(LedgerFileError) as refused:
        import_history(dispute_statistics(tmp_path / "stats.xlsx"), options(world))
    assert "统计" in str(refused.value)


def test_the_command_imports_and_prints_json(world, office, tmp_path):
    path = hotline_export(tmp_path / "12345.xlsx")
    out, _err = run("import_ledger", path, "--json", "--user", "dispatcher")
    report = json.loads(out.strip().splitlines()[-1])
    assert report["counts"]["imported"] == 3 and report["imported"] is True
    assert "已导入：新增 3" in out
    again, _err = run("import_ledger", path, "--json")
    assert json.loads(again.strip().splitlines()[-1])["counts"]["skipped"] == 3


def test_the_command_refuses_with_bad_rows(world, office, tmp_path):
    path = edit(hotline_export(tmp_path / "12345.xlsx"), {"C3": "昨天"})
    out, _err, message = run_failing("import_ledger", path, "--json")
    assert "有 1 行有误" in message
    assert json.loads(out.strip().splitlines()[-1])["errors"][0]["row"] == 3
    assert Case.objects.count() == 0


def test_the_command_checks_its_arguments(world, tmp_path):
    path = hotline_export(tmp_path / "12345.xlsx")
    assert "事项类型" in run_failing("import_ledger", path, "--case-type", "nope")[2]
    assert "无权" in run_failing("import_ledger", path, "--user", "handler")[2]
    assert "不存在" in run_failing("import_ledger", tmp_path / "none.xlsx")[2]


def test_the_case_page_shows_the_ledger_number_kept_columns_and_where_each_step_came_from(
    world, office, tmp_path, client
):
    path = dispute_ledger(tmp_path / "dispute.xlsx")
    labour = world.types["dispute"].categories.get(name="劳动工资纠纷")
    profile = MappingProfile(values={"category": {"劳动争议": str(labour.pk)}})
    unit = Organisation.objects.get(name="浔中镇人民政府")
    import_history(
        path,
        options(world, case_type=world.types["dispute"], default_unit=unit, profile=profile),
    )
    case = Case.objects.get(requester_name="陈一")
    client.force_login(world.dispatcher)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "dispute.xlsx 第4行" in page  # every imported step names its ledger row
    assert "对方当事人" in page and "陈二" in page
    # A leader reads the case but not its personal data: the party's name is masked.
    client.force_login(world.leader)
    masked = client.get(f"/cases/{case.pk}/").content.decode()
    assert "陈二" not in masked and "陈*" in masked


def test_an_enterprise_ledger_places_each_demand_at_its_firm(world, office, tmp_path):
    path = save_book(
        tmp_path / "enterprise.xlsx",
        [
            ["陶瓷产业链企业诉求台账（2025年）"],
            [
                "序号",
                "企业名称",
                "诉求时间",
                "诉求事项",
                "责任单位",
                "办结时间",
                "办理情况",
                "企业评价",
            ],
            [
                1,
                "德化佳诚陶瓷有限公司",
                "2025.4.2",
                "窑炉天然气价格偏高",
                "人社局",
                "4月9日",
                "已协调",
                "满意",
            ],
            [2, "某外地公司", "2025/4/3", "招工难", "人社局", "", "", ""],
        ],
        ["A1:H1"],
    )
    result = import_history(
        path,
        options(world, case_type=world.types["enterprise_demand"], default_region=world.county),
    )
    assert result.errors == [], result.errors
    firm = Case.objects.get(description="窑炉天然气价格偏高")
    assert firm.enterprise == world.enterprise and firm.region == world.enterprise.region
    assert firm.committee == world.chain_committee  # the chain committee's, as if reported
    assert firm.status == Status.CLOSED and firm.visit_satisfaction == Satisfaction.SATISFIED
    # A firm not in the registry keeps its name; the row goes to the office's area.
    other = Case.objects.get(description="招工难")
    assert other.enterprise is None and other.details["企业名称"] == "某外地公司"
    assert other.region == world.county and other.status == Status.IN_PROGRESS


def test_a_number_another_office_imported_is_never_skipped_or_updated(world, office, tmp_path):
    from cases.tests.world import make_user
    from people.models import Role

    # The county imported 李四's row (龙浔镇) earlier, still open.
    path = edit(hotline_export(tmp_path / "12345.xlsx"), {"O3": "办理中", "N3": None, "L3": None})
    import_history(path, options(world))
    theirs = Case.objects.get(ledger_number="DH20250302002")
    # 浔中镇's dispatcher imports a ledger reusing that number for one of its own rows.
    town_dispatcher = make_user("town_dispatcher2", Role.DISPATCHER, region=world.town)
    mine = edit(
        hotline_export(tmp_path / "town.xlsx"),
        {"B2": "DH20250302002", "B3": "X-1", "G3": "浔中镇", "H3": "宝美村", "B5": "X-2"},
    )
    edit(mine, {"G5": "浔中镇", "H5": "东园村"})
    result = import_history(mine, options(world, actor=town_dispatcher, duplicates=UPDATE))
    assert result.imported is False and result.bad_rows == {2}
    assert "其他单位" in result.errors[0].message
    theirs.refresh_from_db()
    assert theirs.status == Status.IN_PROGRESS and theirs.region.name == "英山村"
