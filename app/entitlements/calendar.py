"""The working-day calendar for Victims' Code deadlines (England and Wales, Europe/London time).

A *working day* is Monday to Friday and not an England and Wales bank holiday (Wales shares
England's bank holidays; substitute days, such as Boxing Day moved to a Monday, count as holidays).

How a deadline of N working days is counted (the Code gives no clock time, so we fix one and use it
everywhere, for agencies and victims alike):

1. The moment is converted to Europe/London local time.
2. The *start day* is the local date of the moment, unless the moment is at or after 17:00 local
   time or falls on a day that is not a working day: then the start day is the next working day.
   (Something an agency receives after office hours, or over a weekend, is treated as received the
   next working morning, which is how the Code's "within N working days of receiving it" is applied
   in practice.)
3. The deadline is 23:59:59 local time on the Nth working day after the start day. With N = 0 it
   is the end of the start day itself.

Calendar-day deadlines (the unduly lenient sentence window) and month deadlines (Right to Review,
criminal injuries compensation) are statutory windows that run from the day of the event whatever
the hour, so the 17:00 rule does not apply: they end at 23:59:59 local time on the last day.

Every function here is total for aware datetimes: a result that would fall beyond the calendar
(year 9999) is clamped to its last second rather than raising. A naive datetime is refused with
``NaiveDatetimeError``, because guessing its zone would silently move deadlines by an hour.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Final
from zoneinfo import ZoneInfo

import holidays

LONDON: Final = ZoneInfo("Europe/London")
CUTOFF: Final = time(17, 0)
END_OF_DAY: Final = time(23, 59, 59)

# The ends of the representable calendar, used to clamp instead of raising OverflowError.
_FIRST_MOMENT: Final = datetime(1, 1, 1, tzinfo=LONDON)
_LAST_MOMENT: Final = datetime(9999, 12, 31, 23, 59, 59, tzinfo=LONDON)
# More working days than the whole calendar holds: such a count can only end at its last moment.
_MORE_WORKING_DAYS_THAN_EXIST: Final = 366 * 10_000


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was given where a moment in time is needed."""


class _BeyondCalendar(Exception):
    """Internal: a count ran past 31 December 9999."""


def require_aware(moment: datetime, name: str = "datetime") -> None:
    """Raise ``NaiveDatetimeError`` unless ``moment`` is an aware datetime."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name} {moment.isoformat()} has no time zone; pass an aware datetime "
            "(for example with tzinfo=ZoneInfo('Europe/London') or datetime.UTC)"
        )


def to_london(moment: datetime) -> datetime:
    """``moment`` as Europe/London local time, clamped to the representable calendar."""
    require_aware(moment, "moment")
    try:
        return moment.astimezone(LONDON)
    except (OverflowError, ValueError):
        # Only the first and last hours of the calendar can overflow when the zone changes.
        return _FIRST_MOMENT if moment.year == 1 else _LAST_MOMENT


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays in ``year``, substitute days included."""
    try:
        return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())
    except Exception:
        # A year the package cannot compute has no known holidays: stay total, never raise.
        return frozenset()


def is_working_day(day: date) -> bool:
    """True for Monday to Friday when the day is not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def _day_after(day: date) -> date:
    if day == date.max:
        raise _BeyondCalendar
    return day + timedelta(days=1)


def _next_working_day(day: date) -> date:
    day = _day_after(day)
    while not is_working_day(day):
        day = _day_after(day)
    return day


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day`` (``date.max`` if there is none)."""
    try:
        return _next_working_day(day)
    except _BeyondCalendar:
        return date.max


def last_working_day_on_or_before(day: date) -> date:
    """The latest working day not after ``day`` (``date.min`` if there is none).

    The unduly lenient sentence scheme uses it: the Attorney General's Office must refer a case
    by 5 pm on the last working day within the 28 calendar days.
    """
    while not is_working_day(day):
        if day == date.min:
            return day
        day -= timedelta(days=1)
    return day


def end_of_day(day: date) -> datetime:
    """23:59:59 Europe/London time on ``day``."""
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def start_day(moment: datetime) -> date:
    """The working day from which a working-day count starts (rule 2 in the module notes)."""
    local = to_london(moment)
    if is_working_day(local.date()) and local.time() < CUTOFF:
        return local.date()
    return next_working_day(local.date())


def _check_count(n: int) -> None:
    # bool is an int subclass; True working days is a bug upstream, not a count.
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"the number of days must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"the number of days must not be negative (got {n})")


def add_working_days(start: datetime, n: int) -> datetime:
    """The deadline N working days after ``start``: 23:59:59 London time on a working day.

    See the module notes for the 17:00 and non-working-day rule.
    """
    _check_count(n)
    if n >= _MORE_WORKING_DAYS_THAN_EXIST:
        return _LAST_MOMENT
    try:
        day = start_day(start)
        if day == date.max:
            return _LAST_MOMENT
        day = _working_days_after(day, n)
    except _BeyondCalendar:
        return _LAST_MOMENT
    return end_of_day(day)


@lru_cache(maxsize=65_536)
def _working_days_after(day: date, n: int) -> date:
    # Cached: a full recompute asks the same (date, count) pairs again and again.
    for _ in range(n):
        day = _next_working_day(day)
    return day


def add_calendar_days(start: datetime, n: int) -> datetime:
    """23:59:59 London time on the local date of ``start`` plus N calendar days."""
    _check_count(n)
    try:
        return end_of_day(to_london(start).date() + timedelta(days=n))
    except OverflowError:
        return _LAST_MOMENT


def add_months(start: datetime, n: int) -> datetime:
    """23:59:59 London time on the same day of the month N months after ``start``.

    A day the later month lacks moves back to that month's last day (31 August + 6 months is
    28 or 29 February), so a window is never lengthened into the following month.
    """
    _check_count(n)
    local = to_london(start).date()
    months = local.year * 12 + (local.month - 1) + n
    year, month = divmod(months, 12)
    if year > date.max.year:
        return _LAST_MOMENT
    last = _stdlib_calendar.monthrange(year, month + 1)[1]
    return end_of_day(date(year, month + 1, min(local.day, last)))


def add_years(start: datetime, n: int) -> datetime:
    """``add_months(start, 12 * n)``: 29 February + 1 year ends on 28 February."""
    _check_count(n)
    return add_months(start, 12 * n)
