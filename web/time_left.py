"""Time left before a deadline, in working time: what a unit and the dispatcher read on a row.

Counted over the same working calendar as the deadlines themselves (cases.deadlines), so a
case due on Monday 17:00 read on Friday 16:00 has "剩余 1个工作日1小时", not three days.
One ``WorkClock`` serves a whole page: it remembers each day's calendar status, so a list of
rows costs one calendar look-up per distinct day, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import clocks, deadlines
from cases.models import Case


@dataclass(frozen=True)
class TimeLeft:
    """A deadline as read now: ``state`` is "overdue", "soon" (inside the reminder window) or "ok"."""

    text: str
    state: str
    hours: float  # working hours left; negative when overdue

    @property
    def badge(self) -> str:
        return {"overdue": "overdue", "soon": "soon"}.get(self.state, "ok")


class WorkClock:
    """Working-time arithmetic for one page, anchored at ``now``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = timezone.localtime(now or timezone.now())
        self._workdays: dict[date, bool] = {}
        conf = settings.LIANXIN
        self.day_hours = conf["WORKDAY_END_HOUR"] - conf["WORKDAY_START_HOUR"]
        self.soon_bound = deadlines.add_working_hours(self.now, conf["SOON_OVERDUE_HOURS"])
        self._warn_shares = clocks.WarnShares()

    def lights(self, case: Case) -> list[clocks.StageLight]:
        """The staged clocks' lights of a row (签收, 首次联系, 办结): green, yellow, red, paused
        or done; empty outside handling. One query per page for the warning shares."""
        if not clocks.stage_deadlines(case):
            return []
        share = self._warn_shares(case)
        return clocks.stage_lights(case, self.now, share, self.working_hours_between)

    def _is_workday(self, day: date) -> bool:
        if day not in self._workdays:
            self._workdays[day] = deadlines.is_workday(day)
        return self._workdays[day]

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end`` (0 when ``end`` is not later)."""
        start, end = timezone.localtime(start), timezone.localtime(end)
        if end <= start:
            return 0.0
        conf = settings.LIANXIN
        total = timedelta()
        day = start.date()
        while day <= end.date():
            if self._is_workday(day):
                tz = start.tzinfo
                open_at = datetime(
                    day.year, day.month, day.day, conf["WORKDAY_START_HOUR"], tzinfo=tz
                )
                close_at = datetime(
                    day.year, day.month, day.day, conf["WORKDAY_END_HOUR"], tzinfo=tz
                )
                begin, finish = max(start, open_at), min(end, close_at)
                if finish > begin:
                    total += finish - begin
            day += timedelta(days=1)
        return total.total_seconds() / 3600

    def _span(self, hours: float) -> str:
        if hours < 1:
            return _("不足1小时")
        days, rest = divmod(int(hours), self.day_hours)
        if not days:
            return _("%(n)d小时") % {"n": rest}
        if not rest:
            return _("%(n)d个工作日") % {"n": days}
        return _("%(d)d个工作日%(h)d小时") % {"d": days, "h": rest}

    def time_left(self, deadline: datetime | None) -> TimeLeft | None:
        """ "剩余 2个工作日" / "已超期 5小时", with the state that picks the badge."""
        if deadline is None:
            return None
        if deadline < self.now:
            hours = self.working_hours_between(deadline, self.now)
            return TimeLeft(_("已超期 %(span)s") % {"span": self._span(hours)}, "overdue", -hours)
        hours = self.working_hours_between(self.now, deadline)
        state = "soon" if deadline <= self.soon_bound else "ok"
        return TimeLeft(_("剩余 %(span)s") % {"span": self._span(hours)}, state, hours)


def limit_text(amount: int, unit: str) -> str:
    """A time limit in words: "3个工作日", "4个工作小时"."""
    if unit == "hours":
        return _("%(n)d个工作小时") % {"n": amount}
    return _("%(n)d个工作日") % {"n": amount}


def deadline_text(moment: datetime) -> str:
    """A deadline as offices write it: "2026年11月27日 17:00"."""
    local = timezone.localtime(moment)
    return _("%(y)d年%(m)d月%(d)d日 %(hm)s") % {
        "y": local.year,
        "m": local.month,
        "d": local.day,
        "hm": local.strftime("%H:%M"),
    }
