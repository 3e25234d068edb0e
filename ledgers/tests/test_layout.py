from datetime import date

import pytest

from ledgers.layout import (
    AggregateSheet,
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
