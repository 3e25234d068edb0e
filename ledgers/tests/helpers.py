"""Builders for ledger tests: workbooks in tmp_path and command runs with captured output."""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from orgs.credit_code import make_credit_code
from people.validators import id_check_digit

ENTERPRISE_HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "行业",
    "规模",
    "所在园区",
    "产业链环节",
    "所在区域",
    "从业人数",
    "所属产业链党委",
    "联系电话",
]
PEOPLE_HEADERS = [
    "姓名",
    "手机号",
    "身份证号",
    "所在区域",
    "所在单位",
    "职务",
    "党员",
    "联系企业",
    "联系类型",
]
CASE_HEADERS = [
    "事项类型",
    "分类",
    "标题",
    "诉求内容",
    "来源渠道",
    "发生地",
    "诉求人",
    "联系电话",
    "涉及企业",
    "受理时间",
    "紧急程度",
]


def credit(n: int) -> str:
    """A valid 统一社会信用代码, different for each ``n``."""
    return make_credit_code("9", "1", "350526", f"MA3Y{n:05d}")


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    return code[:17] + ("1" if code[17] != "1" else "2")


def id_number(n: int, birth: str = "19850315") -> str:
    first17 = f"350526{birth}{n:03d}"
    return first17 + id_check_digit(first17)


def workbook(
    path: Path,
    headers: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    sheet: str = "台账",
) -> Path:
    """Write a ledger: an optional title row, the header row, then the rows."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def run(name: str, *args: Any, **options: Any) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(name, *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_failing(name: str, *args: Any, **options: Any) -> tuple[str, str, str]:
    """Run a command expected to fail; (stdout, stderr, the CommandError message)."""
    from django.core.management.base import CommandError

    out, err = StringIO(), StringIO()
    try:
        call_command(name, *[str(a) for a in args], stdout=out, stderr=err, **options)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    raise AssertionError(f"{name} did not fail; stdout: {out.getvalue()} stderr: {err.getvalue()}")


def sheet_rows(path: Path, sheet: int | str = 0) -> list[tuple[Any, ...]]:
    book = load_workbook(path)
    ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
    return [tuple(r) for r in ws.iter_rows(values_only=True)]


def build_office(world: Any) -> dict[str, Any]:
    """The places and units the test ledgers name, beside the world's 浔中镇/浔中村/龙浔镇:
    宝美村, 东园村 (also a 东园村 in 龙浔镇, to be asked about), 英山村, 三班镇/三班村, the three
    towns' governments, 住建局 and 教育局. Returns the villages by name (浔中镇's 东园村)."""
    from orgs.models import Organisation, OrgKind
    from regions.models import Region, RegionLevel

    town, other_town = world.town, world.other_town
    sanban = Region.objects.create(
        name="三班镇", code="350526102", level=RegionLevel.TOWN, parent=world.county
    )
    made: dict[str, Any] = {}
    for name, code, parent in (
        ("宝美村", "350526100002", town),
        ("东园村", "350526100003", town),
        ("英山村", "350526101002", other_town),
        ("东园村", "350526101003", other_town),
        ("三班村", "350526102001", sanban),
    ):
        region = Region.objects.create(
            name=name, code=code, level=RegionLevel.VILLAGE, parent=parent
        )
        made.setdefault(name, region)
    for name in ("浔中镇", "龙浔镇", "三班镇"):
        Organisation.objects.create(
            kind=OrgKind.TOWN_GOVERNMENT, name=f"{name}人民政府", region=world.county
        )
    for name, short in (("德化县住房和城乡建设局", "住建局"), ("德化县教育局", "教育局")):
        Organisation.objects.create(
            kind=OrgKind.DEPARTMENT, name=name, short_name=short, region=world.county
        )
    return made
