from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from cases import services
from cases.models import Case, CaseEvent, Channel, Priority, Status
from ledgers.tests.helpers import CASE_HEADERS, credit, run, run_failing, workbook

SHANGHAI = ZoneInfo("Asia/Shanghai")


def row(title="招工难", **overrides):
    values = {
        "事项类型": "企业诉求",
        "分类": "人力人才",
        "标题": title,
        "诉求内容": "缺熟练注浆工20名，希望对接劳务市场。",
        "来源渠道": "走访",
        "发生地": "350526100001G1",
        "诉求人": "陈立新",
        "联系电话": "13905951234",
        "涉及企业": None,
        "受理时间": "2024-05-06 09:30",
        "紧急程度": "重要",
    }
    values.update(overrides)
    return [values[h] for h in CASE_HEADERS]


def test_each_row_is_reported_through_the_engine(world, tmp_path):
    path = workbook(
        tmp_path / "c.xlsx",
        CASE_HEADERS,
        [
            row(涉及企业=world.enterprise.credit_code),
            row(
                "路灯不亮",
                事项类型="民情诉求",
                分类="城乡建设与管理",
                来源渠道="屋场夜谈会",
                紧急程度=None,
                受理时间=datetime(2024, 5, 7, 20, 0),  # noqa: DTZ001 - Excel cells are naive
            ),
        ],
    )
    moment = datetime(2024, 6, 3, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        out, err = run("import_cases", path, "--actor", "grid_worker")
    assert err == "" and "新增 2" in out
    demand, lamp = Case.objects.order_by("pk")
    assert demand.case_type == world.types["enterprise_demand"]
    assert (demand.category.name, demand.channel, demand.priority, demand.status) == (
        "人力人才",
        Channel.VISIT,
        Priority.IMPORTANT,
        Status.REPORTED,
    )
    assert (demand.region, demand.enterprise, demand.reported_by) == (
        world.grid,
        world.enterprise,
        world.grid_worker,
    )
    assert (demand.requester_name, demand.requester_phone) == ("陈立新", "13905951234")
    # The engine stamps the real time; the ledger's time is kept for the record.
    assert demand.reported_at == moment and demand.number.startswith("LX20240603")
    assert demand.details["ledger_received_at"] == "2024-05-06T09:30:00+08:00"
    assert demand.details["ledger_source"]["row"] == 2
    assert lamp.priority == world.types["resident_issue"].default_priority
    assert lamp.details["ledger_received_at"] == "2024-05-07T20:00:00+08:00"
    events = CaseEvent.objects.filter(case__in=[demand, lamp]).order_by("case_id")
    assert [(e.kind, e.to_status, e.actor) for e in events] == [
        ("reported", Status.REPORTED, world.grid_worker),
        ("reported", Status.REPORTED, world.grid_worker),
    ]
    assert events[0].data == {"channel": Channel.VISIT}


def test_importing_the_same_ledger_again_creates_nothing(world, tmp_path):
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(), row("第二件")])
    run("import_cases", path, "--actor", "grid_worker")
    out, _ = run("import_cases", path, "--actor", "grid_worker")
    assert "新增 0，此前已导入（跳过）2" in out
    # Re-saved (new file bytes, same content, a note column added) it is still the same ledger.
    book = load_workbook(path)
    book.properties.creator = "someone else"
    book.active.cell(row=1, column=len(CASE_HEADERS) + 1, value="备注")
    book.active.cell(row=2, column=len(CASE_HEADERS) + 1, value="已电话联系")
    book.save(tmp_path / "copy.xlsx")
    run("import_cases", tmp_path / "copy.xlsx", "--actor", "grid_worker")
    assert Case.objects.count() == 2
    assert CaseEvent.objects.filter(kind="reported").count() == 2


def test_an_edited_copy_of_an_imported_ledger_does_not_register_its_rows_again(world, tmp_path):
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(), row("坏行", 来源渠道="传真")])
    run("import_cases", path, "--actor", "grid_worker", "--skip-bad-rows")
    assert Case.objects.count() == 1
    first = Case.objects.get()
    # The user fixes the bad row in the original file instead of in the report: a new ledger.
    again = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(), row("坏行", 来源渠道="热线")])
    out, err = run("import_cases", again, "--actor", "grid_worker", "--skip-bad-rows")
    assert f"第2行 整行：与此前从台账导入的事项 {first.number} 内容完全相同，可能重复导入" in err
    assert "新增 1" in out
    assert sorted(Case.objects.values_list("title", flat=True)) == ["坏行", "招工难"]


