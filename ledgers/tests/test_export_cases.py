from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cases import services
from cases.models import Case, Satisfaction, SendBackReason
from ledgers.exporters import CASE_LEDGER_COLUMNS, case_ledger_queryset, write_case_ledger
from ledgers.tests.helpers import run, run_failing
from people.models import User

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 6, 3, 9, 30, tzinfo=SHANGHAI)
HEADERS = (
    "编号",
    "类型",
    "分类",
    "标题",
    "来源渠道",
    "发生地",
    "诉求人",
    "电话",
    "受理时间",
    "状态",
    "主办单位",
    "办理期限",
    "答复时间",
    "按期",
    "回访满意度",
    "销号时间",
    "督办次数",
    "延期次数",
    "退单次数",
    "最近流转",
)


def naive(moment):
    return moment.astimezone(SHANGHAI).replace(tzinfo=None, microsecond=0)


def closed_case(world):
    with time_machine.travel(START, tick=False):
        case = world.answered()
    with time_machine.travel(START + timedelta(days=1), tick=False):
        case = services.return_visit(
            case,
            actor=world.dispatcher,
            reached=True,
            contacted=True,
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
        )
        return services.close_case(case, actor=world.dispatcher)


def export(tmp_path, *args):
    path = tmp_path / "out.xlsx"
    out, _ = run("export_cases", path, *args)
    book = load_workbook(path)
    return out, book, [tuple(r) for r in book.active.iter_rows(values_only=True)]


def test_the_ledger_holds_one_masked_row_per_case_with_real_local_dates(world, tmp_path):
    case = closed_case(world)
    out, book, rows = export(tmp_path)
    assert "已导出 1 条事项" in out
    assert rows[0] == HEADERS
    assert rows[1] == (
        case.number,
        "民情诉求",
        world.category().name,
        "路灯不亮",
        "网格上报",
        "第一网格",
        "张*",
        "139****5678",
        naive(START),
        "销号",
        "德化县人力资源和社会保障局",
        naive(case.deadline),
        naive(START),
        "是",
        "满意",
        naive(START + timedelta(days=1)),
        0,
        0,
        0,
        "销号",  # the last move, in the EventKind word the timeline uses
    )
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:T2"
    assert sheet.column_dimensions["D"].width == dict(CASE_LEDGER_COLUMNS)["标题"]
    assert sheet["I2"].number_format == "yyyy-mm-dd hh:mm" and sheet["I2"].is_date


def test_counts_overdue_and_type_labels_follow_the_case(world, tmp_path):
    with time_machine.travel(START, tick=False):
        supervised = world.assigned("dispute", title="邻里漏水")
        supervised = services.supervise_case(supervised, actor=world.dispatcher, note="请尽快")
        supervised = services.mark_overdue(supervised)
        sent_back = world.assigned(title="退回的件")
        services.send_back(
            sent_back,
            actor=world.handler,
            reason_code=SendBackReason.NOT_REMIT,
            reason="非本局职责",
        )
    _, _, rows = export(tmp_path)
    by_title = {r[3]: r for r in rows[1:]}
    dispute = by_title["邻里漏水"]
    assert (dispute[1], dispute[9], dispute[13], dispute[16]) == (
        "矛盾纠纷",
        "交办调解",
        "否（已超期）",
        1,
    )
    returned = by_title["退回的件"]
    assert (returned[9], returned[10], returned[11], returned[18]) == ("汇总研判", None, None, 1)


def test_filters_narrow_the_ledger(world, tmp_path):
    with time_machine.travel(datetime(2024, 4, 10, 10, 0, tzinfo=SHANGHAI), tick=False):
        world.report(title="四月民情")
    with time_machine.travel(START, tick=False):
        world.assigned(title="六月已交办")
        world.report("enterprise_demand", title="六月企业", region=world.other_grid)

    def titles(*args):
        return sorted(r[3] for r in export(tmp_path, *args)[2][1:])

    assert titles("--type", "enterprise_demand") == ["六月企业"]
    assert titles("--status", "assigned") == ["六月已交办"]
    assert titles("--status", "reported,已交办") == ["六月企业", "六月已交办", "四月民情"]
    assert titles("--region", world.town.code) == ["六月已交办", "四月民情"]
    assert titles("--from", "2024-05") == ["六月企业", "六月已交办"]
    assert titles("--to", "2024-04") == ["四月民情"]
    assert titles("--unit", str(world.dept.pk)) == ["六月已交办"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "nope"], "事项类型代码“nope”不存在"),
        (["--status", "done"], "状态“done”无效"),
        (["--region", "000"], "区划代码“000”不存在"),
        (["--from", "2024/13"], "月份“2024/13”格式错误"),
        (["--from", "2024-06", "--to", "2024-05"], "起始月份晚于结束月份"),
        (["--unit", "999999"], "单位 ID 999999 不存在"),
        (["--actor", "ghost"], "用户“ghost”不存在或已停用"),
    ],
)
def test_bad_filters_are_clear_errors(world, tmp_path, args, message):
    _, _, error = run_failing("export_cases", tmp_path / "out.xlsx", *args)
    assert message in error


def test_an_actor_exports_only_the_cases_they_may_see(world, tmp_path):
    with time_machine.travel(START, tick=False):
        world.report(title="浔中的件")
        world.report(title="龙浔的件", region=world.other_grid, actor=world.other_grid_worker)
        world.assigned(title="人社局的件", region=world.other_grid, actor=world.other_grid_worker)

    def titles(user):
        return sorted(r[3] for r in export(tmp_path, "--actor", user.username)[2][1:])

    assert titles(world.grid_worker) == ["浔中的件"]
    assert titles(world.other_grid_worker) == ["人社局的件", "龙浔的件"]
    assert titles(world.handler) == ["人社局的件"]
    assert titles(world.outsider) == []
    assert len(titles(world.admin)) == 3


def test_export_queries_do_not_grow_with_rows(world, tmp_path):
    def queries(extra):
        for n in range(extra):
            world.assigned(title=f"件{n}")
        handler = User.objects.get(pk=world.handler.pk)  # nothing cached
        with CaptureQueriesContext(connection) as ctx:
            written = write_case_ledger(case_ledger_queryset(actor=handler), tmp_path / "q.xlsx")
        assert written == Case.objects.filter(lead_unit=world.dept).count()
        return len(ctx.captured_queries)

    few = queries(2)
    many = queries(25)
    assert Case.objects.count() == 27
    # The user's roles, the case types, the ledger itself (the handler's scope is a subquery of it).
    assert few == many == 3
