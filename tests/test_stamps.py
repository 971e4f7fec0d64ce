"""Dates and times as people read them in notes and views, written without strftime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from zendesk_sla.core.explain import local_stamp
from zendesk_sla.core.stamps import day_stamp, day_text, last_day_text, time_stamp

moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)


@given(moments)
def test_the_stamps_are_what_strftime_writes(at: datetime) -> None:
    assert day_stamp(at) == at.strftime("%Y-%m-%d")
    assert day_text(at) == at.strftime("%d/%m/%Y")
    assert time_stamp(at) == at.strftime("%H:%M")
    assert last_day_text(at.date()) == (at.date() - timedelta(days=1)).strftime("%d/%m/%Y")


def test_the_local_stamp_is_in_the_support_teams_zone_and_sorts_as_text() -> None:
    assert local_stamp("Europe/Madrid", datetime(2026, 7, 1, 22, 5, tzinfo=UTC)) == (
        "2026-07-02 00:05"
    )
    assert local_stamp("Europe/Madrid", datetime(2026, 12, 31, 9, 0, tzinfo=UTC)) == (
        "2026-12-31 10:00"
    )
    assert local_stamp("Europe/Madrid", None) is None
