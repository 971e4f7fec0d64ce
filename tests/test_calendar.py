"""Business calendar: weekends, holidays, DST, outside-hours starts, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.core.calendar import BusinessCalendar, subtract
from zendesk_sla.core.policy import Policy

from tests.helpers import madrid, utc

H = 3600


def test_blocker_on_friday_evening_is_due_monday_morning(policy: Policy) -> None:
    enterprise = policy.calendars["enterprise"]
    # Friday 19:30 CET: 30 minutes left that day, 90 more on Monday from 08:00.
    assert enterprise.add(madrid("2026-11-27 19:30"), 2 * H) == utc("2026-11-30T08:30:00")


def test_ticket_created_outside_hours_starts_at_next_opening(policy: Policy) -> None:
    company = policy.calendars["company"]
    assert company.add(madrid("2026-02-03 06:00"), 4 * H) == madrid("2026-02-03 13:00")
    assert company.add(madrid("2026-02-03 21:00"), 4 * H) == madrid("2026-02-04 13:00")


def test_immaculate_conception_holiday_is_skipped(policy: Policy) -> None:
    enterprise = policy.calendars["enterprise"]
    # Monday 2026-12-07 after hours; Tuesday 8 December is a national holiday.
    assert enterprise.add(madrid("2026-12-07 20:30"), 12 * H) == madrid("2026-12-09 20:00")


def test_year_end_skips_christmas_new_year_and_epiphany(policy: Policy) -> None:
    plus = policy.calendars["plus"]
    # Thu 24 Dec 13:00: 1h that day; 25 Dec, weekend, 1 Jan closed; 28-31 Dec give 16h.
    due = plus.add(madrid("2026-12-24 13:00"), 20 * H)
    assert due == madrid("2027-01-04 13:00")
    assert plus.add(madrid("2027-01-05 13:00"), 2 * H) == madrid("2027-01-07 11:00")


@pytest.mark.parametrize(
    ("created", "expected_utc"),
    [
        # Spring forward, Sunday 2026-03-29: Friday is UTC+1, Monday is UTC+2.
        ("2026-03-27 19:00", "2026-03-30T07:00:00"),
        # Fall back, Sunday 2026-10-25: Friday is UTC+2, Monday is UTC+1.
        ("2026-10-23 19:00", "2026-10-26T08:00:00"),
    ],
)
def test_dst_weekend_keeps_wall_clock_windows(
    policy: Policy, created: str, expected_utc: str
) -> None:
    assert policy.calendars["enterprise"].add(madrid(created), 2 * H) == utc(expected_utc)


def test_elapsed_across_dst_counts_wall_clock_hours(policy: Policy) -> None:
    enterprise = policy.calendars["enterprise"]
    assert enterprise.elapsed(madrid("2026-03-27 19:00"), madrid("2026-03-30 09:00")) == 2 * H


def test_window_on_the_night_clocks_change_has_its_real_length() -> None:
    night = BusinessCalendar("Europe/Madrid", {6: [(time(1, 0), time(4, 0))]})
    assert night.elapsed_epoch(*_day_bounds(night, date(2026, 3, 29))) == 2 * H
    assert night.elapsed_epoch(*_day_bounds(night, date(2026, 10, 25))) == 4 * H
    assert night.elapsed_epoch(*_day_bounds(night, date(2026, 6, 7))) == 3 * H


def _day_bounds(calendar: BusinessCalendar, day: date) -> tuple[int, int]:
    (start, _), *_ = calendar.spans_on(day)
    return start - 10 * H, start + 10 * H


def test_pauses_do_not_count(policy: Policy) -> None:
    enterprise = policy.calendars["enterprise"]
    pause = (madrid("2026-02-02 09:00"), madrid("2026-02-02 11:00"))
    got = enterprise.elapsed(madrid("2026-02-02 08:00"), madrid("2026-02-02 12:00"), [pause])
    assert got == 2 * H


def test_a_calendar_with_no_hours_refuses_to_add() -> None:
    with pytest.raises(ValueError, match="no business hours"):
        BusinessCalendar("Europe/Madrid", {}).add(madrid("2026-02-02 10:00"), H)


def test_naive_times_are_refused(policy: Policy) -> None:
    with pytest.raises(ValueError, match="time zone"):
        policy.calendars["plus"].add(datetime(2026, 2, 2, 10), H)


def test_subtract_cuts_holes() -> None:
    assert subtract([(0, 100)], [(10, 20), (50, 150)]) == [(0, 10), (20, 50)]


# Properties, on several zones and window shapes (split windows, weekend work, DST nights).
CALENDARS = [
    BusinessCalendar(
        "Europe/Madrid",
        {d: [(time(8), time(20))] for d in range(5)},
        {date(2026, 12, 8), date(2026, 12, 25), date(2027, 1, 1)},
    ),
    BusinessCalendar(
        "America/New_York", {d: [(time(9), time(12)), (time(13), time(17, 30))] for d in range(5)}
    ),
    BusinessCalendar("Australia/Lord_Howe", {d: [(time(1, 30), time(3))] for d in range(7)}),
    BusinessCalendar("Europe/Madrid", {5: [(time(0), time(23, 59))], 6: [(time(2), time(3))]}),
]
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
durations = st.integers(min_value=0, max_value=400 * H)
calendars = st.sampled_from(CALENDARS)


@given(calendars, moments, durations)
@settings(max_examples=300, deadline=None)
def test_add_then_elapsed_round_trips(cal: BusinessCalendar, start: datetime, secs: int) -> None:
    end = cal.add(start, secs)
    assert end >= start
    assert cal.elapsed(start, end) == secs


@given(calendars, moments, durations, durations)
@settings(max_examples=200, deadline=None)
def test_add_is_monotone_and_composes(
    cal: BusinessCalendar, start: datetime, a: int, b: int
) -> None:
    assert cal.add(start, min(a, b)) <= cal.add(start, max(a, b))
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)


@given(calendars, moments, moments, durations)
@settings(max_examples=200, deadline=None)
def test_later_start_is_never_due_earlier(
    cal: BusinessCalendar, s1: datetime, s2: datetime, secs: int
) -> None:
    early, late = sorted((s1, s2))
    assert cal.add(early, secs) <= cal.add(late, secs)


@given(calendars, moments, st.integers(0, 90 * 24), st.integers(0, 90 * 24))
@settings(max_examples=200, deadline=None)
def test_elapsed_is_additive(cal: BusinessCalendar, start: datetime, h1: int, h2: int) -> None:
    mid = start + timedelta(hours=h1)
    end = mid + timedelta(hours=h2)
    assert cal.elapsed(start, end) == cal.elapsed(start, mid) + cal.elapsed(mid, end)


def naive_add(cal: BusinessCalendar, start: datetime, seconds: int) -> datetime:
    """Day after day through the local windows, as a person counts: no running totals,
    no cached days."""
    if seconds == 0:
        return start
    at, remaining = start.timestamp(), seconds
    day = start.astimezone(cal.zone).date()
    while True:
        windows = () if day in cal.holidays else cal.weekly.get(day.weekday(), ())
        for opens, closes in windows:
            begin = max(datetime.combine(day, opens, cal.zone).timestamp(), at)
            end = datetime.combine(day, closes, cal.zone).timestamp()
            if end <= begin:
                continue
            if remaining <= end - begin:
                return datetime.fromtimestamp(begin + remaining, UTC)
            remaining -= int(end - begin)
        day += timedelta(days=1)


@given(calendars, moments, st.integers(min_value=0, max_value=4000 * H))
@settings(max_examples=300, deadline=None)
def test_add_lands_where_counting_day_by_day_lands(
    cal: BusinessCalendar, start: datetime, secs: int
) -> None:
    # Up to 4,000 business hours: the count crosses years, holidays and DST nights.
    assert cal.add(start, secs) == naive_add(cal, start, secs)


def naive_elapsed(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Each local day from the start's to the end's, each window's overlap with the
    interval added up: no index, no running totals."""
    total, a, b = 0, start.timestamp(), end.timestamp()
    day = start.astimezone(cal.zone).date() - timedelta(days=1)
    while day <= end.astimezone(cal.zone).date() + timedelta(days=1):
        windows = () if day in cal.holidays else cal.weekly.get(day.weekday(), ())
        for opens, closes in windows:
            begin = max(datetime.combine(day, opens, cal.zone).timestamp(), a)
            finish = min(datetime.combine(day, closes, cal.zone).timestamp(), b)
            total += int(max(finish - begin, 0))
        day += timedelta(days=1)
    return total


@given(calendars, moments, moments)
@settings(max_examples=300, deadline=None)
def test_elapsed_is_what_adding_up_each_days_windows_gives(
    cal: BusinessCalendar, s1: datetime, s2: datetime
) -> None:
    start, end = sorted((s1, s2))
    assert cal.elapsed(start, end) == naive_elapsed(cal, start, end)
    assert cal.elapsed(end, start) == 0
