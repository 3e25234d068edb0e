"""The quarterly totals as a workbook for the organisation department: every text a string cell
(``ledgers.cells``), never a formula, whatever a workshop's or town's name begins with."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from ledgers.cells import text_row
from workshops.selectors import ReportRow, Totals


def report_xlsx(rows: list[ReportRow], grand: Totals, year: int, quarter: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("共富工坊季度汇总"))
    sheet.append(
        text_row(sheet, [_("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter}])
    )
    header = [
        _("乡镇"),
        _("工坊类型"),
        _("工坊数"),
        _("提供岗位"),
        _("带动农户(户)"),
        _("带动增收(万元)"),
    ]
    sheet.append(text_row(sheet, header))
    for r in rows:
        t = r.totals
        sheet.append(
            text_row(
                sheet, [r.town_name, r.type_label, t.count, t.jobs, t.households, float(t.income)]
            )
        )
    sheet.append(
        text_row(
            sheet,
            [_("合计"), "", grand.count, grand.jobs, grand.households, float(grand.income)],
        )
    )
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
