from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledgers.exporters import write_template
from ledgers.importers import IMPORTERS


class Command(BaseCommand):
    help = (
        "生成空白台账模板（表头 + “填写说明”工作表 + 可选值对照表），KIND 为 enterprises（企业）、"
        "people（人员）或 cases（诉求事项）。"
        " / Write an empty ledger template: the header row, a sheet explaining each column and its "
        "allowed values, and reference sheets. KIND is enterprises, people or cases."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "kind", metavar="KIND", choices=sorted(IMPORTERS), help="enterprises / people / cases"
        )
        parser.add_argument("out", metavar="OUT.xlsx", help="输出文件 / the workbook to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            write_template(options["kind"], options["out"])
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(p)s：%(e)s") % {"p": options["out"], "e": exc}
            ) from exc
        self.stdout.write(_("模板已写入 %(p)s") % {"p": options["out"]})
