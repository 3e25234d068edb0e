"""Delivering a message: retries with backoff after a failure, giving up after the last attempt
with the provider's answer kept, and text messages held back in quiet hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Priority
from notify import services, sms
from notify.models import Channel, DeliveryStatus, Notification
from notify.tests.helpers import last_event, tasks

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)
NIGHT = datetime(2026, 9, 14, 23, 30, tzinfo=SHANGHAI)
MORNING = datetime(2026, 9, 15, 7, 0, tzinfo=SHANGHAI)


@pytest.fixture
def sms_row(world, settings):
    """A produced, not yet delivered text message to the handler about a new assignment."""
    settings.NOTIFY_QUIET_HOURS = ""
    case = world.assigned()
    services.produce_for_event(last_event(case, "assigned").pk)
    return Notification.objects.get(case=case, channel=Channel.SMS)


@pytest.fixture
def failing_gateway(settings, http_recorder):
    settings.NOTIFY_SMS_BACKEND = "notify.sms.HttpSmsBackend"
    settings.NOTIFY_SMS_URL = http_recorder.url + "/sms/send"
    settings.NOTIFY_MAX_ATTEMPTS = 3
    http_recorder.status = 503
    http_recorder.answer = {"code": 5001, "msg": "短信通道维护中"}
    return http_recorder


def deliveries_after(pk: int) -> list[datetime]:
    return [t.run_after for t in tasks("notify.tasks.deliver") if t.args_kwargs["args"] == [pk]]


def test_a_delivered_message_is_marked_sent_once(sms_row):
    assert services.deliver_notification(sms_row.pk, now=DAY) == DeliveryStatus.SENT
    sms_row.refresh_from_db()
    assert (sms_row.status, sms_row.attempts, sms_row.sent_at) == (DeliveryStatus.SENT, 1, DAY)
    assert [m.phone for m in sms.outbox] == ["13800000000"]
    assert services.deliver_notification(sms_row.pk, now=DAY) == "nothing to do"
    assert len(sms.outbox) == 1


def test_a_failure_is_retried_with_backoff_and_given_up_after_the_last_attempt(
    sms_row, failing_gateway
):
    already = set(deliveries_after(sms_row.pk))
    assert services.deliver_notification(sms_row.pk, now=DAY) == DeliveryStatus.FAILED
    sms_row.refresh_from_db()
    assert (sms_row.status, sms_row.attempts) == (DeliveryStatus.FAILED, 1)
    assert sms_row.next_attempt_at == DAY + timedelta(minutes=1)
    assert "HTTP 503" in sms_row.provider_response and "短信通道维护中" in sms_row.provider_response
    assert set(deliveries_after(sms_row.pk)) - already == {DAY + timedelta(minutes=1)}

    later = DAY + timedelta(minutes=1)
    assert services.deliver_notification(sms_row.pk, now=later) == DeliveryStatus.FAILED
    sms_row.refresh_from_db()
    assert sms_row.next_attempt_at == later + timedelta(minutes=5)

    last = later + timedelta(minutes=5)
    assert services.deliver_notification(sms_row.pk, now=last) == DeliveryStatus.GAVE_UP
    sms_row.refresh_from_db()
    assert (sms_row.status, sms_row.attempts, sms_row.next_attempt_at) == (
        DeliveryStatus.GAVE_UP,
        3,
        None,
    )
    assert "短信通道维护中" in sms_row.provider_response
    assert len(deliveries_after(sms_row.pk)) == len(already) + 2  # no retry after giving up
    assert services.deliver_notification(sms_row.pk) == "nothing to do"
    assert len(failing_gateway.received) == 3


def test_a_failed_message_goes_out_when_the_gateway_is_back(sms_row, failing_gateway):
    services.deliver_notification(sms_row.pk, now=DAY)
    failing_gateway.status, failing_gateway.answer = 200, {"code": 0, "msg": "ok"}
    assert services.deliver_notification(sms_row.pk, now=DAY + timedelta(minutes=1)) == "sent"
    sms_row.refresh_from_db()
    assert (sms_row.status, sms_row.attempts) == (DeliveryStatus.SENT, 2)


def test_the_backoff_grows_and_then_stays_at_two_hours():
    assert [services.backoff(n) for n in range(1, 7)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=2),
        timedelta(hours=2),
    ]


def test_a_text_due_in_quiet_hours_waits_for_the_morning(sms_row, settings):
    settings.NOTIFY_QUIET_HOURS = "22:00-07:00"
    assert services.deliver_notification(sms_row.pk, now=NIGHT).startswith("deferred")
    sms_row.refresh_from_db()
    assert (sms_row.status, sms_row.attempts, sms_row.next_attempt_at) == (
        DeliveryStatus.PENDING,
        0,
        MORNING,
    )
    assert MORNING in deliveries_after(sms_row.pk)
    assert sms.outbox == []
    assert services.deliver_notification(sms_row.pk, now=MORNING) == DeliveryStatus.SENT


def test_a_text_produced_at_night_is_queued_for_the_morning(world, settings):
    settings.NOTIFY_QUIET_HOURS = "22:00-07:00"
    case = world.assigned()
    with time_machine.travel(NIGHT, tick=False):
        services.produce_for_event(last_event(case, "assigned").pk)
    row = Notification.objects.get(case=case, channel=Channel.SMS)
    assert (row.status, row.next_attempt_at) == (DeliveryStatus.PENDING, MORNING)
    assert deliveries_after(row.pk) == [MORNING]
    inbox = Notification.objects.get(case=case, channel=Channel.INBOX)
    assert inbox.status == DeliveryStatus.SENT  # the inbox is silent: no need to wait


def test_an_urgent_case_reaches_staff_even_at_night(world, settings):
    settings.NOTIFY_QUIET_HOURS = "22:00-07:00"
    case = world.assigned(priority=Priority.URGENT)
    with time_machine.travel(NIGHT, tick=False):
        services.produce_for_event(last_event(case, "assigned").pk)
        row = Notification.objects.get(case=case, channel=Channel.SMS)
        assert row.urgent
        assert services.deliver_notification(row.pk) == DeliveryStatus.SENT
    assert [m.phone for m in sms.outbox] == ["13800000000"]


def test_quiet_hours_inside_one_day_and_switched_off(settings):
    from notify.quiet import quiet_until

    settings.NOTIFY_QUIET_HOURS = "12:00-14:00"
    noon = datetime(2026, 9, 14, 12, 30, tzinfo=SHANGHAI)
    assert quiet_until(noon) == datetime(2026, 9, 14, 14, 0, tzinfo=SHANGHAI)
    assert quiet_until(DAY) is None
    settings.NOTIFY_QUIET_HOURS = ""
    assert quiet_until(noon) is None


def test_a_delivery_whose_task_was_lost_is_queued_again_by_the_periodic_round(sms_row):
    """The row is due (next_attempt_at) but its task row is gone: after STALLED_AFTER the
    periodic round queues it again, once per round, and never a sent row."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path="notify.tasks.deliver").delete()  # the lost task
    due = sms_row.next_attempt_at
    assert due is not None
    assert services.requeue_stalled(now=due + timedelta(minutes=1)) == 0  # not yet stalled
    assert services.requeue_stalled(now=due + services.STALLED_AFTER) == 1
    assert deliveries_after(sms_row.pk)
    services.deliver_notification(sms_row.pk, now=due + services.STALLED_AFTER)
    assert services.requeue_stalled(now=due + timedelta(hours=3)) == 0
