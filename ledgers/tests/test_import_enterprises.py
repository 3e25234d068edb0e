import pytest
from openpyxl import load_workbook

from ledgers.tests.helpers import (
    ENTERPRISE_HEADERS,
    bad_check,
    credit,
    run,
    run_failing,
    workbook,
)
from orgs.models import ChainPosition, EnterpriseSize, Organisation, OrgKind
from regions.models import Region, RegionLevel


def row(name="德化新瓷工艺有限公司", code=None, **overrides):
    values = {
        "企业名称": name,
        "统一社会信用代码": code or credit(1),
        "行业": "日用陶瓷制造",
        "规模": "小型",
        "所在园区": "德化陶瓷产业园",
        "产业链环节": "中游",
        "所在区域": "350526100",
        "从业人数": 120,
        "所属产业链党委": "德化县陶瓷产业链党委",
        "联系电话": "0595-23500000",
    }
    values.update(overrides)
    return [values[h] for h in ENTERPRISE_HEADERS]


def test_it_creates_enterprises_with_their_profile(world, tmp_path):
    path = workbook(
        tmp_path / "e.xlsx",
        ENTERPRISE_HEADERS,
        [row(), row("德化白瓷文创有限公司", credit(2), 规模="微型")],
    )
    out, err = run("import_enterprises", path)
    assert "新增 2" in out and err == ""
    firm = Organisation.objects.get(credit_code=credit(1))
    assert firm.kind == OrgKind.ENTERPRISE
    assert (firm.name, firm.size, firm.chain_position, firm.employees) == (
        "德化新瓷工艺有限公司",
        EnterpriseSize.SMALL,
        ChainPosition.MIDSTREAM,
        120,
    )
    assert (firm.region, firm.chain, firm.park, firm.phone) == (
        world.town,
        world.chain_committee,
        "德化陶瓷产业园",
        "0595-23500000",
    )


def test_an_existing_credit_code_updates_that_enterprise_and_blank_cells_keep_values(
    world, tmp_path
):
    code = world.enterprise.credit_code
    path = workbook(
        tmp_path / "e.xlsx",
        ENTERPRISE_HEADERS,
        [row(world.enterprise.name, code, 从业人数=300, 所在园区=None, 所属产业链党委=None)],
    )
    out, _ = run("import_enterprises", path)
    assert "新增 0，更新 1" in out
    world.enterprise.refresh_from_db()
    assert world.enterprise.employees == 300
    assert world.enterprise.chain == world.chain_committee  # blank cell: unchanged
    assert Organisation.objects.filter(credit_code=code).count() == 1
    out, _ = run("import_enterprises", path)
    assert "更新 0，无变化 1" in out


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"统一社会信用代码": bad_check(credit(1))}, "第2行 统一社会信用代码：校验位错误"),
        ({"统一社会信用代码": "91350526MA2Y0001"}, "第2行 统一社会信用代码：应为18位（当前16位）"),
        ({"统一社会信用代码": "91350526MA2Y0000IO"}, "第2行 统一社会信用代码：含有非法字符：IO"),
        ({"统一社会信用代码": None}, "第2行 统一社会信用代码：必填，不能为空"),
        ({"统一社会信用代码": 913505261234567890}, "第2行 统一社会信用代码：数字超过15位"),
        ({"企业名称": " "}, "第2行 企业名称：必填，不能为空"),
        ({"企业名称": "瓷" * 151}, "第2行 企业名称：不能超过150个字"),
        ({"规模": "特大型"}, "第2行 规模：“特大型”不是允许的值，应为：大型、中型、小型、微型"),
        ({"产业链环节": "中下游"}, "第2行 产业链环节：“中下游”不是允许的值"),
        ({"所在区域": "999999"}, "第2行 所在区域：系统中没有区划代码或名称为“999999”的区域"),
        ({"从业人数": "约百人"}, "第2行 从业人数：应为整数"),
        ({"从业人数": -3}, "第2行 从业人数：不能为负数"),
        (
            {"所属产业链党委": "不存在的党委"},
            "第2行 所属产业链党委：系统中没有名为“不存在的党委”的产业链党委",
        ),
        ({"所属产业链党委": "德化县人力资源和社会保障局"}, "第2行 所属产业链党委：系统中没有名为"),
        ({"联系电话": "请打电话"}, "第2行 联系电话：只能包含数字"),
        ({"联系电话": "12-34"}, "第2行 联系电话：号码位数不足"),
    ],
)
def test_each_bad_field_is_named_with_its_row_and_reason(world, tmp_path, overrides, expected):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [row(**overrides)])
    _, err, message = run_failing("import_enterprises", path)
    assert expected in err
    assert "未导入任何数据" in message
    assert not Organisation.objects.filter(name="德化新瓷工艺有限公司").exists()


