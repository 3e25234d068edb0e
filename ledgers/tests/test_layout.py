import io
import zipfile
from collections.abc import Sequence
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from ledgers import layout as layout_module
from ledgers.layout import (
    AggregateSheet,
    Layout,
    LayoutError,
    MalformedForm,
    Period,
    clean_header,
    detect_grid_layout,
    detect_layout,
    read_period,
)
from ledgers.reader import LedgerFileError
from ledgers.tests.layout_books import (
    DISPUTE_HEADERS,
    HOTLINE_HEADERS,
    dispute_ledger,
    dispute_statistics,
    excel_time,
    hazard_ledger,
    hotline_export,
    mediation_form,
    save_book,
)


def test_a_12345_export_has_one_plain_header_and_skips_blank_rows(tmp_path):
    layout = detect_layout(hotline_export(tmp_path / "12345.xlsx"))
    assert layout.sheet_name == "工单明细"
    assert layout.kind == "table"
    assert layout.title_lines == []
    assert layout.header_rows == [1]
    assert layout.column_names[:8] == [
        "序号",
        "工单编号",
        "受理时间",
        "诉求人",
        "联系电话",
        "诉求内容",
        "所属镇",
        "村",
    ]
    assert layout.columns[6].raw == ("所属镇（街道）",)
    assert (layout.first_data_row, layout.last_data_row) == (2, 5)
    rows = list(layout.rows())
    assert [number for number, _values in rows] == [2, 3, 5]
    assert rows[2][1]["诉求人"] == "王五"
    assert rows[2][1]["受理时间"] == excel_time(2025, 3, 3, 9, 30)
    assert [c.name for c in layout.columns if c.serial] == ["序号"]
    assert layout.left_out == []
    assert layout.period_year is None


def test_titles_give_the_period_and_footers_are_left_out(tmp_path):
    layout = detect_layout(dispute_ledger(tmp_path / "d.xlsx"))
    assert layout.title_lines == [
        "德化县2025年矛盾纠纷排查化解台账",
        "填报单位：浔中镇综治中心  填报时间：2025年6月30日",
    ]
    assert layout.period == Period(date(2025, 1, 1), date(2025, 12, 31))
    assert layout.period_year == 2025
    assert layout.filled_on == date(2025, 6, 30)
    assert layout.header_rows == [3]
    assert layout.column_names == ["序号", "排查时间", "镇", "村", *DISPUTE_HEADERS[4:]]
    assert (layout.first_data_row, layout.last_data_row) == (4, 8)
    assert [(row.number, row.kind) for row in layout.left_out] == [
        (10, "total"),
        (11, "signature"),
        (12, "note"),
        (13, "note"),
    ]
    assert layout.left_out[1].text == "填报人：王芳  审核人：李明  联系电话：0595-23500000"


def test_merged_cells_are_filled_down_in_data_rows(tmp_path):
    layout = detect_layout(dispute_ledger(tmp_path / "d.xlsx"))
    places = [(n, v["镇"], v["村"], v["当事人"]) for n, v in layout.rows()]
    assert places == [
        (4, "浔中镇", "宝美村", "陈一"),
        (5, "浔中镇", "宝美村", "林三"),
        (6, "浔中镇", "宝美村", "郑五"),
        (7, "浔中镇", "东园村", "苏七"),
        (8, "浔中镇", "东园村", "许八"),
    ]


def test_a_two_row_header_names_children_under_their_parent(tmp_path):
    layout = detect_layout(hazard_ledger(tmp_path / "h.xlsx"))
    assert layout.title_lines == ["浔中镇2025年1-6月安全隐患排查整改台账"]
    assert layout.period == Period(date(2025, 1, 1), date(2025, 6, 30))
    assert layout.header_rows == [2, 3]
    assert layout.column_names == [
        "序号",
        "检查时间",
        "隐患地点",
        "隐患描述",
        "隐患等级",
        "参建单位·建设",
        "参建单位·设计",
        "参建单位·施工",
        "参建单位·监理",
        "整改措施",
        "整改时限",
        "整改责任人",
        "是否销号",
    ]
    assert layout.columns[5].raw == ("参建单位", "建设")
    assert layout.columns[4].raw == ("隐患等级\n（一般/重大）",)
    rows = dict(layout.rows())
    assert rows[5]["参建单位·施工"] == "某建设"
    assert rows[5]["整改措施"] == "加装漏电保护器"
    assert rows[4]["是否销号"] == "是"


