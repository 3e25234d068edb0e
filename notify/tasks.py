"""The outbox's background work (django-tasks): produce an event's messages after its move
commits, deliver each message with retries, and the periodic return-visit reminder."""

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
