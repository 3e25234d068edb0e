"""Small workbooks shaped like offices' real ledgers (台账), for the layout tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook


def excel_time(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A date-time as openpyxl reads it from a cell: naive, as Excel stores it."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001 - Excel cells are naive


def save_book(
    path: Path, rows: Sequence[Sequence[Any]], merged: Sequence[str] = (), title: str = "Sheet1"
) -> Path:
    """Write ``rows`` from A1 down, then merge the ranges (which keeps each anchor's value)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merged:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


HOTLINE_HEADERS = [
    "序号",
    "工单编号",
    "受理时间",
    "诉求人",
    "联系电话",
    "诉求内容",
    "所属镇（街道）",
    "村（社区）",
    "问题类别",
    "承办单位",
    "办理时限",
    "办结时间",
    "办理结果",
    "满意度",
    "是否办结",
]


def hotline_export(path: Path) -> Path:
    """A 12345 work-order export: one plain header row, a blank row left in by hand."""
    rows: list[list[Any]] = [HOTLINE_HEADERS]
    for n, (name, content, town, village) in enumerate(
        [
            ("张三", "小区路灯不亮已一周", "浔中镇", "宝美村"),
            ("李四", "陶瓷厂夜间噪音扰民", "龙浔镇", "英山村"),
            ("王五", "道路积水影响通行", "三班镇", "三班村"),
        ],
        start=1,
    ):
        rows.append(
            [
                n,
                f"DH2025030{n}00{n}",
                excel_time(2025, 3, n, 9, 30),
                name,
                f"1380000000{n}",
                content,
                town,
                village,
                "城乡建设",
                f"{town}人民政府",
                excel_time(2025, 3, n + 5),
                excel_time(2025, 3, n + 3),
                "已处理",
                "满意",
                "是",
            ]
        )
        if n == 2:
            rows.append([None] * len(HOTLINE_HEADERS))
    return save_book(path, rows, title="工单明细")


DISPUTE_HEADERS = [
    "序号",
    "排查时间",
    "镇（街道）",
    "村（社区）",
    "纠纷类型",
    "当事人",
    "对方当事人",
    "简要案情",
    "调处责任人",
    "调处结果",
    "是否化解",
    "备注",
]


def dispute_ledger(path: Path) -> Path:
    """矛盾纠纷排查化解台账: title, filler line, merged 镇/村 cells, a total and a signature block."""
    rows: list[list[Any]] = [
        ["德化县2025年矛盾纠纷排查化解台账"],
        ["填报单位：浔中镇综治中心", None, None, None, None, None, "填报时间：2025年6月30日"],
        DISPUTE_HEADERS,
    ]
    cases = [
        ("宝美村", "邻里纠纷", "陈一", "陈二", "宅基地滴水争执", "调解成功", "是"),
        (None, "婚姻家庭", "林三", "黄四", "夫妻感情不和欲离婚", "调解成功", "是"),
        (None, "土地山林", "郑五", "郑六", "山林界址不清", "正在调处", "否"),
        ("东园村", "劳动争议", "苏七", "某陶瓷厂", "拖欠工资三个月", "调解成功", "是"),
        (None, "合同纠纷", "许八", "某建材店", "货款结算争议", "引导诉讼", "否"),
    ]
    for n, (village, kind, party, other, story, result, solved) in enumerate(cases, start=1):
        rows.append(
            [
                n,
                f"{n}月{n + 4}日",
                "浔中镇" if n == 1 else None,
                village,
                kind,
                party,
                other,
                story,
                "周调解",
                result,
                solved,
                None,
            ]
        )
    rows += [
        [None] * len(DISPUTE_HEADERS),
        ["合计", None, None, None, None, "5件", None, None, None, None, "3件"],
        ["填报人：王芳", None, None, None, "审核人：李明", None, None, "联系电话：0595-23500000"],
        ["注：1.是否化解填“是”或“否”。"],
        ["2.排查时间填写到日。"],
        [None],
        [None],
    ]
    merged = ["A1:L1", "A2:F2", "G2:L2", "C4:C8", "D4:D6", "D7:D8", "A10:E10"]
    return save_book(path, rows, merged, title="排查台账")


def hazard_ledger(path: Path) -> Path:
    """安全隐患排查整改台账 with a two-row header: parents spanning their children, marked and
    annotated header texts, and cells merged down over both header rows."""
    rows: list[list[Any]] = [
        ["浔中镇2025年1-6月安全隐患排查整改台账"],
        [
            "序号",
            "检查\n时间",
            "*隐患地点",
            "隐患描述",
            "隐患等级\n（一般/重大）",
            "参建单位",
            None,
            None,
            None,
            "整改情况",
            None,
            None,
            "是否销号",
        ],
        [None, None, None, None, None, "建设", "设计", "施工", "监理"]
        + ["整改措施", "整改时限", "整改责任人", None],
        [1, "3月12日", "城东安置房工地", "脚手架连墙件缺失", "一般"]
        + ["城投公司", "县设计院", "某建工", "某监理", "补设连墙件", "3月20日", "张工", "是"],
        [2, "4月3日", "浔中中学改造", "临时用电未接漏保", "重大"]
        + ["教育局", "省设计院", "某建设", "某咨询", "加装漏电保护器", "4月5日", "李工", "否"],
    ]
    merged = ["A1:M1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:I2", "J2:L2", "M2:M3"]
    return save_book(path, rows, merged, title="隐患台账")


def dispute_statistics(path: Path) -> Path:
    """A cross-tab of dispute counts by town and category: a report, not a ledger."""
    rows: list[list[Any]] = [
        ["德化县2025年上半年矛盾纠纷分类统计表"],
        ["乡镇", "婚姻家庭", "邻里纠纷", "土地山林", "合同纠纷", "合计"],
        ["浔中镇", 3, 5, 2, 1, 11],
        ["龙浔镇", 1, 4, 0, 2, 7],
        ["三班镇", 2, 2, 3, 0, 7],
        ["合计", 6, 11, 5, 3, 25],
    ]
    return save_book(path, rows, ["A1:F1"], title="分类统计")


def mediation_form(path: Path, *, malformed: bool = False) -> Path:
    """人民调解案件登记表: one block of "label | value" rows per case, blank rows between."""
    rows: list[list[Any]] = [["人民调解案件登记表"]]
    merged = ["A1:D1"]
    cases = [
        ("TJ2025001", excel_time(2025, 3, 2), "张三", "李四", "邻里纠纷", "调解成功"),
        ("TJ2025002", excel_time(2025, 3, 9), "林五", "黄六", "婚姻家庭", "调解不成"),
    ]
    for number, registered, applicant, respondent, kind, result in cases:
        if len(rows) > 1:
            rows.append([None])
        rows += [
            ["案件编号", number, "登记日期", registered],
            ["申请人", applicant, "被申请人", respondent],
            ["纠纷类型", kind, "调解员", "周调解"],
            ["纠纷简要情况", f"{applicant}与{respondent}因琐事发生纠纷"],
            ["调解结果", result, "回访情况", None],
        ]
        merged.append(f"B{len(rows) - 1}:D{len(rows) - 1}")
    if malformed:
        # A value typed where the next label belongs: the pairs no longer line up.
        rows[-2] = ["纠纷简要情况", "借款未还", 20000, "元"]
        merged.pop()
    rows += [[None], ["调解员签名：", None, "当事人签名："]]
    return save_book(path, rows, merged, title="登记表")
