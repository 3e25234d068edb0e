from openpyxl import Workbook

from ledgers.tests.helpers import ENTERPRISE_HEADERS, credit, run, run_failing, workbook
from orgs.models import Organisation


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    _, _, message = run_failing("import_enterprises", tmp_path / "nope.xlsx")
    assert message == f"文件不存在：{tmp_path / 'nope.xlsx'}"


def test_a_file_that_is_not_xlsx_is_a_clear_error(db, tmp_path):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("企业名称,统一社会信用代码\n", encoding="utf-8")
    _, _, message = run_failing("import_enterprises", fake)
    assert "不是有效的 .xlsx 文件" in message
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    _, _, message = run_failing("import_enterprises", old)
    assert "不支持 .xls 格式" in message and "另存为" in message


def test_missing_required_headers_are_named(db, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ["企业名称", "行业"], [["甲", "陶瓷"]])
    _, _, message = run_failing("import_enterprises", path)
    assert message == "第1行表头缺少必填列：统一社会信用代码。"
    path = workbook(tmp_path / "e.xlsx", ["名称", "代码"], [["甲", "x"]])
    _, _, message = run_failing("import_enterprises", path)
    assert "没有找到表头" in message and "企业名称、统一社会信用代码" in message


def test_a_sheet_without_data_rows_is_a_clear_error(db, tmp_path):
    path = workbook(tmp_path / "e.xlsx", ENTERPRISE_HEADERS, [])
    _, _, message = run_failing("import_enterprises", path)
    assert "没有数据行" in message


def test_a_repeated_header_is_refused(db, tmp_path):
    path = workbook(
        tmp_path / "e.xlsx",
        ["企业名称", "统一社会信用代码", "企业名称（全称）"],
        [["甲", credit(1), "甲"]],
    )
    _, _, message = run_failing("import_enterprises", path)
    assert "“企业名称”出现了两次" in message


def test_a_title_row_notes_in_headers_and_blank_rows_are_understood(world, tmp_path):
    """Row numbers stay the ones Excel shows, past a title row and blank lines."""
    path = workbook(
        tmp_path / "e.xlsx",
        ["*企业名称", "统一社会信用代码 ", "规模（大型/中型/小型/微型）", "备注"],
        [
            ["甲公司", credit(1), "小型", "x"],
            [None, None, None, None],
            ["乙公司", credit(2), "巨型", None],
        ],
        title="德化县陶瓷企业台账（2024年）",
    )
    _, err, _ = run_failing("import_enterprises", path)
    assert "提示：忽略未知列“备注”。" in err
    assert "第5行 规模：“巨型”不是允许的值" in err
    assert not Organisation.objects.filter(name="甲公司").exists()


def test_another_sheet_may_be_named(world, tmp_path):
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["本文件第二个工作表是台账"])
    data = book.create_sheet("企业")
    data.append(["企业名称", "统一社会信用代码"])
    data.append(["甲公司", credit(1)])
    book.save(tmp_path / "e.xlsx")
    _, _, message = run_failing("import_enterprises", tmp_path / "e.xlsx", "--sheet", "人员")
    assert "工作表“人员”不存在，可用的工作表：说明、企业" in message
    out, _ = run("import_enterprises", tmp_path / "e.xlsx", "--sheet", "企业")
    assert "新增 1" in out


def test_full_width_characters_and_spaces_in_codes_are_normalised(world, tmp_path):
    code = credit(3)
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in code[:6]) + " " + code[6:].lower()
    path = workbook(tmp_path / "e.xlsx", ["企业名称", "统一社会信用代码"], [["甲公司", wide]])
    run("import_enterprises", path)
    assert Organisation.objects.get(name="甲公司").credit_code == code


def test_a_zip_that_is_not_a_workbook_is_a_clear_error(db, tmp_path):
    import zipfile

    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    _, _, message = run_failing("import_enterprises", path)
    assert "不是有效的 .xlsx 文件" in message
