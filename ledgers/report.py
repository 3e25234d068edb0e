"""The import report (导入报告): an .xlsx naming every bad row with its reason, the numbers found
twice in the file, and the counts, written from a ledger import's result (``HistoryResult.as_dict``
with all its errors).

Every text cell goes out as text, never as a formula (``ledgers.cells``): the values quoted are
the office's own cells, typed by anyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from ledgers.cells import text_row
from ledgers.exporters import _start_sheet

# What each count is called, in the order the summary lists them.
COUNT_LABELS: list[tuple[str, Any]] = [
    ("rows", gettext_lazy("记录行数")),
    ("good", gettext_lazy("正确")),
    ("bad", gettext_lazy("有误")),
    ("created", gettext_lazy("新导入")),
    ("updated", gettext_lazy("更新")),
    ("skipped", gettext_lazy("跳过（已导入过）")),
    ("left_out", gettext_lazy("略过的非记录行（合计、签名、说明等）")),
]


def count_labels() -> list[tuple[str, str]]:
    """The counts' labels in the current language."""
    return [(key, str(label)) for key, label in COUNT_LABELS]


def write_report(
    data: Mapping[str, Any],
    target: str | Path | IO[bytes],
    *,
    file_name: str = "",
    case_type: str = "",
) -> None:
    """Write the report of one run (a dry run or the import) to ``target``."""
    workbook = Workbook(write_only=True)

    errors = workbook.create_sheet(_("有误的行"))
    _start_sheet(errors, [(_("行号"), 8), (_("列"), 18), (_("原值"), 30), (_("原因"), 60)])
    for error in sorted(data.get("errors", []), key=lambda e: (e["row"], e["column"])):
        errors.append(
            text_row(errors, [error["row"], error["column"], error["value"], error["message"]])
        )

    duplicates = workbook.create_sheet(_("文件内重复编号"))
    _start_sheet(duplicates, [(_("编号"), 24), (_("行号"), 30), (_("出现次数"), 10)])
    for number, rows in sorted(data.get("duplicates_in_file", {}).items()):
        duplicates.append(
            text_row(duplicates, [number, "、".join(str(r) for r in rows), len(rows)])
        )

    summary = workbook.create_sheet(_("汇总"))
    _start_sheet(summary, [(_("项目"), 36), (_("内容"), 40)])
    counts = data.get("counts", {})
    mode = _("预览（未写入）") if data.get("dry_run") else _("导入")
    if not data.get("dry_run") and not data.get("imported"):
        mode = _("未导入（有误的行须先修正，或选择跳过有误的行）")
    lines: list[list[Any]] = [
        [_("文件"), file_name],
        [_("工作表"), data.get("sheet", "")],
        [_("事项类型"), case_type],
        [_("方式"), mode],
        [_("生成时间"), f"{timezone.localtime():%Y-%m-%d %H:%M}"],
    ]
    lines += [[label, counts.get(key, 0)] for key, label in count_labels()]
    lines.append([_("文件内重复的编号"), len(data.get("duplicates_in_file", {}))])
    for line in lines:
        summary.append(text_row(summary, line))
    workbook.save(target)
