import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledgers.exporters import ExportError, case_ledger_queryset, write_case_ledger
from people.models import User


class Command(BaseCommand):
    help = (
        "导出诉求事项台账（Excel）：编号、类型、分类、标题、来源渠道、发生地、诉求人（脱敏）、电话（脱敏）、"
        "受理时间、状态、主办单位、办理期限、答复时间、按期、回访满意度、销号时间、督办次数、延期次数、退单次数。"
        "指定 --actor 时只导出该用户可见的事项。"
        " / Export the case ledger to Excel (Chinese headers, masked personal data, frozen header, "
        "autofilter, real dates in local time). With --actor only the cases that user may see are exported."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("out", metavar="OUT.xlsx", help="输出文件 / the workbook to write")
        parser.add_argument(
            "--type", metavar="CODE", help="事项类型代码，如 enterprise_demand / case type code"
        )
        parser.add_argument(
            "--status",
            metavar="S",
            help="状态：open 或 reported/triaged/assigned/in_progress/answered/verified/closed/rejected/merged，"
            "可用逗号分隔多个 / status code(s), comma-separated, or 'open'",
        )
        parser.add_argument(
            "--unit",
            metavar="ID",
            type=int,
            help="单位 ID（主办或协办） / unit id (lead or co-unit)",
        )
        parser.add_argument(
            "--region", metavar="CODE", help="区划代码（含下级） / region code (with its subtree)"
        )
        parser.add_argument(
            "--from", dest="month_from", metavar="YYYY-MM", help="受理月份起 / first month"
        )
        parser.add_argument(
            "--to", dest="month_to", metavar="YYYY-MM", help="受理月份止 / last month"
        )
        parser.add_argument(
            "--actor",
            metavar="USERNAME",
            help="只导出该用户可见的事项 / export only what this user may see",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(_("用户“%(u)s”不存在或已停用。") % {"u": options["actor"]})
        started = time.monotonic()
        try:
            cases = case_ledger_queryset(
                type_code=options["type"],
                status=options["status"],
                unit_id=options["unit"],
                region_code=options["region"],
                month_from=options["month_from"],
                month_to=options["month_to"],
                actor=actor,
            )
            count = write_case_ledger(cases, options["out"])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(p)s：%(e)s") % {"p": options["out"], "e": exc}
            ) from exc
        self.stdout.write(
            _("已导出 %(n)d 条事项到 %(p)s（用时 %(s).1f 秒）")
            % {"n": count, "p": options["out"], "s": time.monotonic() - started}
        )
