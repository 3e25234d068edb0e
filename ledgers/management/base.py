"""The shared shape of the import commands: arguments, the run, the report and the exit code."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledgers.exporters import error_lines, write_error_report
from ledgers.importers import Importer, ImportResult
from ledgers.reader import LedgerFileError


class ImportCommand(BaseCommand):
    """Read, check and import one ledger; bad rows go to stderr and optionally to --report."""

    importer_class: type[Importer]

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "file", metavar="FILE.xlsx", help="台账文件（.xlsx） / the ledger workbook (.xlsx)"
        )
        parser.add_argument(
            "--skip-bad-rows",
            action="store_true",
            help="导入正确的行，跳过并报告错误的行（默认：有任何错误行则不导入任何数据） / "
            "import the good rows and report the bad ones (default: any bad row imports nothing)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只校验并统计将新增/更新的行数，不写入数据库 / check and count only, write nothing",
        )
        parser.add_argument(
            "--report",
            metavar="REPORT.xlsx",
            help="把错误行和错误原因写入此 Excel 文件（改正后可直接再次导入） / "
            "write the bad rows and their reasons to this workbook (fix it and import it again)",
        )
        parser.add_argument(
            "--sheet",
            help="要导入的工作表名称（默认第一个） / the sheet to read (default: the first)",
        )

    def make_importer(self, options: dict[str, Any]) -> Importer:
        return self.importer_class(
            skip_bad_rows=options["skip_bad_rows"], dry_run=options["dry_run"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        importer = self.make_importer(options)
        started = time.monotonic()
        try:
            result = importer.run(options["file"], sheet=options["sheet"])
        except LedgerFileError as exc:
            raise CommandError(str(exc)) from exc
        for header in result.ignored_headers:
            self.stderr.write(
                _("提示：忽略未知列“%(h)s”。") % {"h": header}, style_func=self.style.WARNING
            )
        for line in error_lines(result.errors):
            self.stderr.write(line)
        if options["report"]:
            try:
                write_error_report(result, options["report"])
            except OSError as exc:
                raise CommandError(
                    _("无法写入错误报告 %(p)s：%(e)s") % {"p": options["report"], "e": exc}
                ) from exc
            self.stdout.write(_("错误报告已写入 %(p)s") % {"p": options["report"]})
        self.stdout.write(self._summary(importer, result, time.monotonic() - started))
        self._exit(result, skip=options["skip_bad_rows"])

    def _summary(self, importer: Importer, result: ImportResult, seconds: float) -> str:
        head = _("%(label)s台账“%(sheet)s”：共 %(total)d 行，错误 %(bad)d 行。") % {
            "label": result.label,
            "sheet": result.sheet,
            "total": result.total,
            "bad": len(result.bad_rows),
        }
        if not result.planned:
            return head + _("未导入任何数据。")
        verdict = _("试运行，未写入数据库；将会：") if result.dry_run else _("已导入：")
        return head + verdict + importer.summary(result) + _("（用时 %(s).1f 秒）") % {"s": seconds}

    def _exit(self, result: ImportResult, *, skip: bool) -> None:
        """Non-zero (CommandError) when rows were bad and nothing was, or would be, imported."""
        if not result.errors or result.planned:
            return
        if skip:
            raise CommandError(_("所有行都有错误，未导入任何数据。"))
        raise CommandError(
            _(
                "%(n)d 行有错误，未导入任何数据。请改正后重新导入，或使用 --skip-bad-rows 只导入正确的行。"
            )
            % {"n": len(result.bad_rows)}
        )
