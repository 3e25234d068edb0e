"""Working days and hours over the Chinese official calendar: the 2026 Mid-autumn and National Day
holidays with their make-up workdays, and the weekends-only fallback for an unknown year.

2026 per chinese_calendar: Sun 20 Sep is a make-up workday; Fri 25 – Sun 27 Sep is the Mid-autumn
holiday; Thu 1 – Wed 7 Oct is National Day; Sat 10 Oct is a make-up workday.
"""

from __future__ import annotations

import logging
from datetime import UTC, date

import pytest
import time_machine

from cases import deadlines, services
from cases.models import Priority
from cases.tests.helpers import local, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


@pytest.fixture(autouse=True)
def no_admin_calendar(db):
    """Start and end with the package's calendar (no administrator rows are cached)."""
    deadlines.invalidate_calendar_cache()
    yield
    deadlines.invalidate_calendar_cache()


@pytest.fixture
def unwarned(monkeypatch):
    """Forget which years were already warned about, so each test sees its own warning."""
    monkeypatch.setattr(deadlines, "_warned_years", set())


@pytest.mark.parametrize(
    "day, workday",
    [
        (date(2026, 9, 18), True),  # Friday
        (date(2026, 9, 19), False),  # Saturday
        (date(2026, 9, 20), True),  # Sunday, make-up workday
        (date(2026, 9, 25), False),  # Friday, Mid-autumn
        (date(2026, 9, 26), False),
        (date(2026, 9, 27), False),
        (date(2026, 9, 28), True),
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 5), False),  # Monday inside the holiday
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # Saturday, make-up workday
        (date(2026, 10, 11), False),
    ],
)
def test_the_2026_autumn_calendar(day, workday):
    assert deadlines.is_workday(day) is workday
    assert deadlines.calendar_source(2026) == "package"


# --- working days ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, days, end",
    [
        # Wed 30 Sep + 5: Oct 8, 9, 10 (Saturday make-up), 12, 13.
        (local(2026, 9, 30, 10), 5, local(2026, 10, 13, 17)),
        # Thu 24 Sep + 3: the Mid-autumn weekend is skipped: 28, 29, 30.
        (local(2026, 9, 24, 10), 3, local(2026, 9, 30, 17)),
        # Mon 14 Sep + 5 lands on the make-up Sunday: 15, 16, 17, 18, 20.
        (local(2026, 9, 14, 10), 5, local(2026, 9, 20, 17)),
        # Started on a holiday: the start day does not count anyway.
        (local(2026, 10, 3, 10), 1, local(2026, 10, 8, 17)),
        # Started in the evening: still the day of the start, not counted.
        (local(2026, 9, 30, 22), 1, local(2026, 10, 8, 17)),
        # Zero days on a holiday: the end of the next working day.
        (local(2026, 10, 2, 10), 0, local(2026, 10, 8, 17)),
        (local(2026, 9, 30, 10), 0, local(2026, 9, 30, 17)),
        # Fifteen working days over both holidays.
        (local(2026, 9, 21, 10), 15, local(2026, 10, 19, 17)),
    ],
)
def test_working_days_skip_holidays_and_count_make_up_days(start, days, end):
    assert deadlines.add_working_days(start, days) == end


def test_working_days_work_from_a_time_given_in_utc():
    # 02:00 UTC on 30 September is 10:00 in China: the count starts from the local day.
    start = local(2026, 9, 30, 10).astimezone(UTC)
    assert deadlines.add_working_days(start, 1) == local(2026, 10, 8, 17)


@pytest.mark.parametrize(
    "moment, days, result",
    [
        (local(2026, 10, 8, 11), 1, local(2026, 9, 30, 11)),
        (local(2026, 10, 12, 15), 2, local(2026, 10, 9, 15)),  # Oct 10 (Saturday) counts
        (local(2026, 9, 21, 9), 1, local(2026, 9, 20, 9)),  # back to the make-up Sunday
    ],
)
def test_working_days_can_be_counted_backwards(moment, days, result):
    assert deadlines.subtract_working_days(moment, days) == result


# --- working hours --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, hours, end",
    [
        (local(2026, 9, 28, 10), 4, local(2026, 9, 28, 14)),  # inside one day
        (local(2026, 9, 28, 7), 1, local(2026, 9, 28, 10)),  # before opening: from 09:00
        (local(2026, 9, 28, 18), 1, local(2026, 9, 29, 10)),  # after closing: next morning
        (local(2026, 9, 30, 15), 4, local(2026, 10, 8, 11)),  # 2 h left before National Day
        (local(2026, 9, 30, 17), 8, local(2026, 10, 8, 17)),  # a full working day exactly
        (local(2026, 10, 9, 16), 3, local(2026, 10, 10, 11)),  # into the make-up Saturday
        (local(2026, 9, 19, 10), 4, local(2026, 9, 20, 13)),  # Saturday off, Sunday at work
        (local(2026, 9, 24, 16), 2.5, local(2026, 9, 28, 10, 30)),  # over the Mid-autumn break
        (local(2026, 10, 1, 12), 0.5, local(2026, 10, 8, 9, 30)),  # reported on a holiday
    ],
)
def test_working_hours_count_only_the_working_window(start, hours, end):
    assert deadlines.add_working_hours(start, hours) == end


