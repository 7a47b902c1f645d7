"""The working-day calendar, with real dates: weekends, Easter 2026, Christmas and New Year
(including substitute days) and the 17:00 rule, in Europe/London time across clock changes."""

from datetime import UTC, date, datetime, timedelta, timezone

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.entitlements.calendar import (
    LONDON,
    NaiveDatetimeError,
    add_calendar_days,
    add_months,
    add_working_days,
    add_years,
    is_working_day,
    last_working_day_on_or_before,
    next_working_day,
    start_day,
)


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def end_of(day: str) -> datetime:
    return london(f"{day}T23:59:59")


ENGLAND = holidays.UK(subdiv="ENG")


def truly_working(day: date) -> bool:
    """An independent check, straight from the holidays package."""
    return day.weekday() < 5 and day not in ENGLAND


@pytest.mark.parametrize(
    ("received", "n", "deadline"),
    [
        # Ordinary week: Monday 2 March 2026.
        ("2026-03-02T10:00", 0, "2026-03-02"),
        ("2026-03-02T10:00", 1, "2026-03-03"),
        ("2026-03-02T10:00", 5, "2026-03-09"),
        # The 17:00 boundary: 16:59:59 counts from today, 17:00:00 from the next working day.
        ("2026-03-02T16:59:59", 1, "2026-03-03"),
        ("2026-03-02T17:00:00", 1, "2026-03-04"),
        ("2026-03-02T17:00:00", 0, "2026-03-03"),
        ("2026-03-02T23:59:59", 1, "2026-03-04"),
        ("2026-03-03T00:00:00", 1, "2026-03-04"),
        # Weekends: Friday evening, Saturday and Sunday all count from Monday 9 March.
        ("2026-03-06T16:00", 1, "2026-03-09"),
        ("2026-03-06T17:30", 1, "2026-03-10"),
        ("2026-03-07T09:00", 1, "2026-03-10"),
        ("2026-03-08T21:00", 0, "2026-03-09"),
        ("2026-03-06T12:00", 5, "2026-03-13"),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        ("2026-04-02T10:00", 1, "2026-04-07"),
        ("2026-04-02T17:00", 1, "2026-04-08"),
        ("2026-04-03T12:00", 0, "2026-04-07"),
        ("2026-04-03T12:00", 1, "2026-04-08"),
        ("2026-04-06T09:00", 1, "2026-04-08"),
        ("2026-04-01T10:00", 5, "2026-04-10"),
        ("2026-04-02T10:00", 5, "2026-04-13"),
        # Christmas 2026: Friday 25th; Boxing Day is a Saturday, so Monday 28th is the holiday.
        ("2026-12-24T10:00", 1, "2026-12-29"),
        ("2026-12-24T17:00", 1, "2026-12-30"),
        ("2026-12-31T10:00", 1, "2027-01-04"),
        ("2026-12-23T17:30", 5, "2027-01-05"),
        # Christmas 2021: Saturday and Sunday, so Monday 27th and Tuesday 28th are holidays;
        # New Year's Day 2022 is a Saturday, so Monday 3 January is.
        ("2021-12-24T10:00", 1, "2021-12-29"),
        ("2021-12-31T10:00", 1, "2022-01-04"),
        # Christmas 2020: Boxing Day on a Saturday, substitute Monday 28th.
        ("2020-12-24T10:00", 1, "2020-12-29"),
        # Christmas 2027: Saturday and Sunday again.
        ("2027-12-23T10:00", 2, "2027-12-29"),
    ],
)
def test_working_day_deadlines(received, n, deadline):
    assert add_working_days(london(received), n) == end_of(deadline)


