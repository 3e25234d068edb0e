"""The trigger: a move with an interesting event queues one task row in its own transaction
(queued if and only if the move commits, with no second commit after it); an event no rule is
about costs nothing; a channel that is down never fails the move. A queue outside the database
(Redis) is told after the commit instead."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from cases import services as moves
from cases.models import CaseEvent, Status
from notify import rules, signals
from notify.models import Channel, DeliveryStatus, Notification, NotificationRule
from notify.tests.helpers import last_event, run_notify_tasks, tasks

PRODUCE = "notify.tasks.produce_notifications"


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFY_QUIET_HOURS = ""


def test_a_committed_assignment_enqueues_one_produce_task_for_its_event(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.assigned()
    [task] = tasks(PRODUCE)
    assert task.args_kwargs == {"args": [last_event(case, "assigned").pk], "kwargs": {}}
    assert not Notification.objects.exists()  # the move itself wrote no message


def test_the_task_row_is_written_with_the_move_and_rolls_back_with_it(
    world, django_capture_on_commit_callbacks
):
    case = moves.triage_case(world.report(), actor=world.dispatcher, category=world.category())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            moves.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
            # In the move's transaction: a worker sees it only once the move commits.
            assert len(tasks(PRODUCE)) == 1
            raise RuntimeError("the caller's transaction fails after the move")
    assert callbacks == []
    assert not tasks(PRODUCE)


def test_a_queue_outside_the_database_is_told_only_after_the_commit(
    world, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks import default_task_backend

    case = moves.triage_case(world.report(), actor=world.dispatcher, category=world.category())
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        moves.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    assert not [r for r in default_task_backend.results if r.task.module_path == PRODUCE]
    for callback in callbacks:
        callback()
    [result] = [r for r in default_task_backend.results if r.task.module_path == PRODUCE]
    assert result.args == [last_event(case, "assigned").pk]


def test_a_queue_that_fails_after_the_commit_is_logged_not_the_moves_error(
    world, django_capture_on_commit_callbacks, settings, monkeypatch, caplog
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django_tasks.backends.dummy import DummyBackend

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    case = moves.triage_case(world.report(), actor=world.dispatcher, category=world.category())
    monkeypatch.setattr(DummyBackend, "enqueue", down)
    with django_capture_on_commit_callbacks(execute=True):
        case = moves.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    assert case.status == Status.ASSIGNED
    assert "Could not enqueue notify.tasks.produce_notifications" in caplog.text


def test_an_event_no_rule_is_about_enqueues_nothing_and_sends_no_query(
    world, django_capture_on_commit_callbacks
):
    case = moves.accept_case(world.assigned(), actor=world.handler)
    rules.active_rules("progress_noted")  # the cache is warm, as in a running server
    queued = len(tasks(PRODUCE))
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        moves.add_progress_note(case, actor=world.handler, note="已联系供电所")
    assert len(tasks(PRODUCE)) == queued
    assert not [q for q in queries.captured_queries if "notify_" in q["sql"]]


def test_the_receiver_adds_one_insert_to_an_interesting_move_and_nothing_after_it(
    world, django_capture_on_commit_callbacks
):
    """With the receiver the move sends one more statement, the task row's INSERT, and leaves
    nothing to run after its commit."""
    rules.active_rules("assigned")

    def assign_queries() -> tuple[list[str], int]:
        case = moves.triage_case(world.report(), actor=world.dispatcher, category=world.category())
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                moves.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
        return [q["sql"] for q in queries.captured_queries], len(callbacks)

    assign_queries()  # every cache warm (a flush by an earlier test empties some), as in a server
    connected = assign_queries()
    post_save.disconnect(
        signals.case_event_saved, sender=CaseEvent, dispatch_uid="notify_case_event"
    )
    try:
        disconnected = assign_queries()
    finally:
        post_save.connect(
            signals.case_event_saved, sender=CaseEvent, dispatch_uid="notify_case_event"
        )

    def task_rows(sqls: list[str]) -> int:
        return sum(
            sql.startswith('INSERT INTO "django_tasks_database_dbtaskresult"') for sql in sqls
        )

    assert len(connected[0]) == len(disconnected[0]) + 1
    assert task_rows(connected[0]) == task_rows(disconnected[0]) + 1  # the deadline check's too
    assert connected[1] == disconnected[1] == 0


def test_the_rule_cache_follows_an_administrators_changes(world):
    assert not rules.has_rules("progress_noted")
    rule = NotificationRule.objects.create(
        kind="progress_noted", recipient="dispatchers", channel=Channel.INBOX, template="{title}"
    )
    assert rules.has_rules("progress_noted")
    rule.is_active = False
    rule.save()
    assert not rules.has_rules("progress_noted")
    rule.delete()
    assert not rules.has_rules("progress_noted")


def test_with_a_running_worker_a_move_ends_in_sent_messages(
    world, django_capture_on_commit_callbacks
):
    from notify import sms

    with django_capture_on_commit_callbacks(execute=True):
        case = world.assigned()
    assert run_notify_tasks() == 2  # produce, then deliver the SMS
    assert [(m.phone, m.text[:12]) for m in sms.outbox] == [
        ("13800000000", "【连心桥】您单位有新交办")
    ]
    statuses = set(Notification.objects.filter(case=case).values_list("channel", "status"))
    assert statuses == {(Channel.INBOX, DeliveryStatus.SENT), (Channel.SMS, DeliveryStatus.SENT)}


def test_a_move_succeeds_while_the_sms_gateway_is_down(
    world, django_capture_on_commit_callbacks, settings, closed_port_url
):
    settings.NOTIFY_SMS_BACKEND = "notify.sms.HttpSmsBackend"
    settings.NOTIFY_SMS_URL = closed_port_url
    settings.NOTIFY_HTTP_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        case = world.assigned()
    run_notify_tasks()
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
    sms = Notification.objects.get(case=case, channel=Channel.SMS)
    assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, 1)
    assert "Connection refused" in sms.provider_response or "Errno" in sms.provider_response
    inbox = Notification.objects.get(case=case, channel=Channel.INBOX)
    assert inbox.status == DeliveryStatus.SENT
