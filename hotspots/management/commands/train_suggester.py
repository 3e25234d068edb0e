from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotspots import suggest


class Command(BaseCommand):
    help = "Train the category and lead-unit suggester on the office's closed cases."

    def handle(self, *args, **options) -> None:
        try:
            row = suggest.train()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error

        def pct(value: float | None) -> str:
            return "—" if value is None else f"{value:.1%}"

        self.stdout.write(
            _(
                "已训练：%(n)d 件已办结事项，检验 %(e)d 件，分类首选准确率 %(c)s，承办单位首选准确率 %(u)s，模型文件 %(f)s"
            )
            % {
                "n": row.cases_used,
                "e": row.evaluated_on,
                "c": pct(row.category_accuracy),
                "u": pct(row.unit_accuracy),
                "f": row.file,
            }
        )