@pytest.mark.parametrize(
    ("received", "n", "deadline"),
    [
        # Clocks go forward on Sunday 29 March 2026: the deadline is in BST (+01:00).
        (datetime(2026, 3, 27, 16, 30, tzinfo=UTC), 1, "2026-03-30"),
        # 15:59:59 UTC in June is 16:59:59 in London: before the cut-off.
        (datetime(2026, 6, 1, 15, 59, 59, tzinfo=UTC), 1, "2026-06-02"),
        # 16:30 UTC in June is 17:30 in London: after it.
        (datetime(2026, 6, 1, 16, 30, tzinfo=UTC), 1, "2026-06-03"),
        # Late on Friday in New York is Saturday in London.
        (datetime(2026, 6, 5, 20, 0, tzinfo=timezone(timedelta(hours=-4))), 0, "2026-06-08"),
    ],
)
def test_the_clock_is_london_time_whatever_zone_comes_in(received, n, deadline):
    due = add_working_days(received, n)
    assert due == end_of(deadline)
    assert due.utcoffset() == LONDON.utcoffset(due.replace(tzinfo=None))


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        # The gov.uk example: sentenced Friday 4 December 2020, 28 days ends on New Year's Day.
        ("2020-12-04T10:00", 28, "2021-01-01"),
        # No 17:00 rule for calendar days: a statutory window runs from the day itself.
        ("2020-12-04T18:00", 28, "2021-01-01"),
        ("2026-04-03T12:00", 0, "2026-04-03"),
        ("2026-03-28T12:00", 1, "2026-03-29"),
    ],
)
def test_calendar_day_deadlines(start, n, deadline):
    assert add_calendar_days(london(start), n) == end_of(deadline)


def test_the_last_working_day_of_the_uls_window_in_the_govuk_example():
    assert last_working_day_on_or_before(date(2021, 1, 1)) == date(2020, 12, 31)
    assert last_working_day_on_or_before(date(2026, 12, 28)) == date(2026, 12, 24)


@pytest.mark.parametrize(
    ("start", "months", "deadline"),
    [
        ("2026-01-15T09:00", 3, "2026-04-15"),
        ("2026-08-31T09:00", 6, "2027-02-28"),
        ("2027-08-31T09:00", 6, "2028-02-29"),
        ("2026-11-30T20:00", 3, "2027-02-28"),
    ],
)
def test_month_deadlines_never_spill_into_the_next_month(start, months, deadline):
    assert add_months(london(start), months) == end_of(deadline)


def test_years_from_a_leap_day():
    assert add_years(london("2024-02-29T12:00"), 2) == end_of("2026-02-28")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 12, 28), False),  # Boxing Day (substitute)
        (date(2021, 12, 27), False),  # Christmas Day (substitute)
        (date(2021, 12, 28), False),  # Boxing Day (substitute)
        (date(2022, 1, 3), False),  # New Year's Day (substitute)
        (date(2026, 3, 7), False),  # Saturday
        (date(2026, 3, 9), True),
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_next_working_day_and_start_day():
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert start_day(london("2026-04-02T16:00")) == date(2026, 4, 2)
    assert start_day(london("2026-04-02T17:00")) == date(2026, 4, 7)


@pytest.mark.parametrize("function", [add_working_days, add_calendar_days, add_months, add_years])
def test_naive_datetimes_are_refused_clearly(function):
    with pytest.raises(NaiveDatetimeError, match="no time zone"):
        function(datetime(2026, 3, 2, 10, 0), 1)


@pytest.mark.parametrize("function", [add_working_days, add_calendar_days, add_months])
def test_negative_counts_are_refused(function):
    with pytest.raises(ValueError, match="must not be negative"):
        function(london("2026-03-02T10:00"), -1)


ZONES = st.sampled_from(
    [UTC, LONDON, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12, minutes=-30))]
)
ANY_MOMENT = st.datetimes(timezones=ZONES)
RECENT = st.datetimes(
    min_value=datetime(1950, 1, 1), max_value=datetime(2150, 12, 31), timezones=ZONES
)


@given(ANY_MOMENT, st.integers(0, 400))
def test_every_function_is_total_for_aware_datetimes(moment, n):
    for function in (add_working_days, add_calendar_days, add_months, add_years):
        result = function(moment, n)
        assert result.tzinfo is LONDON
        assert result.time().isoformat() == "23:59:59"
    assert is_working_day(add_working_days(moment, n).date())


@given(RECENT, st.integers(0, 60))
def test_working_day_deadlines_never_fall_on_a_weekend_or_bank_holiday(moment, n):
    due = add_working_days(moment, n)
    assert truly_working(due.date())
    assert due >= moment


@given(RECENT, RECENT, st.integers(0, 30))
def test_a_later_start_never_gives_an_earlier_deadline(first, second, n):
    early, late = sorted([first, second])
    for function in (add_working_days, add_calendar_days, add_months):
        assert function(early, n) <= function(late, n)


@given(RECENT, st.integers(0, 30))
def test_one_more_working_day_is_the_next_working_day(moment, n):
    due = add_working_days(moment, n)
    assert add_working_days(moment, n + 1).date() == next_working_day(due.date())
