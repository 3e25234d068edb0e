"""The outbox's background work (django-tasks): produce an event's messages after its move
commits, deliver each message with retries, and the periodic return-visit reminder."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from notify import services


@task()
def produce_notifications(event_id: int) -> str:
    return f"{services.produce_for_event(event_id)} new"


@task()
def deliver(notification_id: int) -> str:
    return services.deliver_notification(notification_id)


@task()
def notify_visits_due() -> str:
    return f"{services.notify_visits_due()} new"


@task()
def notify_periodic(reschedule: bool = True) -> str:
    """The outbox's rounds, like the overdue sweep: return visits now due, and deliveries whose
    task was lost; re-enqueues itself every SWEEP_INTERVAL_SECONDS."""
    visits, stalled = services.notify_visits_due(), services.requeue_stalled()
    if reschedule:
        interval = timedelta(seconds=settings.LIANXIN["SWEEP_INTERVAL_SECONDS"])
        notify_periodic.using(run_after=timezone.now() + interval).enqueue(True)
    return f"{visits} visit notices, {stalled} requeued"
