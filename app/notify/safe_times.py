"""When a message may reach a victim: only on the days and between the hours they said are safe,
in London time (whatever the server's clock zone), so an update never lights up a phone that
someone else is watching at a time the victim did not choose. No Flask here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    """A London wall-clock time as a UTC instant. A time skipped by the spring change (01:30 on
    the last Sunday in March) becomes the instant after the jump (zoneinfo's fold=0 takes the
    earlier offset). In UTC because Python compares two times in the same zone by their wall
    clocks, which is wrong across a change of the clocks."""
    return dt.datetime.combine(day, at, tzinfo=LONDON).astimezone(dt.UTC)


def next_safe_time(
    now: dt.datetime, days: Iterable[str], start: str, end: str
) -> dt.datetime | None:
    """The first instant at or after `now` inside the victim's safe window, in UTC.

    `days` are three-letter names ("mon"…); `start` and `end` are "HH:MM" London times with
    start < end; `end` may be "24:00", midnight at the end of the day. None if no day is safe:
    the victim chose not to be contacted.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    safe_days = {d.strip().lower() for d in days if d and d.strip()}
    if not safe_days:
        return None
    opens = _clock(start)
    midnight = end == "24:00"  # the end of the day
    closes = dt.time(0) if midnight else _clock(end)
    today = now.astimezone(LONDON).date()
    now = now.astimezone(dt.UTC)
    for offset in range(8):  # a week from today always contains every safe day
        day = today + dt.timedelta(days=offset)
        if DAYS[day.weekday()] not in safe_days:
            continue
        window_start = _local(day, opens)
        window_end = _local(day + dt.timedelta(days=1) if midnight else day, closes)
        if window_start >= window_end:
            continue  # the whole window falls in the hour skipped when the clocks go forward
        if now < window_end:
            return max(now, window_start)
    return None  # unreachable with a valid day name; an unknown one means "never"
