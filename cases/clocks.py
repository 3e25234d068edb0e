"""The staged clocks of a case in handling and their lights (红黄绿灯).

A case handed to a unit runs three clocks at once, each with its own working-time deadline:
sign for it (签收, ``response_deadline``), first contact with the requester (首次联系,
``contact_deadline``) and finish (办结, ``deadline``). A stage is green while more than the
type's warning share of its time is left, yellow inside that share, red once its deadline has
passed, and done when its moment is recorded. While the clock stands (an extension pending,
the requester asked for information, a pause) every open stage shows as paused: resuming moves
their deadlines by the working time it stood (``cases.services``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.models import HANDLING_STATUSES, Case, Stage, TimeLimit

DEFAULT_WARN_PERCENT = 25

GREEN, YELLOW, RED, PAUSED, DONE = "green", "yellow", "red", "paused", "done"
COLOR_LABELS = {
    GREEN: _("绿灯"),
    YELLOW: _("黄灯"),
    RED: _("红灯"),
    PAUSED: _("暂停计时"),
    DONE: _("已完成"),
}
_SHORT: dict[str, Any] = {Stage.SIGN: _("签"), Stage.CONTACT: _("联"), Stage.FINISH: _("结")}
# Which light speaks for a case with several open stages: the worst one.
_SEVERITY = {DONE: 0, GREEN: 1, PAUSED: 2, YELLOW: 3, RED: 4}

HoursBetween = Callable[[datetime, datetime], float]


@dataclass(frozen=True)
class StageLight:
    stage: str
    color: str
    deadline: datetime | None

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)

    @property
    def short(self) -> str:
        """One character for a row's light: 签, 联, 结."""
        return str(_SHORT[self.stage])

    @property
    def color_label(self) -> str:
        return str(COLOR_LABELS[self.color])


def stage_deadlines(case: Case) -> list[tuple[str, datetime | None, datetime | None]]:
    """(stage, deadline, done at) of each stage of a case in handling, in order."""
    if case.status not in HANDLING_STATUSES or case.assigned_at is None:
        return []
    return [
        (Stage.SIGN, case.response_deadline, case.accepted_at),
        (Stage.CONTACT, case.contact_deadline, case.contacted_at),
        (Stage.FINISH, case.deadline, None),
    ]


def light(
    start: datetime,
    deadline: datetime,
    now: datetime,
    warn_percent: int,
    hours_between: HoursBetween,
) -> str:
    """Green, yellow or red for a stage running from ``start`` to ``deadline``, read at ``now``."""
    if now >= deadline:
        return RED
    total = hours_between(start, deadline)
    left = hours_between(now, deadline)
    if total <= 0 or left * 100 <= total * warn_percent:
        return YELLOW
    return GREEN


def stage_lights(
    case: Case, now: datetime, warn_percent: int, hours_between: HoursBetween
) -> list[StageLight]:
    """Every stage of the case with its light (empty outside handling)."""
    lights = []
    for stage, deadline, done_at in stage_deadlines(case):
        if done_at is not None:
            lights.append(StageLight(stage, DONE, deadline))
        elif deadline is None:
            continue
        elif case.clock_paused_at is not None:
            lights.append(StageLight(stage, PAUSED, deadline))
        else:
            assert case.assigned_at is not None
            start = min(case.assigned_at, deadline)
            color = light(start, deadline, now, warn_percent, hours_between)
            lights.append(StageLight(stage, color, deadline))
    return lights


def worst(lights: list[StageLight]) -> StageLight | None:
    """The light that speaks for the case: the worst open stage (None when all are done)."""
    open_lights = [x for x in lights if x.color != DONE]
    return max(open_lights, key=lambda x: _SEVERITY[x.color], default=None)


class WarnShares:
    """Each type × tier's warning share, read once per page (a handful of rows)."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[int, str], int] | None = None

    def __call__(self, case: Case) -> int:
        if self._by_key is None:
            self._by_key = {
                (type_id, priority): percent
                for type_id, priority, percent in TimeLimit.objects.values_list(
                    "case_type_id", "priority", "warn_percent"
                )
            }
        return self._by_key.get((case.case_type_id, case.priority), DEFAULT_WARN_PERCENT)
