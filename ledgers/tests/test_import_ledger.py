import json
from typing import Any

import pytest
from openpyxl import load_workbook

from cases.models import Case
from ledgers.tests.helpers import run, run_failing
from ledgers.tests.layout_books import dispute_ledger, dispute_statistics, hotline_export
from ledgers.vocabulary import MappingProfile


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def fields(report: dict) -> dict:
    return {c["name"]: c["field"] for c in report["columns"]}


def edit(path, cells: dict[str, Any]):
    book = load_workbook(path)
    sheet = book.worksheets[0]
    for ref, value in cells.items():
        sheet[ref] = value
    book.save(path)
    return path


pytestmark = pytest.mark.usefixtures("office")


def test_hotline_export_is_mapped_and_checked(tmp_path):
    path = hotline_export(tmp_path / "12345.xlsx")
    # Row 3 (the second record): a date that does not exist and a status word nobody knows.
    edit(path, {"C3": "2025年2月30日", "O3": "待核实", "O5": "待核实", "O2": "研判中"})
    out, _err = run("import_ledger", path, "--dry-run", "--json")
    report = last_json(out)
    assert report["sheet"] == "工单明细"
    assert report["kind"] == "table"
    assert report["header_rows"] == [1]
    mapped = fields(report)
    assert mapped["受理时间"] == "reported_at"
    assert mapped["办理时限"] == "deadline"
    assert mapped["办结时间"] == "answered_at"
    assert mapped["满意度"] == "satisfaction"
    assert mapped["是否办结"] == "status"
    counts = report["counts"]
    assert (counts["rows"], counts["good"], counts["bad"], counts["left_out"]) == (3, 0, 3, 0)
    assert counts["imported"] == 0 and report["imported"] is False
    bad = [(e["row"], e["column"]) for e in report["errors"]]
    assert bad == [(2, "是否办结"), (3, "受理时间"), (3, "是否办结"), (5, "是否办结")]
    assert "2月" in report["errors"][1]["message"]
    assert report["unknown_values"] == {"status": ["研判中", "待核实"]}
    assert "工作表：工单明细" in out
    assert "第3行 受理时间：" in out
    assert Case.objects.count() == 0


def test_dispute_ledger_with_title_and_footer(tmp_path):
    path = dispute_ledger(tmp_path / "dispute.xlsx")
    edit(path, {"B6": "13月40日"})
    out, _err = run(
        "import_ledger", path, "--dry-run", "--json", "--case-type", "dispute", "--unit", "人社局"
    )
    report = last_json(out)
    assert report["header_rows"] == [3]
    assert report["period_year"] == 2025
    mapped = fields(report)
    assert mapped["排查时间"] == "reported_at"
    assert mapped["调处结果"] == "mediation_outcome"
    assert mapped["备注"] is None  # kept in details
    counts = report["counts"]
    assert (counts["rows"], counts["bad"], counts["left_out"]) == (5, 2, 4)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (6, "排查时间"),
        (7, "纠纷类型"),  # 劳动争议: the office's own word, to map once
    ]
    assert report["unknown_values"]["category"] == ["劳动争议"]
    assert "保留在扩展信息" in out


def test_two_row_header_is_reported(tmp_path):
    from ledgers.tests.layout_books import hazard_ledger

    path = hazard_ledger(tmp_path / "hazard.xlsx")
    args = ("--dry-run", "--json", "--case-type", "hazard", "--region", "350526100")
    report = last_json(run("import_ledger", path, *args, "--unit", "人社局")[0])
    assert report["header_rows"] == [2, 3]
    assert fields(report)["整改时限"] == "deadline"
    raw = {c["name"]: c["raw"] for c in report["columns"]}
    assert "整改情况" in raw["整改时限"]
    assert report["counts"]["bad"] == 0


def test_aggregate_sheet_exits_with_the_reason(tmp_path):
    path = dispute_statistics(tmp_path / "stats.xlsx")
    out, _err, message = run_failing("import_ledger", path, "--dry-run", "--json")
    assert "统计汇总表" in message
    assert last_json(out) == {"error": message}


def test_not_an_xlsx_exits_with_the_reason(tmp_path):
    path = tmp_path / "ledger.xls"
    path.write_bytes(b"not excel")
    _out, _err, message = run_failing("import_ledger", path, "--dry-run")
    assert "另存为" in message


def test_profile_overrides_a_column_mapping(tmp_path):
    path = hotline_export(tmp_path / "12345.xlsx")
    edit(path, {"O2": "研判中"})
    profile = MappingProfile(
        columns={"办结时间": "closed_at", "办理结果": "details"},
        values={"status": {"研判中": "in_progress"}},
    )
    profile_path = tmp_path / "profile.json"
    profile_path.write_text(profile.to_json(), encoding="utf-8")
    out, _err = run("import_ledger", path, "--dry-run", "--json", "--profile", profile_path)
    report = last_json(out)
    mapped = fields(report)
    assert mapped["办结时间"] == "closed_at"
    assert mapped["办理结果"] is None
    assert mapped["受理时间"] == "reported_at"  # not in the profile: suggested
    assert report["unknown_values"] == {}
    assert report["counts"]["good"] == 3


def test_bad_profile_is_a_clear_error(tmp_path):
    path = hotline_export(tmp_path / "12345.xlsx")
    profile_path = tmp_path / "profile.json"
    profile_path.write_text('{"version": 1, "columns": {"受理时间": "nonsense"}}', "utf-8")
    _out, _err, message = run_failing("import_ledger", path, "--dry-run", "--profile", profile_path)
    assert "对应方案" in message
