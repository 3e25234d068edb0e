"""Tell the visiting dispatchers which answered cases now wait for a return visit (回访到期).

Safe to run as often as wanted: each case is notified once.
"""

from typing import Any

from django.core.management.base import BaseCommand

from notify.services import notify_visits_due


class Command(BaseCommand):
    help = "Notify dispatchers of answered cases whose return visit is due (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = notify_visits_due()
        self.stdout.write(f"回访到期通知：新生成 {created} 条")
