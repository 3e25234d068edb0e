"""The overdue sweep: remind before a deadline, flag overdue, supervise the working day after.

docs/DOMAIN.md: reminder (催办) before the deadline, written supervision (督办) the working day after it,
escalation if still overdue five working days later. Each step is a real move with its event.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext

from cases import deadlines, services
from cases.models import Case

logger = logging.getLogger("lianxin.sweep")

ESCALATION_WORKING_DAYS = 5


@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    supervised: int = 0
    stale: int = 0

    def __str__(self) -> str:
        return (
            f"催办 {self.reminded} 件，标记超期 {self.overdue} 件，督办 {self.supervised} 件"
            f"（跳过并发变更 {self.stale} 件）"
        )


def sweep(now: datetime | None = None, case_ids: list[int] | None = None) -> SweepResult:
    """Run every due reminder, overdue flag and supervision; safe to run any number of times."""
    now = now or timezone.now()
    result = SweepResult()
    base = Case.objects.in_handling().filter(deadline__isnull=False)
    if case_ids is not None:
        base = base.filter(pk__in=case_ids)

    soon = deadlines.add_working_hours(now, settings.LIANXIN["SOON_OVERDUE_HOURS"])
    for case in base.filter(reminded_at__isnull=True, deadline__gt=now, deadline__lte=soon):
        result.reminded += _safely(services.remind_case, case, result)

    for case in base.filter(is_overdue=False, deadline__lte=now):
        result.overdue += _safely(services.mark_overdue, case, result)

    # Supervision notices go out on working days only: the first on the working day after the
    # deadline, the escalation five working days after it.
    local_now = timezone.localtime(now)
    if not deadlines.is_workday(local_now.date()):
        return result
    today_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    escalate_before = deadlines.subtract_working_days(now, ESCALATION_WORKING_DAYS)
    # The stage is the number of the sweep's own notices since the deadline in force, not
    # ``supervision_level``: that also counts a leader's notice and those of an earlier deadline
    # (before an extension, a send-back or a reopening), which would skip or repeat a step.
    staged = base.annotate(
        stage=Count(
            "events",
            filter=Q(
                events__kind="supervised",
                events__actor__isnull=True,
                events__created_at__gt=F("deadline"),
            ),
        )
    )
    # Both lists are read before the first notice, which would move a case to the next stage.
    first = list(staged.filter(stage=0, deadline__lt=today_start))
    second = list(staged.filter(stage=1, deadline__lt=escalate_before))
    for cases, note in (
        (first, gettext("超期督办")),
        (second, gettext("超期5个工作日仍未办结，升级督办")),
    ):
        for case in cases:
            result.supervised += _safely(
                services.supervise_case, case, result, actor=None, note=note
            )
    return result


def _safely(move: Callable[..., Case], case: Case, result: SweepResult, **arguments: Any) -> int:
    try:
        move(case, **arguments)
    except services.StaleCase:
        result.stale += 1  # a user moved it meanwhile; the next sweep sees the fresh case
        return 0
    except services.InvalidTransition:
        return 0
    return 1
