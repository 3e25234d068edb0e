"""Tell the visiting dispatchers which answered cases now wait for a return visit (回访到期), and
queue again any delivery whose task was lost.

Safe to run as often as wanted: each case is notified once. ``--schedule`` also enqueues the
periodic round for the background worker (scripts/serve.sh does), unless one is waiting.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from notify.services import notify_visits_due, requeue_stalled
from notify.tasks import notify_periodic


class Command(BaseCommand):
    help = "Notify dispatchers of answered cases whose return visit is due (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also enqueue the periodic round for the background worker, unless one waits.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created, requeued = notify_visits_due(), requeue_stalled()
        self.stdout.write(f"回访到期通知：新生成 {created} 条；重新排队投递 {requeued} 条")
        if options["schedule"]:
            waiting = DBTaskResult.objects.filter(
                task_path=notify_periodic.module_path, status__in=["READY", "RUNNING"]
            ).exists()
            if not waiting:
                interval = timedelta(seconds=settings.LIANXIN["SWEEP_INTERVAL_SECONDS"])
                notify_periodic.using(run_after=timezone.now() + interval).enqueue(True)
                self.stdout.write("已安排周期性通知任务。")