def test_the_same_matter_twice_in_one_ledger_is_refused(world, tmp_path):
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(), row("另一件"), row()])
    _, err, _ = run_failing("import_cases", path, "--actor", "grid_worker")
    assert err.startswith("第4行 整行：与第2行内容完全相同")
    # Same words but another time of receipt is another matter.
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(), row(受理时间="2024-05-20 10:00")])
    out, _ = run("import_cases", path, "--actor", "grid_worker")
    assert "新增 2" in out


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"事项类型": "投诉"}, "第2行 事项类型：系统中没有“投诉”这一事项类型"),
        ({"分类": "城乡建设与管理"}, "第2行 分类：“城乡建设与管理”不是“企业诉求”的分类"),
        ({"标题": None}, "第2行 标题：必填，不能为空"),
        ({"标题": "长" * 201}, "第2行 标题：不能超过200个字（当前201个）"),
        ({"诉求内容": ""}, "第2行 诉求内容：必填，不能为空"),
        (
            {"来源渠道": "传真"},
            "第2行 来源渠道：“传真”不是允许的值，应为：会议收集、走访、屋场夜谈会、网格上报、热线、窗口来访、网站/小程序",
        ),
        ({"发生地": "火星"}, "第2行 发生地：系统中没有区划代码或名称为“火星”的区域"),
        ({"联系电话": "打我电话"}, "第2行 联系电话：只能包含数字"),
        ({"涉及企业": credit(4)}, f"第2行 涉及企业：系统中没有统一社会信用代码为{credit(4)}的企业"),
        (
            {"涉及企业": credit(4)[:17] + "0" if credit(4)[17] != "0" else credit(4)[:17] + "1"},
            "第2行 涉及企业：校验位错误",
        ),
        ({"受理时间": "上周三"}, "第2行 受理时间：“上周三”不是有效的日期"),
        ({"受理时间": "2999-01-01"}, "第2行 受理时间：不能晚于当前时间"),
        (
            {"紧急程度": "特急"},
            "第2行 紧急程度：“特急”不是允许的值，应为：紧急、重要、一般、疑难复杂",
        ),
    ],
)
def test_each_bad_field_is_named_with_its_row_and_reason(world, tmp_path, overrides, expected):
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(**overrides)])
    _, err, message = run_failing("import_cases", path, "--actor", "grid_worker")
    assert expected in err
    assert "未导入任何数据" in message
    assert not Case.objects.exists()


def test_one_bad_row_imports_no_case_and_skip_bad_rows_imports_the_rest(world, tmp_path):
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(), row("二", 发生地="火星"), row("三")])
    run_failing("import_cases", path, "--actor", "grid_worker")
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    out, err = run("import_cases", path, "--actor", "grid_worker", "--skip-bad-rows")
    assert "第3行 发生地" in err and "新增 2" in out
    assert sorted(Case.objects.values_list("title", flat=True)) == ["三", "招工难"]


def test_a_dry_run_registers_nothing(world, tmp_path):
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row()])
    out, _ = run("import_cases", path, "--actor", "grid_worker", "--dry-run")
    assert "将会：新增 1" in out
    assert not Case.objects.exists()


def test_the_actor_must_exist(world, tmp_path):
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row()])
    _, _, message = run_failing("import_cases", path, "--actor", "nobody")
    assert message == "用户“nobody”不存在。"


def test_a_case_type_may_be_given_by_code_and_a_region_by_unique_name(world, tmp_path):
    path = workbook(
        tmp_path / "c.xlsx",
        CASE_HEADERS,
        [row(事项类型="dispute", 分类="邻里纠纷", 发生地="龙浔镇")],
    )
    run("import_cases", path, "--actor", "dispatcher")
    case = Case.objects.get()
    assert case.case_type == world.types["dispute"] and case.region == world.other_town


def test_a_row_the_engine_refuses_rolls_back_the_whole_import_unless_skipping(
    world, tmp_path, monkeypatch
):
    real = services.report_case

    def picky(**kwargs):
        if kwargs["title"] == "二":
            raise ValidationError("引擎拒绝")
        return real(**kwargs)

    monkeypatch.setattr(services, "report_case", picky)
    path = workbook(tmp_path / "c.xlsx", CASE_HEADERS, [row(), row("二"), row("三")])
    _, err, message = run_failing("import_cases", path, "--actor", "grid_worker")
    assert "第3行 整行：引擎拒绝" in err and "未导入任何数据" in message
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    out, err = run("import_cases", path, "--actor", "grid_worker", "--skip-bad-rows")
    assert "第3行 整行：引擎拒绝" in err and "新增 2" in out
    assert sorted(Case.objects.values_list("title", flat=True)) == ["三", "招工难"]
