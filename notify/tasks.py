"""The outbox's background work (django-tasks): produce an event's messages after its move
commits, deliver each message with retries, and the periodic return-visit reminder."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from notify import services
from people import otp


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
    """The outbox's rounds, like the overdue sweep: return visits now due, deliveries whose task
    was lost, and old sign-in codes; re-enqueues itself every SWEEP_INTERVAL_SECONDS."""
    visits, stalled = services.notify_visits_due(), services.requeue_stalled()
    otp.purge()  # the SMS sign-in codes past the daily limit's window
    if reschedule:
        interval = timedelta(seconds=settings.LIANXIN["SWEEP_INTERVAL_SECONDS"])
        notify_periodic.using(run_after=timezone.now() + interval).enqueue(True)
    return f"{visits} visit notices, {stalled} requeued"
