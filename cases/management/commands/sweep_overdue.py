from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from cases.sweep import sweep
from cases.tasks import sweep_overdue


class Command(BaseCommand):
    help = "Run the overdue sweep once: reminders (催办), overdue flags and supervision (督办)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also enqueue the periodic sweep task for the background worker, unless one is waiting.",
        )

    def handle(self, *args, **options) -> None:
        self.stdout.write(_("超期巡检：") + str(sweep()))
        if options["schedule"]:
            waiting = DBTaskResult.objects.filter(
                task_path=sweep_overdue.module_path, status__in=["READY", "RUNNING"]
            ).exists()
            if not waiting:
                interval = timedelta(seconds=settings.LIANXIN["SWEEP_INTERVAL_SECONDS"])
                sweep_overdue.using(run_after=timezone.now() + interval).enqueue(True)
                self.stdout.write(_("已安排周期性超期巡检任务。"))
