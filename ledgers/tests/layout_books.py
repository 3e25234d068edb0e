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


ENTERPRISE_HEADERS = [
    "序号",
    "诉求编号",
    "*企业名称",
    "联系人",
    "联系电话",
    "诉求类别",
    "*诉求内容",
    "收集时间",
    "收集方式",
    "牵头单位",
    "配合单位",
    "办理时限",
    "办理情况",
    "办结时间",
    "是否办结\n（已办结/办理中/延期）",
    "企业满意度",
    "备注",
]


def enterprise_demands(path: Path) -> Path:
    """企业诉求问题台账 as a chamber of commerce keeps it: a title naming the quarter, a filled-in
    line, "*" marks and a note of the allowed words in the headers, numbers with a prefix and
    spaces, dates as dotted text or Excel serials, co-units listed with 、, a free-text limit
    ("3月底前"), 延期 as a state, 牵头单位 merged over two rows of the same unit and a note block."""
    rows: list[list[Any]] = [
        ["德化县2025年第一季度企业诉求问题台账"],
        ["填报单位：德化县工商联（盖章）", None, None, None, None, None, None, None, None, None]
        + [None, "填报时间：2025年4月2日"],
        ENTERPRISE_HEADERS,
        [1, "QY 2025-001", "德化佳诚陶瓷有限公司", "林志强", "13905951234", "人力人才"]
        + ["扩产需新增熟练工50名，请协助招聘", "2025.1.8", "企业走访", "德化县人力资源和社会保障局"]
        + ["德化县市场监督管理局", "3月底前", "已组织专场招聘会，招到42人", "2025.3.20", "已办结"]
        + ["满意", None],
        [2, "QY 2025-002", "德化佳诚陶瓷有限公司", "林志强", "13905951234", "融资需求"]
        + ["申请技改贷款贴息", excel_time(2025, 2, 12), "联席会议", None]
        + [None, "30个工作日", "已对接两家银行，正在审批", None, "延期", None, "等待银行授信"],
        [3, "QY 2025-003", "德化恒源陶瓷厂", "郑国华", "13600000003", "公用设施"]
        + ["厂区门口道路破损，运输车辆通行困难", "2025.3.3", "12345", "浔中镇人民政府"]
        + ["德化县住房和城乡建设局、德化县市场监督管理局", None, "已修复路面", "2025.3.28"]
        + ["已办结", "较满意", None],
        [None],
        ["说明：1.是否办结填写“已办结”“办理中”或“延期”；2.办理时限按交办时约定填写。"],
        ["填报人：陈丽", None, None, "审核人：苏强", None, None, "联系电话：0595-23523000"],
    ]
    merged = ["A1:Q1", "A2:K2", "L2:Q2", "J4:J5", "A8:Q8"]
    return save_book(path, rows, merged, title="企业诉求")


VISIT_HEADERS = [
    "序号",
    "走访日期",
    "走访干部",
    "走访对象",
    "联系电话",
    "所在村（社区）",
    "反映问题",
    "问题类型",
    "责任单位",
    "办理情况",
    "是否解决",
    "回访情况",
    "备注",
]


def visit_ledger(path: Path) -> Path:
    """干部入户走访台账 of one month: year-less dates (the year from the title), one cadre's name
    merged down over the households they visited, a village name two towns share (东园村: the
    wizard asks which), states written as 已解决/正在解决 (no vocabulary word: the wizard asks),
    and a repeated header row where the printed ledger turned a page."""
    rows: list[list[Any]] = [
        ["浔中镇2025年3月干部入户走访台账"],
        VISIT_HEADERS,
        [1, "3月5日", "刘镇干", "黄阿婆", "13500000001", "浔中村", "屋后排水沟堵塞，雨天积水"]
        + ["城乡建设与管理", "浔中镇人民政府", "已协调村里清淤", "已解决", "满意", None],
        [2, "3月6日", None, "陈大叔", "13500000002", "东园村", "申请临时救助"]
        + ["社会保障与就业", "浔中镇人民政府", "已上报民政办审核", "正在解决", None, "低保边缘户"],
        VISIT_HEADERS,
        [3, "3月12日", "王网格", "林阿姨", "13500000003", "浔中村", "路灯不亮"]
        + ["城乡建设与管理", None, "已报修并修复", "已解决", "基本满意", None],
    ]
    merged = ["A1:M1", "C3:C4"]
    return save_book(path, rows, merged, title="走访台账")
