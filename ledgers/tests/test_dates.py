"""Reading ledger dates and time limits."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from ledgers.dates import Limit, parse_limit, parse_moment
from ledgers.fields import FieldError

TZ = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0):
    return datetime(year, month, day, hour, minute, second, tzinfo=TZ)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # openpyxl reads a date cell as a naive datetime: local time.
        (datetime(2025, 3, 13, 14, 30), at(2025, 3, 13, 14, 30)),  # noqa: DTZ001
        (at(2025, 3, 13, 6, 30).astimezone(ZoneInfo("UTC")), at(2025, 3, 13, 6, 30)),
        (date(2025, 3, 13), at(2025, 3, 13)),
        # Excel's 1900 date system: 45729 is 2025-03-13 (45730 the 14th), a fraction the time.
        (45729, at(2025, 3, 13)),
        (45730, at(2025, 3, 14)),
        (45729.6, at(2025, 3, 13, 14, 24)),
        ("45729", at(2025, 3, 13)),
        ("2025-03-13", at(2025, 3, 13)),
        ("2025/3/13", at(2025, 3, 13)),
        ("2025.3.13", at(2025, 3, 13)),
        ("20250313", at(2025, 3, 13)),
        ("2025年3月13日", at(2025, 3, 13)),
        (" 2025 年 3 月 13 日 ", at(2025, 3, 13)),
        ("２０２５－０３－１３", at(2025, 3, 13)),
        ("2025年3月13日14时30分", at(2025, 3, 13, 14, 30)),
        ("2025年3月13日 14:30", at(2025, 3, 13, 14, 30)),
        ("2025-03-13 14:30", at(2025, 3, 13, 14, 30)),
        ("2025-03-13 14:30:05", at(2025, 3, 13, 14, 30, 5)),
        ("2025/3/13 9:05", at(2025, 3, 13, 9, 5)),
        ("二〇二五年三月十三日", at(2025, 3, 13)),
        ("二〇二四年十二月三十一日", at(2024, 12, 31)),
        ("二零二五年十月一日", at(2025, 10, 1)),
    ],
)
def test_a_date_in_any_spelling_is_read_as_local_time(value, expected):
    moment = parse_moment(value)
    assert moment == expected
    assert moment.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("value", ["3月13日", "3/13", "03-13", "3月13号", "三月十三日"])
def test_a_date_without_a_year_takes_the_period_year(value):
    assert parse_moment(value, period_year=2025) == at(2025, 3, 13)


def test_a_date_without_a_year_and_no_period_year_is_an_error():
    with pytest.raises(FieldError, match="没有年份"):
        parse_moment("3月13日")


@pytest.mark.parametrize("value", [None, "", "  "])
def test_a_blank_cell_is_none(value):
    assert parse_moment(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025年2月30日", "2025年2月没有30日"),
        ("2月29日", "2025年2月没有29日"),
        ("2025-13-01", "月份应为1–12"),
        ("2025-03-13 25:00", "时间不正确"),
        ("下周一", "不是有效的日期"),
        (12, "不像日期"),
        (3_000_000, "不像日期"),
        (True, "不是有效的日期"),
    ],
)
def test_an_impossible_date_is_a_clear_error(value, reason):
    with pytest.raises(FieldError, match=reason):
        parse_moment(value, period_year=2025)


def test_a_leap_day_is_a_date():
    assert parse_moment("2月29日", period_year=2024) == at(2024, 2, 29)


# Thursday 13 March 2025, 10:00.
START = at(2025, 3, 13, 10)


@pytest.mark.django_db  # working days read the administrator's calendar (WorkCalendarDay)
@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        # Working days skip the weekend and end when the working day ends (17:00).
        ("7个工作日", at(2025, 3, 24, 17)),
        ("7个工作日内", at(2025, 3, 24, 17)),
        ("七个工作日内办结", at(2025, 3, 24, 17)),
        ("1个工作日", at(2025, 3, 14, 17)),
        ("2个工作日", at(2025, 3, 17, 17)),
        ("4个工作小时", at(2025, 3, 13, 14)),
        ("24小时内", at(2025, 3, 14, 10)),
        # Calendar days.
        ("15日", at(2025, 3, 28, 17)),
        ("15天内", at(2025, 3, 28, 17)),
        ("3天", at(2025, 3, 16, 17)),
        # Dates, with the year of the period or the start.
        ("3月底前", at(2025, 3, 31, 17)),
        ("3月底", at(2025, 3, 31, 17)),
        ("4月中旬", at(2025, 4, 20, 17)),
        ("6月30日前", at(2025, 6, 30, 17)),
        ("6月30日之前完成", at(2025, 6, 30, 17)),
        ("2025年6月30日", at(2025, 6, 30, 17)),
        ("2025-06-30前", at(2025, 6, 30, 17)),
        ("年底前", at(2025, 12, 31, 17)),
        ("2025年底前", at(2025, 12, 31, 17)),
        # The same day.
        ("即知即改", at(2025, 3, 13, 17)),
        ("立行立改", at(2025, 3, 13, 17)),
        ("当日", at(2025, 3, 13, 17)),
        # No deadline: the text stays.
        ("长期", None),
        ("持续整改", None),
        ("按上级要求", None),
    ],
)
def test_a_limit_keeps_its_text_and_reads_a_deadline(text, deadline):
    assert parse_limit(text, start=START) == Limit(text, deadline)


@pytest.mark.django_db
def test_working_days_skip_a_holiday():
    # Qingming 2025: Friday 4 April is a holiday, then the weekend.
    assert parse_limit("3个工作日", start=at(2025, 4, 2, 9)).deadline == at(2025, 4, 8, 17)


@pytest.mark.django_db
def test_working_days_count_a_make_up_workday():
    # Labour Day 2025: Sunday 27 April is worked, 1–5 May are holidays.
    assert parse_limit("2个工作日", start=at(2025, 4, 25, 9)).deadline == at(2025, 4, 28, 17)
    assert parse_limit("3个工作日", start=at(2025, 4, 28, 9)).deadline == at(2025, 5, 6, 17)


def test_the_period_year_wins_over_the_start_year():
    assert parse_limit("3月底前", start=None, period_year=2024).deadline == at(2024, 3, 31, 17)


def test_a_year_less_date_before_the_start_is_next_year():
    start = at(2024, 12, 10, 9)
    assert parse_limit("1月底前", start=start).deadline == at(2025, 1, 31, 17)


def test_a_relative_limit_without_a_start_keeps_only_its_text():
    for text in ("7个工作日", "15天", "即知即改", "3月底前"):
        assert parse_limit(text, start=None) == Limit(text, None)


def test_a_date_cell_is_a_deadline_at_the_end_of_that_day():
    assert parse_limit(date(2025, 6, 30), start=START).deadline == at(2025, 6, 30, 17)
    assert parse_limit(45838, start=None).deadline == at(2025, 6, 30, 17)
    moment = datetime(2025, 6, 30, 12)  # noqa: DTZ001 - as openpyxl reads it
    assert parse_limit(moment, start=None).deadline == at(2025, 6, 30, 12)


def test_a_blank_limit_is_empty():
    assert parse_limit(None, start=START) == Limit("", None)
    assert parse_limit("  ", start=START) == Limit("", None)


def test_an_impossible_date_in_a_limit_is_an_error():
    with pytest.raises(FieldError, match="没有30日"):
        parse_limit("2月30日前", start=START)
