"""Helpers for the outbox's tests."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from cases.models import Case, CaseEvent
from notify.models import Notification


def last_event(case: Case, kind: str) -> CaseEvent:
    event = CaseEvent.objects.filter(case_id=case.pk, kind=kind).order_by("-id").first()
    assert event is not None
    return event


def rows(case: Case, kind: str | None = None) -> list[Notification]:
    queryset = Notification.objects.filter(case_id=case.pk).select_related("user")
    if kind:
        queryset = queryset.filter(kind=kind)
    return list(queryset.order_by("pk"))


def who(rows: list[Notification]) -> set[tuple[str, str]]:
    """(username or address, channel) of each row."""
    return {(row.user.username if row.user else row.address, row.channel) for row in rows}


def tasks(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path).order_by("enqueued_at"))


def run_notify_tasks() -> int:
    """Run the outbox's due task rows as the worker would (the engine's own tasks stay queued);
    answer how many ran."""
    from django.utils.module_loading import import_string

    ran = 0
    while True:
        due = (
            DBTaskResult.objects.ready()
            .filter(task_path__startswith="notify.")
            .order_by("enqueued_at")
            .first()
        )
        if due is None:
            return ran
        due.delete()
        import_string(due.task_path).call(*due.args_kwargs["args"], **due.args_kwargs["kwargs"])
        ran += 1
