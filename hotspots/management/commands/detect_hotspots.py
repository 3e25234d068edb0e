from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from hotspots import repeats, services
from hotspots.tasks import detect_hotspots


class Command(BaseCommand):
    help = (
        "Detect hot spots (the same category rising at the same place) and repeat demands "
        "(the same requester, or place and category, again and again) once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also enqueue the periodic detection task for the background worker, unless one is waiting.",
        )

    def handle(self, *args, **options) -> None:
        self.stdout.write(_("热点预警：") + str(services.detect()))
        self.stdout.write(str(repeats.detect()))
        if options["schedule"]:
            waiting = DBTaskResult.objects.filter(
                task_path=detect_hotspots.module_path, status__in=["READY", "RUNNING"]
            ).exists()
            if not waiting:
                interval = timedelta(seconds=int(services.setting("HOTSPOT_INTERVAL_SECONDS")))
                detect_hotspots.using(run_after=timezone.now() + interval).enqueue(True)
                self.stdout.write(_("已安排周期性热点预警任务。"))
