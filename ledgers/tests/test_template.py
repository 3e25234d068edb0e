import pytest
from openpyxl import load_workbook

from ledgers import fields
from ledgers.importers import IMPORTERS
from ledgers.tests.helpers import (
    CASE_HEADERS,
    ENTERPRISE_HEADERS,
    PEOPLE_HEADERS,
    credit,
    run,
    run_failing,
)
from orgs.models import Organisation


@pytest.mark.parametrize(
    ("kind", "headers", "sheets"),
    [
        ("enterprises", ENTERPRISE_HEADERS, ["企业台账", "填写说明", "产业链党委", "区域代码"]),
        ("people", PEOPLE_HEADERS, ["人员台账", "填写说明", "区域代码"]),
        ("cases", CASE_HEADERS, ["事项台账", "填写说明", "事项类型与分类", "区域代码"]),
    ],
)
def test_a_template_has_the_headers_and_explains_each_column(
    world, tmp_path, kind, headers, sheets
):
    path = tmp_path / "t.xlsx"
    out, _ = run("ledger_template", kind, path)
    assert "模板已写入" in out
    book = load_workbook(path)
    assert book.sheetnames == sheets
    data = book.worksheets[0]
    assert [c.value for c in data[1]] == headers
    assert data.max_row == 1 and data.freeze_panes == "A2"
    guide = {
        r[0]: r for r in book["填写说明"].iter_rows(min_row=2, values_only=True) if r[0] in headers
    }
    assert list(guide) == headers
    for column in IMPORTERS[kind].columns:
        assert guide[column.header][1] == ("必填" if column.required else "选填")
        assert guide[column.header][3] == ("、".join(column.choices) or None)
    codes = [r[0] for r in book["区域代码"].iter_rows(min_row=2, values_only=True)]
    assert world.grid.code in codes


def test_the_enterprise_template_offers_choices_and_keeps_codes_as_text(world, tmp_path):
    path = tmp_path / "t.xlsx"
    run("ledger_template", "enterprises", path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["D2"] == '"大型,中型,小型,微型"'
    assert lists["F2"] == '"上游,中游,下游,配套服务"'
    assert sheet.column_dimensions["B"].number_format == "@"
    assert ["德化县陶瓷产业链党委", None] in [
        list(r) for r in book["产业链党委"].iter_rows(min_row=2, values_only=True)
    ]
    guide = [r[0] for r in book["填写说明"].iter_rows(values_only=True)]
    assert any(line and "import_enterprises" in line for line in guide)


def test_a_filled_in_template_imports(world, tmp_path):
    path = tmp_path / "t.xlsx"
    run("ledger_template", "enterprises", path)
    book = load_workbook(path)
    book.worksheets[0].append(["德化模板瓷业有限公司", credit(77), None, "中型", None, "上游"])
    book.save(path)
    out, _ = run("import_enterprises", path)
    assert "新增 1" in out
    assert Organisation.objects.get(credit_code=credit(77)).size == "medium"


def test_an_unknown_kind_is_refused(db, tmp_path):
    _, _, message = run_failing("ledger_template", "households", tmp_path / "t.xlsx")
    assert "households" in message


def test_every_example_in_the_guide_is_itself_valid(db):
    checks = {
        "credit_code": fields.credit_code,
        "enterprises": fields.credit_code,
        "enterprise": fields.credit_code,
        "id_number": fields.id_number,
        "phone": fields.text,
        "received_at": fields.local_datetime,
    }
    for importer in IMPORTERS.values():
        for column in importer.columns:
            assert column.example, column.header
            if column.key in checks:
                checks[column.key](column.example)
            if column.choices:
                assert column.example in column.choices
