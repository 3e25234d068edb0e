"""The department's duty list (履职清单): every current assignment, grouped by category.

The printable page and the .xlsx download are drawn from the same rows (``duty_list``), read
in one query, so what a unit prints and what it files in its ledger never differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cases.clocks import StageLight
from cases.models import Case, CaseAssignment, Status
from ledgers.cells import text_cell, text_row
from web.time_left import TimeLeft, WorkClock

# Assigned and not yet closed: the unit still answers for these.
CURRENT_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.ANSWERED, Status.VERIFIED)
HANDLING = (Status.ASSIGNED, Status.IN_PROGRESS)


@dataclass
class DutyRow:
    case: Case
    unit_name: str
    is_lead: bool
    assigned_at: datetime
    time_left: TimeLeft | None
    lights: list[StageLight] = field(default_factory=list)

    @property
    def role(self) -> str:
        return _("主办") if self.is_lead else _("协办")


@dataclass
class DutyGroup:
    case_type: str
    category: str
    rows: list[DutyRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.case_type} · {self.category}"


def duty_list(units: Iterable[int], clock: WorkClock) -> list[DutyGroup]:
    """The units' active assignments of cases not yet closed, by case type and category."""
    assignments = (
        CaseAssignment.objects.filter(
            unit_id__in=list(units), is_active=True, case__status__in=CURRENT_STATUSES
        )
        .select_related("unit", "case__case_type", "case__category")
        .order_by(
            "case__case_type__ordering",
            F("case__category__code").asc(nulls_last=True),  # 未分类 last on every database
            "case__deadline",
            "case_id",
            "-is_lead",
        )
    )
    groups: list[DutyGroup] = []
    for assignment in assignments:
        case = assignment.case
        case_type = case.case_type.name
        category = case.category.name if case.category is not None else _("未分类")
        if not groups or (groups[-1].case_type, groups[-1].category) != (case_type, category):
            groups.append(DutyGroup(case_type, category))
        handling = case.status in HANDLING
        groups[-1].rows.append(
            DutyRow(
                case=case,
                unit_name=assignment.unit.short_name or assignment.unit.name,
                is_lead=assignment.is_lead,
                assigned_at=assignment.assigned_at,
                time_left=clock.time_left(case.deadline) if handling else None,
                lights=clock.lights(case) if handling else [],
            )
        )
    return groups


HEADERS: list[tuple[object, float]] = [
    (gettext_lazy("事项类型"), 10),
    (gettext_lazy("分类"), 16),
    (gettext_lazy("编号"), 19),
    (gettext_lazy("标题"), 36),
    (gettext_lazy("承办单位"), 16),
    (gettext_lazy("主办/协办"), 9),
    (gettext_lazy("交办时间"), 17),
    (gettext_lazy("办理期限"), 17),
    (gettext_lazy("状态"), 10),
    (gettext_lazy("剩余/超期"), 16),
    (gettext_lazy("分段时限"), 30),
    (gettext_lazy("督办次数"), 9),
    (gettext_lazy("申请延期至"), 17),
]
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B22222")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _local(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: write the local wall time."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def duty_list_workbook(groups: list[DutyGroup], title: str) -> bytes:
    """The duty list as an .xlsx (write-only: memory stays flat however long the list)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("履职清单"))
    for index, (_header, width) in enumerate(HEADERS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A3"
    title_cell = text_cell(sheet, title)
    title_cell.font = Font(bold=True, size=13)
    sheet.append([title_cell])
    header_cells = []
    for header, _width in HEADERS:
        cell = text_cell(sheet, str(header))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)

    def dated(moment: datetime | None) -> Cell:
        cell = WriteOnlyCell(sheet, value=_local(moment))
        cell.number_format = DATETIME_FORMAT
        return cell

    for group in groups:
        for row in group.rows:
            case = row.case
            # Titles and names are typed by users: text stays text, never a formula.
            sheet.append(
                text_row(
                    sheet,
                    [
                        group.case_type,
                        group.category,
                        case.number,
                        case.title,
                        row.unit_name,
                        row.role,
                        dated(row.assigned_at),
                        dated(case.deadline),
                        case.status_label,
                        row.time_left.text if row.time_left else "",
                        "；".join(f"{x.stage_label}{x.color_label}" for x in row.lights),
                        case.supervision_level,
                        dated(case.pending_extension_until),
                    ],
                )
            )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
