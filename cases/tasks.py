"""Background work through Django's task interface (django-tasks on 5.2, database backend)."""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from cases.sweep import sweep

logger = logging.getLogger("lianxin.tasks")


@task()
def check_case_deadline(case_id: int) -> str:
    """Enqueued by a move for the case's deadline: remind, flag or supervise that one case."""
    return str(sweep(case_ids=[case_id]))


@task()
def sweep_overdue(reschedule: bool = True) -> str:
    """The periodic safety net over all cases; re-enqueues itself for the next interval."""
    result = sweep()
    if reschedule:
        interval = timedelta(seconds=settings.LIANXIN["SWEEP_INTERVAL_SECONDS"])
        sweep_overdue.using(run_after=timezone.now() + interval).enqueue(True)
    return str(result)


def enqueue_with_move(bound: Task[Any, Any], *args: Any) -> None:
    """Enqueue ``bound`` so it runs only if the surrounding move commits.

    The database backend writes its row inside the move's own transaction: queued if and only
    if the move commits, with no second commit after it (the demo's replay also counts on
    seeing it at once). A queue outside the database (Redis) is told only after the commit,
    through the backend in force at the move (a replay under the dummy backend stays there);
    a failure there is logged, never the move's, which has committed (the periodic rounds pick
    up a lost deadline check or repeat check)."""
    backend = bound.get_backend()
    if isinstance(backend, DatabaseBackend):
        bound.enqueue(*args)
        return

    def enqueue() -> None:
        try:
            backend.enqueue(bound, args, {})
        except Exception:
            logger.exception("Could not enqueue %s%r after its move", bound.module_path, args)

    transaction.on_commit(enqueue)
