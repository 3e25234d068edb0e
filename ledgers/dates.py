"""Dates and time limits as offices write them in their ledgers.

A ledger's dates come as Excel dates, as Excel serial numbers (a date cell that lost its format),
or as text in a dozen spellings (2025/3/13, 2025年3月13日14时30分, 二〇二五年三月十三日, 3月13日
with the year of the ledger's period). Its limits are free text: 7个工作日内, 15天, 3月底前,
立行立改, 长期. :func:`parse_moment` reads the first, :func:`parse_limit` the second, keeping the
text and reading a deadline from it where it can, by the engine's own working calendar.

Errors are :class:`ledgers.fields.FieldError` with a Chinese reason, like every ledger cell.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deadlines import add_working_days, add_working_hours
from ledgers.fields import FieldError, text

# Excel's 1900 date system counts days from 1899-12-30 (its phantom 1900-02-29 included), which
# is right for every serial after February 1900. Serials outside 1990–2099 are not a case date:
# more likely an amount or a count in the wrong column.
_EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001 - a naive calendar origin, made aware below
_MIN_SERIAL = 32874  # 1990-01-01
_MAX_SERIAL = 73050  # 2099-12-31

_CN_DIGITS = {
    "〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_NUMBER = re.compile(r"[〇零○Ｏ一二两三四五六七八九十]+")

_TIME = r"(?:\s*(\d{1,2})\s*[:：时点](?:\s*(\d{1,2})\s*(?:[:：分](?:\s*(\d{1,2})\s*秒?)?)?)?)?"
_FULL = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?" + _TIME + r"\s*$"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})" + _TIME + r"\s*$")
_YEARLESS = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?" + _TIME + r"\s*$")
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")


def _cn_to_int(numeral: str) -> int:
    """三 → 3, 十三 → 13, 二十 → 20, 三十一 → 31; a run without 十 reads digit by digit (二〇二五)."""
    if "十" not in numeral:
        return int("".join(str(_CN_DIGITS[ch]) for ch in numeral))
    tens, _sep, ones = numeral.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _arabic(raw: str) -> str:
    """Chinese numerals written as digits: 二〇二五年三月十三日 → 2025年3月13日, 七个工作日 → 7个工作日."""

    def replace(match: re.Match[str]) -> str:
        try:
            return str(_cn_to_int(match.group()))
        except KeyError:
            return match.group()

    return _CN_NUMBER.sub(replace, raw)


def _invalid(raw: str) -> FieldError:
    return FieldError(
        _("“%(v)s”不是有效的日期，应为 2025-03-13、2025年3月13日 或 2025-03-13 14:30") % {"v": raw}
    )


def _build(raw: str, year: int, month: int, day: int, hms: tuple[Any, ...]) -> datetime:
    hour, minute, second = (int(part) if part else 0 for part in hms)
    if not 1 <= month <= 12:
        raise FieldError(_("“%(v)s”：月份应为1–12（当前为%(m)d）") % {"v": raw, "m": month})
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise FieldError(
            _("“%(v)s”：%(y)d年%(m)d月没有%(d)d日（该月只有%(last)d天）")
            % {"v": raw, "y": year, "m": month, "d": day, "last": last}
        )
    if hour > 23 or minute > 59 or second > 59:
        raise FieldError(_("“%(v)s”：时间不正确") % {"v": raw})
    return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - made aware by caller


def _from_serial(number: float, raw: str) -> datetime:
    if not _MIN_SERIAL <= number <= _MAX_SERIAL:
        raise FieldError(
            _("“%(v)s”不像日期（Excel 日期序号应在1990至2099年之间），请核对该列") % {"v": raw}
        )
    moment = _EXCEL_EPOCH + timedelta(days=float(number))
    # A fraction of a day carries float noise: round to the second.
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def _naive(value: Any, period_year: int | None) -> tuple[datetime, bool] | None:
    """The moment a cell names, naive local, and whether it named a time of day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None), local.time() != time()
    if isinstance(value, date):
        return datetime.combine(value, time()), False
    if isinstance(value, bool):
        raise _invalid(text(value))
    if isinstance(value, int | float):
        moment = _from_serial(value, text(value))
        return moment, moment.time() != time()
    raw = text(value)
    if not raw:
        return None
    clean = _arabic(raw)
    if _SERIAL.fullmatch(clean):
        moment = _from_serial(float(clean), raw)
        return moment, moment.time() != time()
    if match := _FULL.match(clean) or _COMPACT.fullmatch(clean):
        year, month, day, *hms = match.groups()
        return _build(raw, int(year), int(month), int(day), tuple(hms)), hms[0] is not None
    if match := _YEARLESS.match(clean):
        if period_year is None:
            raise FieldError(
                _("“%(v)s”没有年份，请在日期中写明年份或先选择台账所属年份") % {"v": raw}
            )
        month, day, *hms = match.groups()
        return _build(raw, period_year, int(month), int(day), tuple(hms)), hms[0] is not None
    raise _invalid(raw)


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment, timezone.get_default_timezone())


def parse_moment(value: Any, *, period_year: int | None = None) -> datetime | None:
    """A ledger date or date-time as an aware local datetime (None for a blank cell).

    A date without a time of day is midnight. A date without a year (3月13日, 3/13) takes
    ``period_year``, the year of the ledger; without one it is an error.
    """
    parsed = _naive(value, period_year)
    return None if parsed is None else _aware(parsed[0])


