"""Dates and times as people read them in notes, pages and views.

Written from the date's numbers, not with strftime: they run for every ticket of a
re-evaluation (checked against strftime in tests/test_stamps.py).
"""

from __future__ import annotations

from datetime import date, datetime


def day_stamp(at: date) -> str:
    """`2026-11-26`: sorts as text."""
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d}"


def day_text(at: date) -> str:
    """`26/11/2026`, as a Spanish reader writes a date."""
    return f"{at.day:02d}/{at.month:02d}/{at.year:04d}"


def last_day_text(end: date) -> str:
    """The last day of a span that ends (exclusive) at `end`, as people read "to ..."."""
    return day_text(date.fromordinal(end.toordinal() - 1))


def time_stamp(at: datetime) -> str:
    """`15:00`."""
    return f"{at.hour:02d}:{at.minute:02d}"
