from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ops.retention import anonymise_closed, retention_years


class Command(BaseCommand):
    help = (
        "Anonymise (脱敏) the requesters of cases closed more than N years ago "
        "(LIANXIN['RETENTION_YEARS'], default 5): names, phones, ID numbers and addresses are "
        "masked; rates are unchanged. --dry-run only counts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--years",
            type=int,
            default=None,
            help="Retention period in years (default: LIANXIN['RETENTION_YEARS']).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be anonymised; change nothing."
        )
        parser.add_argument("--batch-size", type=int, default=200, help="Cases per transaction.")

    def handle(self, *args, **options) -> None:
        years = options["years"] if options["years"] is not None else retention_years()
        if years < 1:
            raise CommandError(_("保存年限至少为 1 年。"))
        if options["batch_size"] < 1:
            raise CommandError(_("每批数量至少为 1。"))
        outcome = anonymise_closed(
            years=years, dry_run=options["dry_run"], batch_size=options["batch_size"]
        )
        values = {
            "years": years,
            "date": f"{outcome.closed_before:%Y-%m-%d}",
            "cases": outcome.cases,
            "persons": outcome.persons,
            "parties": outcome.parties,
        }
        if outcome.dry_run:
            message = _(
                "试运行（未修改任何数据）：%(date)s 前销号（超过 %(years)s 年）的事项中，"
                "将脱敏 %(cases)s 件事项、%(persons)s 名人员、%(parties)s 名纠纷当事人。"
            )
        else:
            message = _(
                "已脱敏 %(date)s 前销号（超过 %(years)s 年）的 %(cases)s 件事项、"
                "%(persons)s 名人员、%(parties)s 名纠纷当事人。"
            )
        self.stdout.write(message % values)