# --- Limits ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """A ledger's time limit: its text as written, and the deadline it names when one can be read."""

    text: str
    deadline: datetime | None


_WORKING_DAYS = re.compile(r"(\d+)\s*个?\s*工作日")
_WORKING_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*个?\s*工作小时")
_HOURS = re.compile(r"(\d+)\s*个?\s*小时")
_CALENDAR_DAYS = re.compile(
    r"(?<![月\d])(\d+)\s*个?\s*(?:自然日|日历日|天|日)(?:内|之内|以内)?\s*(?:办结|完成|整改|$)"
)
_MONTH_END = re.compile(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(底|末|上旬|中旬|下旬)")
_YEAR_END = re.compile(r"(?:(\d{4})\s*年?)?\s*(?:年底|年末|年内)")
_BEFORE = re.compile(r"\s*(?:之前|以前|前|内|止|为止|完成|办结|整改到位|整改完成)+\s*$")
_SAME_DAY = ("即知即改", "立行立改", "立即整改", "立即", "马上", "当日", "当天", "即时", "现场整改")
_OPEN_ENDED = ("长期", "持续", "常态", "逐步", "分阶段")


def _end_of_day(day: date) -> datetime:
    """A deadline on a day ends when that day's working hours end, as the engine's deadlines do."""
    hour = settings.LIANXIN["WORKDAY_END_HOUR"]
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())


def _year_of(period_year: int | None, start: datetime | None) -> int | None:
    if period_year is not None:
        return period_year
    return timezone.localtime(start).year if start is not None else None


def _not_before_start(deadline: datetime, start: datetime | None, inferred: bool) -> datetime:
    """A year-less date read with the start's year that falls before the start is next year's
    (a case of 12月 limited to "1月底前")."""
    if inferred and start is not None and deadline < start:
        return deadline.replace(year=deadline.year + 1)
    return deadline


def parse_limit(value: Any, *, start: datetime | None, period_year: int | None = None) -> Limit:
    """A limit cell as its text and, where it can be read, a deadline.

    Working days and hours count over the engine's working calendar from ``start``; calendar days
    too, ending at the end of the working day; dates (6月30日前, 2025年6月30日, 3月底前, 年底前)
    end at the end of that day; 立行立改/当日 at the end of the start's day; 长期 and 持续整改, or
    a relative limit without ``start``, keep the text only. A year-less date takes
    ``period_year``, else the start's year (the next year if it would fall before the start).
    """
    if isinstance(value, datetime | date | int | float) and not isinstance(value, bool):
        parsed = _naive(value, period_year)
        if parsed is None:
            return Limit("", None)
        moment, has_time = parsed
        deadline = _aware(moment) if has_time else _end_of_day(moment.date())
        return Limit(text(value), deadline)
    raw = text(value)
    if not raw:
        return Limit("", None)
    clean = re.sub(r"\s+", "", _arabic(raw))
    if any(word in clean for word in _OPEN_ENDED):
        return Limit(raw, None)
    return Limit(raw, _deadline(clean, raw, start, period_year))


def _deadline(
    clean: str, raw: str, start: datetime | None, period_year: int | None
) -> datetime | None:
    if start is not None:
        if match := _WORKING_DAYS.search(clean):
            return add_working_days(start, int(match.group(1)))
        if match := _WORKING_HOURS.search(clean):
            return add_working_hours(start, float(match.group(1)))
        if match := _HOURS.search(clean):
            return start + timedelta(hours=int(match.group(1)))
        if match := _CALENDAR_DAYS.search(clean):
            day = timezone.localtime(start).date() + timedelta(days=int(match.group(1)))
            return _end_of_day(day)
        if any(word in clean for word in _SAME_DAY):
            return _end_of_day(timezone.localtime(start).date())
    year = _year_of(period_year, start)
    inferred = period_year is None
    if match := _YEAR_END.search(clean):
        if match.group(1) or year is not None:
            explicit = int(match.group(1)) if match.group(1) else None
            return _end_of_day(date(explicit or year or 0, 12, 31))
        return None
    if match := _MONTH_END.search(clean):
        explicit = int(match.group(1)) if match.group(1) else None
        if explicit is None and year is None:
            return None
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise FieldError(_("“%(v)s”：月份应为1–12（当前为%(m)d）") % {"v": raw, "m": month})
        the_year = explicit or year or 0
        last = calendar.monthrange(the_year, month)[1]
        day_of_month = {"上旬": 10, "中旬": 20}.get(match.group(3), last)
        deadline = _end_of_day(date(the_year, month, day_of_month))
        return _not_before_start(deadline, start, inferred and explicit is None)
    date_text = _BEFORE.sub("", clean)
    if re.fullmatch(r"[\d\-/.年月日号:：时点分秒]+", date_text):
        try:
            parsed = _naive(date_text, year)
        except FieldError:
            if re.match(r"\d{4}", date_text) or year is not None:
                raise
            return None  # year-less and no year known: the text stays, the user sees it
        if parsed is None:
            return None
        moment, has_time = parsed
        deadline = _aware(moment) if has_time else _end_of_day(moment.date())
        has_year = bool(re.match(r"\d{4}", date_text))
        return _not_before_start(deadline, start, inferred and not has_year)
    return None
