import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.notify.safe_times import LONDON, next_safe_time

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Inside the window: now.
        (london(2026, 11, 24, 10, 30), london(2026, 11, 24, 10, 30)),
        # Before it opens: 09:00 the same day.
        (london(2026, 11, 24, 7, 0), london(2026, 11, 24, 9, 0)),
        # At 17:00 the window has closed: Wednesday 09:00.
        (london(2026, 11, 24, 17, 0), london(2026, 11, 25, 9, 0)),
        # Friday evening: Monday morning.
        (london(2026, 11, 27, 18, 0), london(2026, 11, 30, 9, 0)),
        # Saturday: Monday.
        (london(2026, 11, 28, 12, 0), london(2026, 11, 30, 9, 0)),
        # Across the clocks going back (25 Oct 2026): 09:00 is GMT on the Monday.
        (london(2026, 10, 24, 12, 0), london(2026, 10, 26, 9, 0)),
        # Summer time: 09:00 BST is 08:00 UTC.
        (london(2026, 7, 4, 12, 0), dt.datetime(2026, 7, 6, 8, 0, tzinfo=dt.UTC)),
    ],
)
def test_weekday_office_hours(now, expected):
    assert next_safe_time(now, WEEKDAYS, "09:00", "17:00") == expected.astimezone(dt.UTC)


def test_evenings_only_and_weekends():
    now = london(2026, 11, 24, 12, 0)  # Tuesday noon
    assert next_safe_time(now, ["sat", "sun"], "18:00", "21:00") == london(
        2026, 11, 28, 18, 0
    ).astimezone(dt.UTC)


def test_until_midnight():
    late = london(2026, 11, 24, 23, 30)
    assert next_safe_time(late, WEEKDAYS, "09:00", "24:00") == late.astimezone(dt.UTC)
    friday_late = london(2026, 11, 27, 23, 59)
    assert next_safe_time(friday_late, ["fri"], "00:00", "24:00") == friday_late.astimezone(dt.UTC)
    assert next_safe_time(london(2026, 11, 28, 0, 0), ["fri"], "00:00", "24:00") == london(
        2026, 12, 4, 0, 0
    ).astimezone(dt.UTC)


def test_a_window_inside_the_skipped_spring_hour_is_passed_over():
    # 26 March 2028: the clocks go from 01:00 to 02:00, so 01:00-02:00 never happens that day.
    before = london(2028, 3, 26, 0, 30)
    assert next_safe_time(before, ["sun", "mon"], "01:00", "02:00") == london(
        2028, 3, 27, 1, 0
    ).astimezone(dt.UTC)


def test_no_safe_day_means_no_contact():
    assert next_safe_time(london(2026, 11, 24, 12, 0), [], "09:00", "17:00") is None
    assert next_safe_time(london(2026, 11, 24, 12, 0), [""], "09:00", "17:00") is None


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        next_safe_time(dt.datetime(2026, 11, 24, 12), WEEKDAYS, "09:00", "17:00")


@given(
    now=st.datetimes(
        min_value=dt.datetime(2025, 1, 1),
        max_value=dt.datetime(2030, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    days=st.sets(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1),
    start=st.integers(0, 22),
    length=st.integers(1, 24),
)
def test_the_answer_is_never_early_and_always_inside_a_safe_window(now, days, start, length):
    end = min(start + length, 24)
    answer = next_safe_time(now, days, f"{start:02d}:00", f"{end:02d}:00")
    assert answer is not None
    assert answer >= now
    assert answer - now < dt.timedelta(days=8)
    local = answer.astimezone(LONDON)
    assert ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()] in days
    assert dt.time(start) <= local.time()
    assert end == 24 or local.time() < dt.time(end)
