"""Writing workbooks: the case ledger (台账), blank import templates and import error reports.

The case ledger streams: one query read through a cursor, rows written by openpyxl's write-only
mode, so memory and time grow with the rows written and queries do not grow at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from cases.models import (
    OPEN_STATUSES,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseType,
    Channel,
    EventKind,
    Satisfaction,
    Status,
)
from cases.scope import visible_cases
from ledgers.cells import as_text, text_cell, text_row
from ledgers.importers import IMPORTERS, ImportResult
from orgs.models import Organisation
from people.masking import mask_name, mask_phone
from people.models import User
from regions.models import Region

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B22222")
REQUIRED_FONT = Font(bold=True, color="C00000")

# (header, width in characters) of the case ledger, in order.
CASE_LEDGER_COLUMNS: list[tuple[str, float]] = [
    ("编号", 19),
    ("类型", 10),
    ("分类", 14),
    ("标题", 36),
    ("来源渠道", 11),
    ("发生地", 14),
    ("诉求人", 9),
    ("电话", 14),
    ("受理时间", 17),
    ("状态", 9),
    ("主办单位", 26),
    ("办理期限", 17),
    ("答复时间", 17),
    ("按期", 10),
    ("回访满意度", 11),
    ("销号时间", 17),
    ("督办次数", 9),
    ("延期次数", 9),
    ("退单次数", 9),
    ("最近流转", 12),
]
# The fields one ledger row needs, joined in the one query (what select_related would join,
# without building model instances: 50,000 rows export in seconds).
_LEDGER_FIELDS = (
    "number",
    "case_type_id",
    "category__name",
    "title",
    "channel",
    "region__name",
    "requester_name",
    "requester_phone",
    "reported_at",
    "status",
    "lead_unit__name",
    "deadline",
    "answered_at",
    "answered_on_time",
    "is_overdue",
    "visit_satisfaction",
    "closed_at",
    "supervision_level",
    "extension_count",
    "send_back_count",
    "last_move",
)
_DATE_COLUMNS = {8, 11, 12, 15}


class ExportError(Exception):
    """A filter that cannot be applied; the message is for the user."""


def parse_month(value: str) -> int:
    """ "2024-05" → 202405 (the form of ``Case.reported_month``)."""
    match = re.fullmatch(r"(\d{4})-?(\d{1,2})", value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ExportError(_("月份“%(v)s”格式错误，应为 YYYY-MM，如 2024-05。") % {"v": value})
    return int(match.group(1)) * 100 + int(match.group(2))


def parse_statuses(value: str) -> list[str]:
    """Comma-separated states: canonical codes (closed), their labels (已销号) or "open"."""
    by_label = {str(label): code for code, label in Status.choices}
    found: list[str] = []
    for part in filter(None, (p.strip() for p in re.split(r"[,，、]", value))):
        if part == "open":
            found.extend(OPEN_STATUSES)
        elif part in Status.values:
            found.append(part)
        elif part in by_label:
            found.append(by_label[part])
        else:
            raise ExportError(
                _("状态“%(v)s”无效，应为 open 或：%(allowed)s。")
                % {"v": part, "allowed": "、".join(f"{c}({label})" for c, label in Status.choices)}
            )
    return found


def case_ledger_queryset(
    *,
    type_code: str | None = None,
    status: str | None = None,
    unit_id: int | None = None,
    region_code: str | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    actor: User | None = None,
) -> QuerySet[Case]:
    """The cases of a ledger: filtered, limited to what ``actor`` may see, oldest first."""
    cases = Case.objects.all() if actor is None else visible_cases(actor)
    if type_code:
        if not CaseType.objects.filter(code=type_code).exists():
            codes = "、".join(CaseType.objects.values_list("code", flat=True))
            raise ExportError(
                _("事项类型代码“%(v)s”不存在，可用：%(codes)s。") % {"v": type_code, "codes": codes}
            )
        cases = cases.filter(case_type__code=type_code)
    if status:
        cases = cases.filter(status__in=parse_statuses(status))
    if unit_id is not None:
        if not Organisation.objects.filter(pk=unit_id).exists():
            raise ExportError(_("单位 ID %(v)s 不存在。") % {"v": unit_id})
        # The unit's ledger: what it leads and what it co-handles.
        cases = cases.filter(
            Q(lead_unit_id=unit_id)
            | Q(
                pk__in=CaseAssignment.objects.filter(unit_id=unit_id, is_active=True).values(
                    "case_id"
                )
            )
        )
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ExportError(_("区划代码“%(v)s”不存在。") % {"v": region_code})
        cases = cases.in_region(region)
    start = parse_month(month_from) if month_from else None
    end = parse_month(month_to) if month_to else None
    if start and end and start > end:
        raise ExportError(_("起始月份晚于结束月份。"))
    if start:
        cases = cases.filter(reported_month__gte=start)
    if end:
        cases = cases.filter(reported_month__lte=end)
    return cases.order_by("reported_at", "pk")


def write_case_ledger(cases: QuerySet[Case], path: str | Path) -> int:
    """Write the case ledger to ``path``; the number of cases written.

    Personal data is masked: a ledger file travels by e-mail and WeChat.
    """
    labels = {t.pk: t for t in CaseType.objects.all()}
    channels = dict(Channel.choices)
    # The last move in the one word of EventKind, as the timeline and Open311 say it.
    moves = dict(EventKind.choices)
    _last_move = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    satisfaction = dict(Satisfaction.choices)
    tz = timezone.get_current_timezone()
    yes, no, late = _("是"), _("否"), _("否（已超期）")

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("事项台账"))
    _start_sheet(sheet, CASE_LEDGER_COLUMNS)

    def when(moment: datetime | None) -> Cell | None:
        if moment is None:
            return None
        cell = WriteOnlyCell(sheet, value=moment.astimezone(tz).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell

    count = 0
    for (
        number,
        type_id,
        category,
        title,
        channel,
        region,
        name,
        phone,
        reported_at,
        status,
        unit,
        deadline,
        answered_at,
        on_time,
        overdue,
        visit,
        closed_at,
        supervised,
        extended,
        sent_back,
        last_move,
    ) in (
        cases.annotate(last_move=Subquery(_last_move.values("kind")[:1]))
        .values_list(*_LEDGER_FIELDS)
        .iterator(chunk_size=2000)
    ):
        case_type = labels[type_id]
        if on_time is None:
            punctual = late if overdue else ""
        else:
            punctual = yes if on_time else no
        sheet.append(
            text_row(
                sheet,
                [
                    number,
                    case_type.name,
                    category or "",
                    title,
                    str(channels.get(channel, channel)),
                    region,
                    mask_name(name),
                    mask_phone(phone),
                    when(reported_at),
                    case_type.label(status),
                    unit or "",
                    when(deadline),
                    when(answered_at),
                    punctual,
                    str(satisfaction.get(visit, "")) if visit else "",
                    when(closed_at) if status == Status.CLOSED else None,
                    supervised,
                    extended,
                    sent_back,
                    str(moves.get(last_move, last_move or "")),
                ],
            )
        )
        count += 1
    last = get_column_letter(len(CASE_LEDGER_COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    workbook.save(path)
    return count


def _start_sheet(sheet: Any, columns: Sequence[tuple[str, float]]) -> None:
    """Header row, widths and frozen header of a write-only sheet (before any row is written)."""
    sheet.freeze_panes = "A2"
    for index, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for title, _width in columns:
        cell = text_cell(sheet, title)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        header.append(cell)
    sheet.append(header)


# --- Blank templates --------------------------------------------------------------------------

COMMANDS = {"enterprises": "import_enterprises", "people": "import_people", "cases": "import_cases"}


def write_template(kind: str, path: str | Path) -> None:
    """A blank ledger for ``kind``: the header row, a sheet explaining each column, reference lists."""
    importer = IMPORTERS[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = _("%(label)s台账") % {"label": importer.label}
    sheet.freeze_panes = "A2"
    for index, column in enumerate(importer.columns, start=1):
        letter = get_column_letter(index)
        cell = as_text(sheet.cell(row=1, column=index, value=column.header))
        cell.font = REQUIRED_FONT if column.required else Font(bold=True)
        cell.comment = Comment(_rules_text(column), "Lianxin")
        width = max(
            12, len(column.header) * 2 + 4, len(column.example) + 4 if column.example else 0
        )
        sheet.column_dimensions[letter].width = min(width, 40)
        if column.text:
            # Typed as text, an 18-digit code keeps its digits (a number cell keeps only 15).
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error=_("请从下拉列表中选择：%(v)s") % {"v": "、".join(column.choices)},
            )
            validation.add(f"{letter}2:{letter}1048576")
            sheet.add_data_validation(validation)

    guide = workbook.create_sheet(_("填写说明"))
    guide.append(text_row(guide, [_("列名"), _("是否必填"), _("说明"), _("允许的值"), _("示例")]))
    for column in importer.columns:
        guide.append(
            text_row(
                guide,
                [
                    column.header,
                    _("必填") if column.required else _("选填"),
                    str(column.help),
                    "、".join(column.choices),
                    column.example,
                ],
            )
        )
    guide.append([])
    for line in _guide_notes(kind):
        guide.append(text_row(guide, [line]))
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (16, 10, 60, 36, 30), strict=True):
        guide.column_dimensions[letter].width = width
    guide.freeze_panes = "A2"

    for title, headers, rows in importer.reference_sheets():
        extra = workbook.create_sheet(title[:31])
        extra.append(text_row(extra, headers))
        for cell in extra[1]:
            cell.font = Font(bold=True)
        for row in rows:
            # Reference lists hold names users entered (units, places): text stays text.
            extra.append(text_row(extra, row))
        for index in range(1, len(headers) + 1):
            extra.column_dimensions[get_column_letter(index)].width = 24
        extra.freeze_panes = "A2"
    workbook.save(path)


def _rules_text(column: Any) -> str:
    parts = [_("必填") if column.required else _("选填"), str(column.help)]
    if column.choices:
        parts.append(_("允许的值：%(v)s") % {"v": "、".join(column.choices)})
    return "\n".join(p for p in parts if p)


def _guide_notes(kind: str) -> list[str]:
    notes = [
        _(
            "第一个工作表的第一行为表头，请勿修改列名；从第二行起每行一条记录。列的顺序可以调整，多余的列会被忽略。"
        ),
        _("红色列名为必填列。统一社会信用代码、身份证号等长数字请按文本填写。"),
        _(
            "导入命令：python manage.py %(cmd)s 文件.xlsx [--dry-run] [--skip-bad-rows] [--report 错误报告.xlsx]"
        )
        % {"cmd": COMMANDS[kind]},
        _(
            "任何一行有错误时不导入任何数据；加 --skip-bad-rows 只导入正确的行，错误行写入错误报告，改正后可直接再次导入。"
        ),
    ]
    if kind == "enterprises":
        notes.append(
            _(
                "统一社会信用代码已在系统中的企业会被更新（空白单元格不覆盖原有资料），不会重复创建。"
            )
        )
    if kind == "people":
        notes.append(
            _(
                "人员按身份证号识别，没有身份证号时按姓名+手机号识别；已有人员会被更新，不会重复创建。"
            )
        )
    if kind == "cases":
        notes.append(
            _(
                "每条事项通过系统受理流程登记（导入命令须指定登记人 --actor）。同一份台账重复导入不会重复登记。"
            )
        )
        notes.append(_("“受理时间”只作记录；系统的受理时间和办理时限从导入时起算。"))
    return notes


# --- Import error reports ---------------------------------------------------------------------


def write_error_report(result: ImportResult, path: str | Path) -> None:
    """The bad rows as they were (fix them in place and import this file again) and every reason."""
    workbook = Workbook(write_only=True)
    rows = workbook.create_sheet(_("待修正行"))
    reason_header = _("错误原因")
    headers = list(result.headers)
    _start_sheet(rows, [(h or "", 16) for h in headers] + [(reason_header, 60)])
    reasons: dict[int, list[str]] = {}
    for error in result.errors:
        reasons.setdefault(error.row, []).append(f"{error.column}：{error.message}")
    for row in sorted(result.bad_rows, key=lambda r: r.number):
        values = list(row.raw) + [None] * (len(headers) - len(row.raw))
        # The user's own cells go back as they were: text stays text (``ledgers.cells``).
        rows.append(
            text_row(rows, [*values[: len(headers)], "；".join(reasons.get(row.number, []))])
        )

    details = workbook.create_sheet(_("错误明细"))
    _start_sheet(details, [(_("行号"), 8), (_("列名"), 16), (_("错误原因"), 60), (_("原值"), 30)])
    for error in sorted(result.errors, key=lambda e: e.row):
        details.append(text_row(details, [error.row, error.column, error.message, error.value]))
    workbook.save(path)


def error_lines(errors: Iterable[Any]) -> list[str]:
    return [str(e) for e in sorted(errors, key=lambda e: e.row)]
