from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from ledgers.importers import CaseImporter, Importer
from ledgers.management.base import ImportCommand
from people.models import User


class Command(ImportCommand):
    help = (
        "从 Excel 台账导入诉求事项，每行都通过系统的受理流程（report_case）登记，并记录受理事件。"
        "列：事项类型、分类、标题、诉求内容、来源渠道、发生地（区划代码或名称）、诉求人、联系电话、"
        "涉及企业（统一社会信用代码）、受理时间、紧急程度。"
        "“受理时间”只作记录（存入扩展信息），系统受理时间和办理时限从导入时起算。"
        "同一份台账重复导入不会重复登记（按台账内容摘要+行号识别）。"
        " / Import cases from an Excel ledger; every row is registered through report_case (which writes "
        "its 'reported' event). 受理时间 is informational only and kept in details: the engine stamps "
        "reported_at with the real time. Importing the same ledger again registers nothing twice "
        "(each row is keyed by the ledger's content digest and its row number)."
    )
    importer_class = CaseImporter

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--actor",
            required=True,
            metavar="USERNAME",
            help="登记人的用户名（记为事项的登记人） / the user recorded as having registered the cases",
        )

    def make_importer(self, options: dict[str, Any]) -> Importer:
        actor = User.objects.filter(username=options["actor"]).first()
        if actor is None:
            raise CommandError(_("用户“%(u)s”不存在。") % {"u": options["actor"]})
        if not actor.is_active:
            raise CommandError(_("用户“%(u)s”已停用。") % {"u": options["actor"]})
        return CaseImporter(
            actor=actor, skip_bad_rows=options["skip_bad_rows"], dry_run=options["dry_run"]
        )