def test_an_ambiguous_region_name_asks_for_the_code(world, tmp_path):
    Region.objects.create(
        name="第一网格", code="350526101001G9", level=RegionLevel.PIECE, parent=world.other_grid
    )
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [row(所在区域="第一网格")])
    _, err, _ = run_failing("import_enterprises", path)
    assert (
        "第2行 所在区域：“第一网格”对应多个（350526100001G1、350526101001G9），请改填唯一的代码"
        in err
    )


def test_a_region_may_be_named_when_the_name_is_unique(world, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [row(所在区域="龙浔镇")])
    run("import_enterprises", path)
    assert Organisation.objects.get(credit_code=credit(1)).region == world.other_town


def test_duplicates_inside_the_file_and_against_the_registry_are_rejected(world, tmp_path):
    Organisation.objects.create(kind=OrgKind.DEPARTMENT, name="某局", credit_code=credit(9))
    path = workbook(
        tmp_path / "e.xlsx",
        ENTERPRISE_HEADERS,
        [
            row("甲公司", credit(1)),
            row("乙公司", credit(1)),
            row("甲公司", credit(2)),
            row("丙公司", credit(9)),
            row(world.enterprise.name, credit(3)),
        ],
    )
    _, err, _ = run_failing("import_enterprises", path)
    lines = err.strip().splitlines()
    assert lines == [
        "第3行 统一社会信用代码：与第2行重复",
        "第4行 企业名称：与第2行企业名称相同，但统一社会信用代码不同",
        "第5行 统一社会信用代码：已被非企业组织“某局”使用",
        f"第6行 企业名称：系统中已有同名企业（统一社会信用代码 {world.enterprise.credit_code}），请核对代码",
    ]


def test_one_bad_row_imports_nothing(world, tmp_path):
    path = workbook(
        tmp_path / "e.xlsx",
        ENTERPRISE_HEADERS,
        [row("甲公司", credit(1)), row("乙公司", credit(2), 规模="巨型"), row("丙公司", credit(3))],
    )
    before = Organisation.objects.count()
    out, err, message = run_failing("import_enterprises", path)
    assert "第3行 规模" in err
    assert "1 行有错误，未导入任何数据" in message
    assert Organisation.objects.count() == before


def test_skip_bad_rows_imports_the_good_rows_and_reports_the_bad(world, tmp_path):
    path = workbook(
        tmp_path / "e.xlsx",
        ENTERPRISE_HEADERS,
        [row("甲公司", credit(1)), row("乙公司", bad_check(credit(2))), row("丙公司", credit(3))],
    )
    report = tmp_path / "report.xlsx"
    out, err = run("import_enterprises", path, "--skip-bad-rows", "--report", report)
    assert "第3行 统一社会信用代码：校验位错误" in err
    assert "共 3 行，错误 1 行" in out and "新增 2" in out
    assert set(Organisation.objects.enterprises().values_list("name", flat=True)) >= {
        "甲公司",
        "丙公司",
    }
    assert not Organisation.objects.filter(name="乙公司").exists()
    book = load_workbook(report)
    fix = list(book.worksheets[0].iter_rows(values_only=True))
    assert fix[0] == (*ENTERPRISE_HEADERS, "错误原因")
    assert fix[1][0] == "乙公司" and fix[1][-1] == "统一社会信用代码：校验位错误"
    details = list(book["错误明细"].iter_rows(values_only=True))
    assert details[1] == (3, "统一社会信用代码", "校验位错误", bad_check(credit(2)))


def test_the_report_sheet_of_fixable_rows_can_be_imported_again_once_fixed(world, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [row("乙公司", bad_check(credit(2)))])
    report = tmp_path / "report.xlsx"
    run_failing("import_enterprises", path, "--report", report)
    book = load_workbook(report)
    book.worksheets[0].cell(row=2, column=2, value=credit(2))
    book.save(report)
    out, err = run("import_enterprises", report)
    assert "新增 1" in out
    assert "忽略未知列“错误原因”" in err
    assert Organisation.objects.get(credit_code=credit(2)).name == "乙公司"


def test_skip_bad_rows_with_only_bad_rows_fails(world, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [row(规模="巨型")])
    _, _, message = run_failing("import_enterprises", path, "--skip-bad-rows")
    assert "所有行都有错误" in message


def test_a_dry_run_counts_but_writes_nothing(world, tmp_path):
    path = workbook(
        tmp_path / "e.xlsx",
        ENTERPRISE_HEADERS,
        [row(), row(world.enterprise.name, world.enterprise.credit_code, 从业人数=9)],
    )
    before = Organisation.objects.count()
    out, _ = run("import_enterprises", path, "--dry-run")
    assert "试运行" in out and "新增 1，更新 1" in out
    assert Organisation.objects.count() == before
    world.enterprise.refresh_from_db()
    assert world.enterprise.employees != 9


def test_a_dry_run_with_bad_rows_fails(world, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [row(规模="巨型")])
    run_failing("import_enterprises", path, "--dry-run")
