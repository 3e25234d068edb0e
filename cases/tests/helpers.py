"""Small helpers shared by the engine's tests: local times, snapshots, the last event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from cases.models import Case, CaseAssignment, CaseEvent
from cases.tests.world import World

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """An aware datetime in the product's time zone (deadlines are local working hours)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def snapshot(case: Case) -> dict[str, Any]:
    """Everything a move could change, read from the database, to prove a refused move changed nothing."""
    return {
        "case": Case.objects.filter(pk=case.pk).values().get(),
        "events": list(CaseEvent.objects.filter(case_id=case.pk).values_list("pk", flat=True)),
        "assignments": list(CaseAssignment.objects.filter(case_id=case.pk).order_by("pk").values()),
        # Tasks about this case (a deadline check, a repeat check); a notification's task is
        # about an event, and a refused move writes none. (Making a merge's master enqueues
        # its own repeat check.)
        "tasks": DBTaskResult.objects.filter(args_kwargs__args__0=case.pk)
        .exclude(task_path="notify.tasks.produce_notifications")
        .count(),
    }


def deadline_checks() -> Any:
    """The queued deadline checks only: a move also queues, in the same transaction, the
    notifications and the repeat check that other apps ask for."""
    return DBTaskResult.objects.filter(task_path="cases.tasks.check_case_deadline")


def last_event(case: Case) -> CaseEvent:
    event = CaseEvent.objects.filter(case_id=case.pk).order_by("-created_at", "-id").first()
    assert event is not None
    return event


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=case.pk).values_list("kind", flat=True))


def fresh(case: Case) -> Case:
    return Case.objects.select_related("case_type", "region").get(pk=case.pk)


def module_world_fixture():
    """A module-scoped fixture: one world per test module, built once in a transaction that is
    rolled back after the module. Use it as ``module_world = module_world_fixture()``.

    Each test still runs in its own savepoint (the ``db`` fixture), so it sees the world as built;
    for the table-driven modules this saves the ~60 ms of ``World.build()`` per test. Not for
    ``transaction=True`` tests, which need a committed world.
    """

    @pytest.fixture(scope="module")
    def module_world(django_db_setup, django_db_blocker) -> Iterator[World]:
        with django_db_blocker.unblock(), transaction.atomic():
            world = World.build()
            yield world
            transaction.set_rollback(True)

    return module_world


# --- for the move modules (test_report.py … test_loop.py) ---------------------------------------

# Monday 14 September 2026, 10:00 in Dehua. Five working days later is Sunday 20 September,
# a make-up workday before the Mid-autumn and National Day holidays.
MONDAY = local(2026, 9, 14, 10)
FIVE_WORKING_DAYS_LATER = local(2026, 9, 20, 17)


def assert_event(
    case: Case,
    kind: str,
    *,
    actor,
    from_status: str,
    to_status: str,
    reason: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """The case's last event is this move, by this actor, between these states."""
    event = last_event(case)
    assert (event.kind, event.actor_id, event.from_status, event.to_status, event.reason) == (
        kind,
        actor.pk if actor else None,
        from_status,
        to_status,
        reason,
    )
    if data is not None:
        assert event.data == data
    return event


def assert_refused(error: type[Exception], move, case: Case) -> None:
    """The move raises ``error`` and changes nothing: no field, event, assignment or task."""
    before = snapshot(case)
    with pytest.raises(error):
        move()
    assert snapshot(case) == before