def test_the_working_window_comes_from_the_settings(settings):
    settings.LIANXIN = {**settings.LIANXIN, "WORKDAY_START_HOUR": 8, "WORKDAY_END_HOUR": 18}
    assert deadlines.add_working_hours(local(2026, 9, 30, 15), 4) == local(2026, 10, 8, 9)
    assert deadlines.add_working_days(local(2026, 9, 24, 10), 3) == local(2026, 9, 30, 18)


def test_deadline_for_reads_the_unit_of_the_time_limit():
    start = local(2026, 9, 30, 15)
    assert deadlines.deadline_for(start, 4, "hours") == local(2026, 10, 8, 11)
    assert deadlines.deadline_for(start, 4, "days") == local(2026, 10, 12, 17)


# --- assign_case uses the time limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    "priority, assigned_at, deadline, response",
    [
        # Normal: 5 working days, respond within 2 working hours.
        (Priority.NORMAL, local(2026, 9, 30, 10), local(2026, 10, 13, 17), local(2026, 9, 30, 12)),
        # Important: 3 working days.
        (
            Priority.IMPORTANT,
            local(2026, 9, 24, 16),
            local(2026, 9, 30, 17),
            local(2026, 9, 28, 10),
        ),
        # Urgent: 4 working hours, respond within 1.
        (Priority.URGENT, local(2026, 9, 30, 15), local(2026, 10, 8, 11), local(2026, 9, 30, 16)),
        # Complex: 15 working days, respond within 4 working hours.
        (Priority.COMPLEX, local(2026, 9, 21, 10), local(2026, 10, 19, 17), local(2026, 9, 21, 14)),
    ],
)
def test_assigning_computes_the_deadline_from_the_time_limit(
    world, priority, assigned_at, deadline, response
):
    with time_machine.travel(assigned_at, tick=False):
        case = services.triage_case(world.report(), actor=world.dispatcher, priority=priority)
        case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    assert (case.deadline, case.response_deadline) == (deadline, response)


def test_an_edited_time_limit_applies_to_the_next_assignment(world):
    limit = world.types["resident_issue"].time_limits.get(priority=Priority.NORMAL)
    limit.amount, limit.unit = 2, "days"
    limit.save()
    with time_machine.travel(local(2026, 9, 30, 10), tick=False):
        case = services.triage_case(world.report(), actor=world.dispatcher)
        case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    assert case.deadline == local(2026, 10, 9, 17)


# --- a year the package does not know --------------------------------------------------------------


def test_an_unknown_year_counts_weekends_only_with_a_warning(caplog, unwarned):
    with caplog.at_level(logging.WARNING, logger="lianxin.deadlines"):
        # Wed 1 January 2031 is New Year's Day in reality; without a schedule it is a workday.
        assert deadlines.add_working_days(local(2030, 12, 31, 10), 1) == local(2031, 1, 1, 17)
        # Fri 3 Jan + 1: the weekend is skipped.
        assert deadlines.add_working_days(local(2031, 1, 3, 10), 1) == local(2031, 1, 6, 17)
        assert deadlines.add_working_hours(local(2031, 1, 3, 16), 2) == local(2031, 1, 6, 10)
    assert deadlines.calendar_source(2031) == "weekends"
    warnings = [
        r for r in caplog.records if r.name == "lianxin.deadlines" and r.levelno == logging.WARNING
    ]
    assert len(warnings) == 1, "one warning per year, not one per day"
    assert "2031" in warnings[0].getMessage()


def test_the_year_after_the_package_ends_falls_back_without_crashing(caplog, unwarned):
    last_known = deadlines.calendar_source(2026)
    assert last_known == "package"
    with caplog.at_level(logging.WARNING, logger="lianxin.deadlines"):
        # Thu 31 Dec 2026 + 2 working days runs into 2027, which the package does not know.
        assert deadlines.add_working_days(local(2026, 12, 31, 10), 2) == local(2027, 1, 4, 17)
    assert any("2027" in r.getMessage() for r in caplog.records)


def test_assigning_in_an_unknown_year_works_and_warns(world, caplog, unwarned):
    with (
        caplog.at_level(logging.WARNING, logger="lianxin.deadlines"),
        time_machine.travel(local(2031, 3, 6, 10), tick=False),
    ):  # a Thursday
        case = services.triage_case(world.report(), actor=world.dispatcher)
        case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    assert case.deadline == local(2031, 3, 13, 17)  # 7, 10, 11, 12, 13
    assert any("2031" in r.getMessage() for r in caplog.records)
