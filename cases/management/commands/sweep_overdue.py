from django.core.management.base import BaseCommand

from cases.sweep import sweep


class Command(BaseCommand):
    help = "Run the overdue sweep once: reminders (催办), overdue flags and supervision (督办)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(str(sweep()))
