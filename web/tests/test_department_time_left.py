"""Time left before a deadline in working time, as units and dispatchers read it on a row."""

from __future__ import annotations

import pytest

from cases.tests.helpers import local
from web.time_left import WorkClock, deadline_text, limit_text

pytestmark = pytest.mark.django_db  # the calendar reads administrator-entered days

TUESDAY_10 = local(2026, 11, 24, 10)


@pytest.mark.parametrize(
    ("deadline", "text", "state"),
    [
        (local(2026, 11, 24, 14), "剩余 4小时", "soon"),
        (local(2026, 11, 24, 10, 30), "剩余 不足1小时", "soon"),
        (local(2026, 11, 27, 17), "剩余 3个工作日7小时", "ok"),
        # Friday 17:00 → Monday 17:00 is one working day, the weekend does not count.
        (local(2026, 11, 30, 17), "剩余 4个工作日7小时", "ok"),
        (local(2026, 11, 25, 10), "剩余 1个工作日", "soon"),  # 8 working hours: the window's edge
        (local(2026, 11, 24, 9), "已超期 1小时", "overdue"),
        (local(2026, 11, 23, 17), "已超期 1小时", "overdue"),  # the night does not count
        (local(2026, 11, 20, 17), "已超期 1个工作日1小时", "overdue"),  # nor the weekend
        (local(2026, 11, 16, 14), "已超期 5个工作日4小时", "overdue"),
    ],
)
def test_it_counts_working_time_only(deadline, text, state):
    left = WorkClock(TUESDAY_10).time_left(deadline)
    assert (left.text, left.state) == (text, state)


def test_the_national_day_week_is_not_working_time():
    # 30 September 2026 17:00 → 8 October 2026 10:00: 1–7 October are holidays.
    left = WorkClock(local(2026, 9, 30, 17)).time_left(local(2026, 10, 8, 10))
    assert left.text == "剩余 1小时" and left.hours == 1


def test_no_deadline_reads_as_nothing():
    assert WorkClock(TUESDAY_10).time_left(None) is None


def test_badges_follow_the_state():
    clock = WorkClock(TUESDAY_10)
    assert clock.time_left(local(2026, 11, 24, 9)).badge == "overdue"
    assert clock.time_left(local(2026, 11, 24, 12)).badge == "soon"
    assert clock.time_left(local(2026, 12, 24, 12)).badge == "ok"


def test_deadlines_and_limits_read_as_offices_write_them():
    assert deadline_text(local(2026, 11, 27, 17)) == "2026年11月27日 17:00"
    assert limit_text(3, "days") == "3个工作日" and limit_text(4, "hours") == "4个工作小时"