def test_an_unmerged_parent_stretches_over_the_children_below_it():
    layout = detect_grid_layout(
        [
            ["序号", "受理编号", "办理情况", None, "当事人", None, "对方当事人", None],
            [None, None, "办理结果", "办结时间", "姓名", "电话", "姓名", "电话"],
            [1, "A001", "已办结", date(2025, 5, 1), "甲", "138", "乙", "139"],
            [2, "A002", "办理中", None, "丙", "137", "丁", "136"],
        ]
    )
    assert layout.header_rows == [1, 2]
    assert layout.column_names == [
        "序号",
        "受理编号",
        "办理结果",
        "办结时间",
        "当事人·姓名",
        "当事人·电话",
        "对方当事人·姓名",
        "对方当事人·电话",
    ]


def test_header_names_are_normalised_and_raw_text_kept():
    layout = detect_grid_layout(
        [
            [
                "＊受理\n编号",
                "联系电话（手机）",
                "办理时限(天)",
                " 满意度 【满意/不满意】",
                "（元）",
            ],
            ["A1", "13800000000", 5, "满意", 100],
            ["A2", "13800000001", 3, "不满意", 200],
        ]
    )
    assert layout.column_names == ["受理编号", "联系电话", "办理时限", "满意度", "元"]
    assert layout.columns[0].raw == ("＊受理\n编号",)
    assert clean_header("所属镇（街道）") == "所属镇"
    assert clean_header("是否化解：") == "是否化解"


def test_repeated_names_stay_distinct_and_unnamed_data_columns_get_a_letter():
    layout = detect_grid_layout(
        [
            ["序号", "当事人", "当事人", "备注"],
            [1, "甲", "乙", None, "补记"],
            [2, "丙", "丁", None, None],
        ]
    )
    assert layout.column_names == ["序号", "当事人", "当事人#2", "备注"]


def test_a_statistics_cross_tab_is_refused(tmp_path):
    with pytest.raises(AggregateSheet) as error:
        detect_layout(dispute_statistics(tmp_path / "s.xlsx"))
    assert str(error.value) == (
        "该工作表是统计汇总表（按乡镇×婚姻家庭、邻里纠纷、土地山林等交叉统计的数字），"
        "不是逐条记录的台账，无法导入。请导入明细台账。"
    )


def test_a_ledger_of_amounts_with_a_total_row_is_not_refused():
    layout = detect_grid_layout(
        [
            ["序号", "企业名称", "诉求内容", "涉及金额（万元）", "受理时间"],
            [1, "甲陶瓷", "融资难", 50, date(2025, 1, 3)],
            [2, "乙茶业", "用工难", 12, date(2025, 1, 9)],
            ["合计", None, None, 62, None],
        ]
    )
    assert layout.last_data_row == 3
    assert [row.kind for row in layout.left_out] == ["total"]


def test_a_per_record_form_is_read_as_records(tmp_path):
    layout = detect_layout(mediation_form(tmp_path / "f.xlsx"))
    assert layout.kind == "form"
    assert layout.title_lines == ["人民调解案件登记表"]
    records = list(layout.rows())
    assert [number for number, _values in records] == [2, 8]
    first = records[0][1]
    assert first["案件编号"] == "TJ2025001"
    assert first["登记日期"] == excel_time(2025, 3, 2)
    assert first["纠纷简要情况"] == "张三与李四因琐事发生纠纷"
    assert first["回访情况"] is None
    assert records[1][1]["被申请人"] == "黄六"
    assert layout.column_names[:4] == ["案件编号", "登记日期", "申请人", "被申请人"]
    assert [row.kind for row in layout.left_out] == ["signature"]


def test_a_malformed_form_is_refused_with_the_row(tmp_path):
    with pytest.raises(MalformedForm) as error:
        detect_layout(mediation_form(tmp_path / "f.xlsx", malformed=True))
    assert "第11行C列的“20000”处应为栏目名称" in str(error.value)


