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
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from cases import clocks, deadlines, services
from cases.models import Case, CaseEvent, EscalationStep, EventKind

logger = logging.getLogger("lianxin.sweep")

ESCALATION_WORKING_DAYS = 5


@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    supervised: int = 0
    escalated: int = 0
    stale: int = 0

    def __str__(self) -> str:
        return (
            f"催办 {self.reminded} 件，标记超期 {self.overdue} 件，督办 {self.supervised} 件，"
            f"逐级督办 {self.escalated} 次（跳过并发变更 {self.stale} 件）"
        )


def sweep(now: datetime | None = None, case_ids: list[int] | None = None) -> SweepResult:
    """Run every due reminder, overdue flag and supervision; safe to run any number of times."""
    now = now or timezone.now()
    result = SweepResult()
    # A standing clock (an extension pending, the requester asked, a pause) is not late.
    base = Case.objects.in_handling().filter(deadline__isnull=False, clock_paused_at__isnull=True)
    if case_ids is not None:
        base = base.filter(pk__in=case_ids)
    result.escalated += climb_ladder(now, base, result)

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


def _ladders() -> dict[int | None, dict[str, list[EscalationStep]]]:
    """The rungs by case type (None: the default ladder) and stage, lowest level first."""
    ladders: dict[int | None, dict[str, list[EscalationStep]]] = {}
    for step in EscalationStep.objects.order_by("level"):
        ladders.setdefault(step.case_type_id, {}).setdefault(step.stage, []).append(step)
    return ladders


def climb_ladder(now: datetime, base: QuerySet[Case], result: SweepResult) -> int:
    """Make every rung of the escalation ladder that is due: for each open stage of a case in
    handling, each rung above the ones climbed since the last hand-over whose offset from the
    stage's deadline has passed. Safe to run any number of times; returns the rungs climbed."""
    ladders = _ladders()
    if not ladders:
        return 0
    earliest = min(
        step.offset_hours
        for by_stage in ladders.values()
        for steps in by_stage.values()
        for step in steps
    )
    # A rung before its deadline (a negative offset) is due once the deadline is that close.
    horizon = deadlines.add_working_hours(now, -earliest) if earliest < 0 else now
    candidates = list(
        base.filter(
            Q(deadline__lte=horizon)
            | Q(accepted_at__isnull=True, response_deadline__lte=horizon)
            | Q(contacted_at__isnull=True, contact_deadline__lte=horizon)
        ).select_related("region", "case_type")
    )
    if not candidates:
        return 0
    climbed: dict[tuple[int, str], int] = {}
    events = CaseEvent.objects.filter(
        case_id__in=[c.pk for c in candidates], kind=EventKind.ESCALATED
    ).values_list("case_id", "data", "created_at")
    assigned = {c.pk: c.assigned_at for c in candidates}
    for case_id, data, created_at in events:
        since = assigned[case_id]
        if since is None or created_at < since:
            continue  # a rung of an earlier hand-over
        key = (case_id, data.get("stage", ""))
        climbed[key] = max(climbed.get(key, 0), int(data.get("level", 0)))
    made = 0
    for case in candidates:
        by_stage = ladders.get(case.case_type_id, ladders.get(None, {}))
        for stage, deadline, done_at in clocks.stage_deadlines(case):
            if deadline is None or done_at is not None:
                continue
            behind = deadlines.hours_past(deadline, now)
            for step in by_stage.get(stage, []):
                if step.level <= climbed.get((case.pk, stage), 0) or behind < step.offset_hours:
                    continue
                made += _safely(
                    services.escalate_case,
                    case,
                    result,
                    stage=stage,
                    level=step.level,
                    target=step.target,
                    hours_past=behind,
                )
                case.refresh_from_db()
                climbed[(case.pk, stage)] = step.level
    return made


def _safely(move: Callable[..., Case], case: Case, result: SweepResult, **arguments: Any) -> int:
    try:
        move(case, **arguments)
    except services.StaleCase:
        result.stale += 1  # a user moved it meanwhile; the next sweep sees the fresh case
        return 0
    except services.InvalidTransition:
        return 0
    return 1
