"""Import an office's own ledger (台账) of past cases; for now only its dry run (--dry-run)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledgers.preview import Preview, describe_kind, preview
from ledgers.reader import LedgerFileError
from ledgers.vocabulary import FIELD_LABELS, MappingProfile

SHOWN_BAD_ROWS = 20


class Command(BaseCommand):
    help = (
        "预览导入单位自己的历史台账：识别表头、把各列对应到系统字段、检查日期/时限/状态等取值，"
        "不写入数据库。目前只支持 --dry-run。"
        " / Preview importing an office's own ledger of past cases: detect the header, map the "
        "columns to fields and check dates, limits and value words, writing nothing. For now "
        "only --dry-run is available."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", metavar="FILE.xlsx", help="台账文件（.xlsx） / the ledger workbook (.xlsx)"
        )
        parser.add_argument(
            "--sheet", metavar="NAME", help="工作表名称（默认第一个） / sheet (default: the first)"
        )
        parser.add_argument(
            "--profile",
            metavar="PROFILE.json",
            help="已确认的列和取值对应方案 / a confirmed column and value mapping profile",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只预览和检查，不写入数据库（目前必须指定） / preview only, write nothing "
            "(required for now)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="最后一行输出一个 JSON 对象 / print one JSON object as the last line",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = bool(options["json"])
        try:
            if not options["dry_run"]:
                raise CommandError(_("导入历史记录尚未开放，请先用 --dry-run 预览。"))
            profile = self._profile(options["profile"])
            try:
                result = preview(options["file"], options["sheet"], profile)
            except LedgerFileError as exc:
                raise CommandError(str(exc)) from exc
        except CommandError as exc:
            if as_json:
                self.stdout.write(json.dumps({"error": str(exc)}, ensure_ascii=False))
            raise
        self._summary(result)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))

    def _profile(self, path: str | None) -> MappingProfile | None:
        if not path:
            return None
        try:
            return MappingProfile.from_json(Path(path).read_bytes())
        except OSError as exc:
            raise CommandError(
                _("无法读取对应方案 %(path)s：%(error)s") % {"path": path, "error": exc}
            ) from exc
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            raise CommandError(
                _("对应方案 %(path)s 格式不正确：%(error)s") % {"path": path, "error": exc}
            ) from exc

    def _summary(self, result: Preview) -> None:
        layout = result.layout
        write = self.stdout.write
        write(
            _("工作表：%(s)s（%(k)s）") % {"s": layout.sheet_name, "k": describe_kind(layout.kind)}
        )
        if layout.period is not None:
            write(_("期间：%(a)s 至 %(b)s") % {"a": layout.period.start, "b": layout.period.end})
        elif layout.period_year is not None:
            write(_("年份：%(y)s") % {"y": layout.period_year})
        else:
            write(_("期间：未识别（不带年份的日期将无法读取）"))
        rows = "、".join(str(r) for r in layout.header_rows) or "-"
        write(_("表头行：第 %(r)s 行") % {"r": rows})
        write(_("列对应："))
        for column in result.columns:
            if column.field is None:
                target = str(FIELD_LABELS["details"])
            else:
                label = FIELD_LABELS.get(column.field, column.field)
                origin = _("，按对应方案") if column.from_profile else ""
                target = f"{label}（{column.field}，{column.score:.2f}{origin}）"
            write(f"  {column.letter} {column.name} → {target}")
        write(
            _(
                "共 %(rows)d 行：正确 %(good)d 行，有误 %(bad)d 行，另有 %(left)d 行不是记录（合计、签名、说明等）已略过。"
            )
            % {"rows": result.rows, "good": result.good, "bad": result.bad, "left": result.left_out}
        )
        if result.bad_rows:
            write(_("有误的单元格（前 %(n)d 个）：") % {"n": SHOWN_BAD_ROWS})
            for bad in result.bad_rows[:SHOWN_BAD_ROWS]:
                write(
                    _("  第 %(row)d 行“%(col)s”：%(reason)s")
                    % {"row": bad.row, "col": bad.column, "reason": bad.reason}
                )
        for field_name, words in result.unknown_values.items():
            write(
                _("“%(f)s”列有未识别的取值，需确认：%(w)s")
                % {"f": FIELD_LABELS.get(field_name, field_name), "w": "、".join(words)}
            )
