"""Administrator-entered calendar days (WorkCalendarDay) for a year the package does not know yet:
they win over the weekends-only fallback, apply at once, and refresh in other processes."""

from __future__ import annotations

import logging
from datetime import date

import pytest
import time_machine

from cases import deadlines, services
from cases.models import WorkCalendarDay
from cases.tests.helpers import local

# A 2027 National Day schedule as the State Council might publish it.
NATIONAL_DAY_2027 = [(date(2027, 10, d), False, "国庆节") for d in range(1, 8)] + [
    (date(2027, 9, 26), True, "国庆节调休上班"),  # Sunday
    (date(2027, 10, 9), True, "国庆节调休上班"),  # Saturday
]


@pytest.fixture(autouse=True)
def clean_cache(db, monkeypatch):
    # Rows vanish with each test's rollback, which sends no signal: clear the cache both ways.
    deadlines.invalidate_calendar_cache()
    monkeypatch.setattr(deadlines, "_warned_years", set())
    yield
    deadlines.invalidate_calendar_cache()


def enter_schedule() -> None:
    for day, is_workday, name in NATIONAL_DAY_2027:
        WorkCalendarDay.objects.create(date=day, is_workday=is_workday, name=name)


def test_without_rows_2027_falls_back_to_weekends():
    assert deadlines.calendar_source(2027) == "weekends"
    assert deadlines.is_workday(date(2027, 10, 1)) is True  # a Friday, unknown to the package


def test_entered_days_make_the_year_an_administrator_calendar(caplog):
    enter_schedule()
    assert deadlines.calendar_source(2027) == "admin"
    with caplog.at_level(logging.WARNING, logger="lianxin.deadlines"):
        assert deadlines.is_workday(date(2027, 10, 1)) is False  # entered holiday
        assert deadlines.is_workday(date(2027, 9, 26)) is True  # entered make-up Sunday
        assert deadlines.is_workday(date(2027, 10, 8)) is True  # an ordinary Friday
        assert deadlines.is_workday(date(2027, 10, 16)) is False  # an ordinary Saturday
    assert not caplog.records, "a year with an entered schedule needs no warning"


def test_working_time_follows_the_entered_schedule():
    enter_schedule()
    # Thu 30 Sep + 3: Oct 8, Oct 9 (make-up Saturday), Oct 11.
    assert deadlines.add_working_days(local(2027, 9, 30, 10), 3) == local(2027, 10, 11, 17)
    # Sat 25 Sep + 4 working hours: the make-up Sunday the 26th.
    assert deadlines.add_working_hours(local(2027, 9, 25, 10), 4) == local(2027, 9, 26, 13)


def test_assigning_in_2027_uses_the_entered_schedule(world):
    enter_schedule()
    with time_machine.travel(local(2027, 9, 29, 10), tick=False):  # a Wednesday
        case = services.triage_case(world.report(), actor=world.dispatcher)
        case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    # 5 working days: Sep 30, Oct 8, 9, 11, 12.
    assert case.deadline == local(2027, 10, 12, 17)


def test_a_saved_day_applies_at_once():
    enter_schedule()
    assert deadlines.is_workday(date(2027, 10, 8)) is True  # warms the cache
    WorkCalendarDay.objects.create(date=date(2027, 10, 8), is_workday=False, name="补充放假")
    assert deadlines.is_workday(date(2027, 10, 8)) is False


def test_an_edited_day_applies_at_once():
    enter_schedule()
    assert deadlines.is_workday(date(2027, 10, 9)) is True
    day = WorkCalendarDay.objects.get(date=date(2027, 10, 9))
    day.is_workday = False
    day.save()
    assert deadlines.is_workday(date(2027, 10, 9)) is False


def test_deleting_the_last_day_returns_the_year_to_the_fallback():
    WorkCalendarDay.objects.create(date=date(2027, 10, 1), is_workday=False, name="国庆节")
    assert deadlines.calendar_source(2027) == "admin"
    WorkCalendarDay.objects.get().delete()
    assert deadlines.calendar_source(2027) == "weekends"


def test_days_entered_by_another_process_arrive_after_the_cache_period(monkeypatch):
    assert deadlines.calendar_source(2027) == "weekends"  # cached here
    # bulk_create sends no signal: this process learns of it only when the cache expires.
    WorkCalendarDay.objects.bulk_create([WorkCalendarDay(date=date(2027, 10, 1), is_workday=False)])
    assert deadlines.calendar_source(2027) == "weekends"
    monkeypatch.setattr(
        deadlines, "_loaded_at", deadlines._loaded_at - deadlines._CACHE_SECONDS - 1
    )
    assert deadlines.calendar_source(2027) == "admin"


def test_an_entered_day_also_wins_over_the_package():
    WorkCalendarDay.objects.create(date=date(2026, 10, 9), is_workday=False, name="临时放假")
    assert deadlines.calendar_source(2026) == "admin"
    assert deadlines.is_workday(date(2026, 10, 9)) is False


def test_other_years_keep_their_own_source():
    enter_schedule()
    assert deadlines.calendar_source(2026) == "package"
    assert deadlines.calendar_source(2028) == "weekends"
