"""Background work through Django's task interface (django-tasks on 5.2, database backend)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from cases.sweep import sweep


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