def test_a_repeated_table_header_is_not_a_form():
    header = ["序号", "当事人", "纠纷类型"]
    layout = detect_grid_layout(
        [header, [1, "甲", "邻里纠纷"], [2, "乙", "婚姻家庭"], header, [3, "丙", "土地山林"]]
    )
    assert layout.kind == "table"
    assert [n for n, _v in layout.rows()] == [2, 3, 5]
    assert [(row.number, row.kind) for row in layout.left_out] == [(4, "header")]


@pytest.mark.parametrize(
    ("lines", "period"),
    [
        (["浔中镇2025年1-6月矛盾纠纷台账"], (date(2025, 1, 1), date(2025, 6, 30))),
        (["2024年12月—2025年2月走访台账"], (date(2024, 12, 1), date(2025, 2, 28))),
        (["2025年第二季度企业诉求台账"], (date(2025, 4, 1), date(2025, 6, 30))),
        (["2025年下半年"], (date(2025, 7, 1), date(2025, 12, 31))),
        (["2025年3月安全隐患台账"], (date(2025, 3, 1), date(2025, 3, 31))),
        (["２０２５年度台账"], (date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_periods_are_read_from_titles(lines, period):
    assert read_period(lines) == (Period(*period), None)


def test_a_filling_date_is_not_the_period():
    assert read_period(["填报时间：2025年6月30日"]) == (None, date(2025, 6, 30))
    layout = detect_grid_layout(
        [["填表日期：2025-07-02"], ["序号", "诉求人"], [1, "张三"], [2, "李四"]]
    )
    assert layout.period is None
    assert layout.period_year == 2025


def test_an_empty_sheet_and_a_sheet_without_header_are_clear_errors():
    with pytest.raises(LayoutError, match="是空的"):
        detect_grid_layout([[None], []], sheet_name="Sheet1")
    with pytest.raises(LayoutError, match="没有找到表头"):
        detect_grid_layout([[1, 2], [3, 4]], sheet_name="Sheet1")


def test_a_file_that_is_not_xlsx_is_a_clear_error(tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("序号,诉求人\n1,张三\n", encoding="utf-8")
    with pytest.raises(LedgerFileError, match="不是有效的 .xlsx 文件"):
        detect_layout(fake)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(LedgerFileError, match="不支持 .xls 格式"):
        detect_layout(old)


def test_a_named_sheet_is_read_and_a_missing_one_named(tmp_path):
    path = save_book(tmp_path / "b.xlsx", [HOTLINE_HEADERS[:3], [1, "A", "x"]], title="明细")
    assert detect_layout(path, sheet="明细").header_rows == [1]
    with pytest.raises(LedgerFileError, match="可用的工作表：明细"):
        detect_layout(path, sheet="汇总")


# --- streaming a long sheet ----------------------------------------------------------------------


def long_dispute_ledger(
    path: Path, records: int = 40, *, title: str = "矛盾纠纷排查化解台账"
) -> Path:
    """A dispute ledger longer than a (shrunk) head: merged 镇/村 blocks, one crossing the head's
    end, a header repeated on a new page, a 小计 row, and the year only in the footer."""
    rows: list[list[Any]] = [[title], DISPUTE_HEADERS]
    merged = ["A1:L1"]
    for n in range(1, records + 1):
        if n == 21:
            rows.append(list(DISPUTE_HEADERS))  # the printed page's header again
        if n == 31:
            rows.append(["小计", None, None, None, None, "30件"])
        town = "浔中镇" if n % 12 == 8 else None
        village = f"{'宝美东园'[n % 2 * 2 :][:2]}村" if n % 3 == 1 else None
        rows.append(
            [n, f"{n % 12 + 1}月{n % 27 + 1}日", town, village, "邻里纠纷", f"当事人{n}", None]
            + [f"纠纷{n}", "周调解", "调解成功", "是", None]
        )
    # Each 浔中镇 is merged down over the records below it (never over a page's header).
    for start in range(3, len(rows) + 1):
        if rows[start - 1][2] == "浔中镇":
            end = start
            while end < min(start + 5, len(rows)) and isinstance(rows[end][0], int):
                end += 1
            merged.append(f"C{start}:C{end}")
    rows += [
        [None],
        ["合计", None, None, None, None, f"{records}件"],
        ["填报人：王芳", None, None, None, "填报时间：2025年6月30日"],
        ["注：是否化解填“是”或“否”。"],
    ]
    return save_book(path, rows, merged, title="排查台账")


def read_whole(path: Path) -> Layout:
    """The layout of the same file loaded whole (openpyxl's normal mode), to compare with."""
    return detect_layout(load_workbook(path, data_only=True))


def test_a_long_sheet_is_streamed_and_reads_as_if_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 12)
    path = long_dispute_ledger(tmp_path / "long.xlsx")
    whole = read_whole(path)
    layout = detect_layout(path)
    # Only the head is held; the year, found in the footer, is known before the rows are read.
    assert layout._grid is not None and layout._grid.row_count == 12
    assert layout.period_year == 2025
    assert layout.filled_on == date(2025, 6, 30)
    assert not layout.fully_read
    assert layout.left_out == []  # the head has none; the rest come as the rows are read
    assert layout.last_data_row == whole.last_data_row  # from the footer pass
    assert layout.estimated_rows is not None and 40 <= layout.estimated_rows <= 42
    for attr in ("title_lines", "header_rows", "columns", "first_data_row", "period"):
        assert getattr(layout, attr) == getattr(whole, attr)

    rows = list(layout.rows())
    assert rows == list(whole.rows())
    assert len(rows) == 40
    assert layout.fully_read
    assert layout.left_out == whole.left_out
    assert [(row.kind, row.text) for row in layout.left_out] == [
        ("header", "  ".join(DISPUTE_HEADERS)),
        ("total", "小计  30件"),
        ("total", "合计  40件"),
        ("signature", "填报人：王芳  填报时间：2025年6月30日"),
        ("note", "注：是否化解填“是”或“否”。"),
    ]
    # The 镇 merged from row 10 down to row 15 is filled across the head's end (row 12).
    towns = {number: values["镇"] for number, values in rows}
    assert [towns[n] for n in range(9, 17)] == [None] + ["浔中镇"] * 6 + [None]


def test_reading_the_rows_closes_the_file_and_reading_again_reopens_it(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 12)
    layout = detect_layout(long_dispute_ledger(tmp_path / "long.xlsx"))
    stream = layout._stream
    assert stream is not None and stream.source.workbook is not None
    first = list(layout.rows())
    assert stream.source.workbook is None
    assert list(layout.rows()) == first
    assert len(layout.left_out) == 5  # not listed twice
    assert stream.source.workbook is None

    with detect_layout(long_dispute_ledger(tmp_path / "again.xlsx")) as again:
        rows = again.rows()
        next(rows)
        assert again._stream is not None and again._stream.source.workbook is not None
    assert again._stream.source.workbook is None
    assert len(list(again.rows())) == 40


def test_a_short_sheet_is_read_whole_and_closed_at_once(tmp_path):
    layout = detect_layout(dispute_ledger(tmp_path / "d.xlsx"))
    assert layout._stream is None
    assert layout.fully_read
    assert layout.estimated_rows == 5
    layout.close()  # nothing to close; harmless


def test_a_long_per_record_form_is_still_read_as_a_form(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 9)  # two blocks' starts show it is a form
    layout = detect_layout(mediation_form(tmp_path / "f.xlsx"))
    assert layout.kind == "form"
    assert [number for number, _values in layout.rows()] == [2, 8]
    assert layout.estimated_rows == 2


def write_only_book(path: Path, rows: Sequence[Sequence[Any]], merged: Sequence[str] = ()) -> Path:
    """As streaming exports write a sheet: no <dimension>, values left in merged-over cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("导出")
    for row in rows:
        sheet.append(list(row))
    for cells in merged:
        sheet.merged_cells.add(cells)
    book.save(path)
    return path


def test_a_sheet_without_a_declared_size_is_read_to_its_end(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 10)
    rows = [HOTLINE_HEADERS[:4]] + [
        [n, f"A{n:03d}", f"2025-03-{n % 28 + 1:02d}", "张三"] for n in range(1, 31)
    ]
    # A streaming writer keeps the merged-over cells' values: the sheet shows only the anchor's.
    rows[5][3] = "李四"
    rows[6][3] = "隐藏的值"
    path = write_only_book(tmp_path / "export.xlsx", rows, merged=["D6:D8"])
    assert b"<dimension" not in zip_member(path, "xl/worksheets/sheet1.xml")
    layout = detect_layout(path)
    assert layout.estimated_rows == 30
    assert layout.last_data_row == 31
    records = dict(layout.rows())
    assert len(records) == 30
    assert [records[n]["诉求人"] for n in (5, 6, 7, 8, 9)] == [
        "张三",
        "李四",
        "李四",
        "李四",
        "张三",
    ]
    assert records == dict(read_whole(path).rows())


def test_a_wrong_declared_size_does_not_cut_the_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 10)
    rows = [HOTLINE_HEADERS[:3]] + [[n, f"A{n:03d}", "x"] for n in range(1, 41)]
    path = save_book(tmp_path / "b.xlsx", rows)
    rewrite_member(
        path, "xl/worksheets/sheet1.xml", b'<dimension ref="A1:C41"/>', b'<dimension ref="A1:B5"/>'
    )
    layout = detect_layout(path)
    assert [n for n, _v in layout.rows()] == list(range(2, 42))
    assert layout.rows().__next__()[1] == {"序号": 1, "工单编号": "A001", "受理时间": "x"}


def test_the_declared_size_estimates_the_rows_when_the_footer_pass_cannot(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 10)
    monkeypatch.setattr(layout_module, "_tail_rows", lambda *args: None)
    rows = [HOTLINE_HEADERS[:3]] + [[n, f"A{n:03d}", "x"] for n in range(1, 41)]
    layout = detect_layout(save_book(tmp_path / "b.xlsx", rows))
    assert layout.estimated_rows == 40
    assert len(list(layout.rows())) == 40


def test_a_read_only_workbook_passed_in_is_streamed_and_left_open(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 12)
    path = long_dispute_ledger(tmp_path / "long.xlsx")
    book = load_workbook(path, read_only=True, data_only=True)
    layout = detect_layout(book)
    assert list(layout.rows()) == list(read_whole(path).rows())
    assert layout.fully_read
    assert book.sheetnames == ["排查台账"]  # still open: the caller's to close
    assert len(list(book.worksheets[0].iter_rows(max_row=2))) == 2
    book.close()


def test_the_footer_pass_finds_merged_ranges_and_last_rows_across_chunks(monkeypatch):
    monkeypatch.setattr(layout_module, "XML_CHUNK", 7)
    monkeypatch.setattr(layout_module, "TAIL_BYTES", 200)
    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows = b"".join(
        b'<x:row r="%d"><x:c r="A%d" t="inlineStr"><x:is><x:t>line %d</x:t></x:is></x:c></x:row>'
        % (n, n, n)
        for n in range(1, 30)
    )
    xml = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="' + ns + b'"><x:sheetData>' + rows
        + b'</x:sheetData><x:mergeCells count="2"><x:mergeCell ref="A1:C1"/>'
        + b"<x:mergeCell ref='B3:B9' /></x:mergeCells></x:worksheet>"
    )  # fmt: skip
    workbook = load_workbook(save_book_bytes(), read_only=True)
    scan = layout_module._scan_sheet(io.BytesIO(xml), workbook)
    assert scan.merged == [(1, 1, 1, 3), (3, 2, 9, 2)]
    assert scan.tail is not None
    assert scan.tail[-1] == (29, ("line 29",))
    assert [n for n, _values in scan.tail] == list(range(30 - len(scan.tail), 30))


def save_book_bytes() -> io.BytesIO:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    buffer.seek(0)
    return buffer


def zip_member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def rewrite_member(path: Path, name: str, old: bytes, new: bytes) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    assert old in members[name]
    members[name] = members[name].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def test_the_cell_parser_reads_every_kind_of_cell_as_openpyxl_does(tmp_path):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["文本", "整数", "小数", "是否", "日期", "时间", "时长", "公式", "错误", "百分比"])
    sheet.append(["共享的字符串", 42, 3.25, True, excel_time(2025, 3, 13, 9, 30), time(14, 5)]
                 + [timedelta(hours=30), "=1+1", "#N/A", 0.125])  # fmt: skip
    sheet.append([None, -7, 1e-9, False, date(2025, 2, 28), None, None, '="a"&"b"', None, 1])
    sheet["J2"].number_format = "0.0%"
    sheet["F2"].number_format = "hh:mm"
    sheet["G2"].number_format = "[h]:mm:ss"
    sheet.cell(row=4, column=1, value="第4行")
    sheet.cell(row=6, column=3, value="跳过一行")  # row 5 is left out of the XML
    normal = tmp_path / "normal.xlsx"
    book.save(normal)

    streamed = Workbook(write_only=True)
    rows = streamed.create_sheet("流式")
    rich = CellRichText(["普通", TextBlock(InlineFont(b=True), "加粗"), "结尾"])
    rows.append([rich, "内联文本", 12, 0.5, excel_time(2025, 1, 2, 3, 4), None, "  留空格  "])
    rows.append([])
    rows.append([None, None, "第三行"])
    inline = tmp_path / "inline.xlsx"
    streamed.save(inline)

    for path in (normal, inline):
        stock = load_workbook(path, read_only=True, data_only=True)
        ours = layout_module._open(path)
        stock_sheet, our_sheet = stock.worksheets[0], ours.worksheets[0]
        stock_sheet.reset_dimensions()
        our_sheet.reset_dimensions()
        expected = list(stock_sheet.iter_rows(values_only=True))
        assert list(our_sheet.iter_rows(values_only=True)) == expected
        assert [[type(v) for v in row] for row in our_sheet.iter_rows(values_only=True)] == [
            [type(v) for v in row] for row in expected
        ]
        stock.close()
        ours.close()
    assert expected[0][0] == "普通加粗结尾"


def test_the_cell_parser_agrees_with_openpyxl_on_shared_strings_and_cached_values():
    from openpyxl.worksheet._reader import WorkSheetParser

    ns = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = [
        b'<c r="A1" t="s"><v>1</v></c>',  # a shared string, as Excel writes every text
        b'<c r="B1" t="str"><f>A1&amp;"x"</f><v>\xe4\xb9\x99x</v></c>',  # a formula's text
        b'<c r="C1" s="1"><v>45730.5</v></c>',  # a date style
        b'<c r="D1" s="2"><v>1.25</v></c>',  # a duration style
        b'<c r="E1"><v>2.5E3</v></c>',
        b'<c r="F1"><v>12</v></c>',
        b'<c r="G1" t="e"><v>#DIV/0!</v></c>',
        b'<c r="H1" t="b"><v>0</v></c>',
        b'<c r="I1" t="s"/>',  # no value
        b'<c r="J1"><f>SUM(E1:F1)</f><v>2512</v></c>',
        b'<c r="AB1" t="inlineStr"><is><r><t>\xe7\x94\xb2</t></r><r><rPr><b/></rPr><t>\xe4\xb9\x99</t></r>'
        b'<rPh sb="0" eb="1"><t>x</t></rPh></is></c>',
    ]
    xml = b'<worksheet xmlns="' + ns + b'"><sheetData><row r="1">' + b"".join(cells)
    xml += b'</row><row r="3"><c r="B3" t="s"><v>0</v></c></row></sheetData></worksheet>'
    shared = ["甲", "乙"]

    def parse(parser_class: Any) -> list[Any]:
        parser = parser_class(
            io.BytesIO(xml), shared, data_only=True, date_formats={1}, timedelta_formats={2}
        )
        return [
            (number, [(c["column"], c["value"], c["data_type"]) for c in row])
            for number, row in parser.parse()
        ]

    ours = parse(layout_module._CellParser)
    assert ours == parse(WorkSheetParser)
    assert [value for _c, value, _t in ours[0][1]][:3] == ["乙", "乙x", excel_time(2025, 3, 14, 12)]
    assert ours[0][1][-1] == (28, "甲乙", "s")


def test_an_uploaded_file_object_is_streamed_too(tmp_path, monkeypatch):
    monkeypatch.setattr(layout_module, "HEAD_ROWS", 12)
    path = long_dispute_ledger(tmp_path / "long.xlsx")
    upload = io.BytesIO(path.read_bytes())
    with detect_layout(upload) as layout:
        assert layout.period_year == 2025
        assert layout.header_rows == [2]
        rows = list(layout.rows())
        assert rows == list(read_whole(path).rows())
        assert list(layout.rows()) == rows  # read again from the start of the upload
    with pytest.raises(LedgerFileError, match="不是有效的 .xlsx 文件"):
        detect_layout(io.BytesIO("序号,诉求人\n1,张三\n".encode()))
