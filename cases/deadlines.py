"""Working-time arithmetic over the Chinese official calendar.

A day's status comes, in order, from: the days an administrator entered (``WorkCalendarDay``:
the State Council's schedule for a year the package does not know yet, or a correction), then
the ``chinese-calendar`` package, then weekends only — with a logged warning, never a crash,
and only for a year for which neither the package nor an administrator has any data.
"""

import logging
import threading
import time
from datetime import date, datetime, timedelta

import chinese_calendar
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger("lianxin.deadlines")

_CACHE_SECONDS = 300
# How often a process asks the shared cache whether the calendar changed elsewhere.
_VERSION_CHECK_SECONDS = 2.0
_VERSION_KEY = "calendar-version"
_lock = threading.Lock()
_overrides: dict[int, dict[date, bool]] | None = None
_loaded_at = 0.0
_version: int | None = None
_version_checked_at = 0.0
_warned_years: set[int] = set()


def invalidate_calendar_cache() -> None:
    """Forget the entered days here, and tell every other process through the shared cache
    (Redis in production) that they changed: each reloads within a couple of seconds."""
    global _overrides, _version, _version_checked_at
    try:
        version: int | None = (
            1 if cache.add(_VERSION_KEY, 1, timeout=None) else cache.incr(_VERSION_KEY)
        )
    except Exception:  # the cache is down: the 5-minute refresh still comes
        logger.warning("Could not publish the calendar change to the shared cache")
        version = _version
    with _lock:
        # This process reloads once (now), not again when it next reads the shared version.
        _overrides, _version, _version_checked_at = None, version, time.monotonic()


def _shared_version() -> int | None:
    global _version_checked_at
    now = time.monotonic()
    if now - _version_checked_at < _VERSION_CHECK_SECONDS:
        return _version
    _version_checked_at = now
    try:
        return cache.get(_VERSION_KEY)
    except Exception:
        return _version


def _override_days() -> dict[int, dict[date, bool]]:
    """Administrator-entered days by year, loaded once per process and reloaded when another
    process publishes a change (``invalidate_calendar_cache``) or every 5 minutes."""
    global _overrides, _loaded_at, _version
    with _lock:
        shared = _shared_version()
        if (
            _overrides is None
            or shared != _version
            or time.monotonic() - _loaded_at > _CACHE_SECONDS
        ):
            _version = shared
            from cases.models import WorkCalendarDay

            by_year: dict[int, dict[date, bool]] = {}
            for day, is_workday in WorkCalendarDay.objects.values_list("date", "is_workday"):
                by_year.setdefault(day.year, {})[day] = is_workday
            _overrides, _loaded_at = by_year, time.monotonic()
        return _overrides


def calendar_source(year: int) -> str:
    """Where the working calendar of a year comes from: 'admin', 'package' or 'weekends'."""
    if year in _override_days():
        return "admin"
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return "weekends"
    return "package"


def is_workday(day: date) -> bool:
    """An entered day wins; other days of a year the package knows follow the package (so an
    administrator can correct one day without re-entering the year); else weekends only."""
    overrides = _override_days().get(day.year)
    if overrides is not None and day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if overrides is not None:
            return day.weekday() < 5
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            logger.warning(
                "No official holiday schedule for %s: counting weekends only. "
                "An administrator should enter the year's schedule (节假日安排).",
                day.year,
            )
        return day.weekday() < 5


def _window(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    conf = settings.LIANXIN
    start = datetime(day.year, day.month, day.day, conf["WORKDAY_START_HOUR"], tzinfo=tz)
    end = datetime(day.year, day.month, day.day, conf["WORKDAY_END_HOUR"], tzinfo=tz)
    return start, end


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def previous_workday(day: date) -> date:
    day -= timedelta(days=1)
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def add_working_days(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after the day of ``start`` (that day not counted)."""
    day = timezone.localtime(start).date()
    for _ in range(days):
        day = next_workday(day)
    if days == 0 and not is_workday(day):
        day = next_workday(day)
    return _window(day)[1]


def subtract_working_days(moment: datetime, days: int) -> datetime:
    """The same local time of day ``days`` working days before ``moment``."""
    local = timezone.localtime(moment)
    day = local.date()
    for _ in range(days):
        day = previous_workday(day)
    return local.replace(year=day.year, month=day.month, day=day.day)


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` of working time after ``start``, counting only working windows."""
    remaining = timedelta(hours=hours)
    moment = timezone.localtime(start)
    day = moment.date()
    while True:
        if is_workday(day):
            open_at, close_at = _window(day)
            begin = max(moment, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day = next_workday(day)
        moment = _window(day)[0]


def deadline_for(start: datetime, amount: int, unit: str) -> datetime:
    """A handling deadline from a time limit (``unit`` is ``LimitUnit``: 'days' or 'hours')."""
    if unit == "hours":
        return add_working_hours(start, amount)
    return add_working_days(start, amount)


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours from ``start`` to ``end``, counting only working windows (0 when ``end``
    is not later): how long a paused clock stood, how far a deadline is behind."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if end <= start:
        return 0.0
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if is_workday(day):
            open_at, close_at = _window(day)
            begin, finish = max(start, open_at), min(end, close_at)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def hours_past(deadline: datetime, now: datetime) -> float:
    """Working hours ``now`` is past ``deadline``; negative while it is still ahead."""
    if now >= deadline:
        return working_hours_between(deadline, now)
    return -working_hours_between(now, deadline)
