"""Hot-spot and repeat-demand detection in the background (django-tasks), re-enqueued like the
overdue sweep; and the repeat check of one case after its report or triage."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from hotspots import repeats, services


@task()
def detect_hotspots(reschedule: bool = True) -> str:
    """Raise the alerts due now, hot spots and repeat demands (the periodic safety net of the
    per-case check); re-enqueues itself every ``HOTSPOT_INTERVAL_SECONDS``."""
    result = services.detect()
    repeated = repeats.detect()
    if reschedule:
        interval = timedelta(seconds=int(services.setting("HOTSPOT_INTERVAL_SECONDS")))
        detect_hotspots.using(run_after=timezone.now() + interval).enqueue(True)
    return f"{result}; {repeated}"


@task()
def check_repeats(case_id: int) -> str:
    """Enqueued once a case's report or triage commits (``hotspots.signals``)."""
    return str(repeats.check_case(case_id))
