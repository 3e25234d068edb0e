"""Hot-spot detection in the background (django-tasks), re-enqueued like the overdue sweep."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from hotspots import services


@task()
def detect_hotspots(reschedule: bool = True) -> str:
    """Raise the alerts due now; re-enqueues itself every ``HOTSPOT_INTERVAL_SECONDS``."""
    result = services.detect()
    if reschedule:
        interval = timedelta(seconds=int(services.setting("HOTSPOT_INTERVAL_SECONDS")))
        detect_hotspots.using(run_after=timezone.now() + interval).enqueue(True)
    return str(result)
