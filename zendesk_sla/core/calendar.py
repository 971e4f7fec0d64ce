"""Business calendar: weekday windows in a time zone, minus holidays.

Time is kept at one-second resolution (as Zendesk's timestamps are). The windows
of whole years are indexed with running totals, so business time between two
instants is a difference and a due time a bisection, never a walk. Windows are
wall-clock times in the zone, so a window on a DST-change day is as long as the
clocks make it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_EMPTY_DAYS = 3700  # ten years without a single window: the calendar can never open
_ONE_DAY = timedelta(days=1)

Span = tuple[int, int]  # [start, end) in epoch seconds


@dataclass(frozen=True)
class Step:
    """One stretch of business time used while walking the calendar (for `explain`)."""

    day: date
    start: datetime
    end: datetime
    seconds: int


@dataclass(frozen=True)
class SkippedDay:
    """A day the walk passed over, and why (weekend or holiday)."""

    day: date
    reason: str


@dataclass(frozen=True)
class Walk:
    """The result of `BusinessCalendar.walk`: where the time ran out, and how."""

    end: datetime
    steps: tuple[Step, ...]
    skipped: tuple[SkippedDay, ...]


def epoch(moment: datetime) -> int:
    """Whole epoch seconds of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: a time zone is required")
    return int(moment.timestamp())


def _length(start: time, end: time) -> int:
    return (
        (end.hour - start.hour) * 3600
        + (end.minute - start.minute) * 60
        + end.second
        - start.second
    )


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class BusinessCalendar:
    """Weekday windows (wall clock, in `tz`) minus `holidays`."""

    def __init__(
        self,
        tz: str,
        weekly: Mapping[int, Sequence[tuple[time, time]]],
        holidays: Collection[date] = frozenset(),
        holiday_names: Mapping[date, str] | None = None,
    ) -> None:
        self.zone = ZoneInfo(tz)
        self.weekly: dict[int, tuple[tuple[time, time], ...]] = {}
        for weekday, windows in weekly.items():
            ordered = tuple(sorted(windows))
            for (start, end), nxt in zip(ordered, (*ordered[1:], None), strict=True):
                if not start < end:
                    raise ValueError(f"window {start}-{end} on {WEEKDAYS[weekday]} is empty")
                if nxt is not None and nxt[0] < end:
                    raise ValueError(f"windows overlap on {WEEKDAYS[weekday]}")
            if ordered:
                self.weekly[weekday] = ordered
        self.holidays = frozenset(holidays)
        self.holiday_names = dict(holiday_names or {})
        self._days: dict[date, tuple[Span, ...]] = {}
        self._ix = _Index(0, 0, 0, -1, [], [], [])  # none yet (see `_index`)
        self._day_length = max(
            (
                sum(_length(start, end) for start, end in windows)
                for windows in self.weekly.values()
            ),
            default=0,
        )

    @property
    def is_open_ever(self) -> bool:
        return bool(self.weekly)

    def day_length(self) -> int:
        """Seconds in the longest weekday window set: the length of one business `d`."""
        return self._day_length

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The day's windows as epoch spans; empty on weekends and holidays."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        windows = () if day in self.holidays else self.weekly.get(day.weekday(), ())
        spans = tuple(
            (
                epoch(datetime.combine(day, start, self.zone)),
                epoch(datetime.combine(day, end, self.zone)),
            )
            for start, end in windows
        )
        self._days[day] = spans
        return spans

    def local_date(self, seconds: int) -> date:
        return datetime.fromtimestamp(seconds, self.zone).date()

    def why_closed(self, day: date) -> str:
        if day in self.holidays:
            name = self.holiday_names.get(day)
            return f"holiday: {name}" if name else "holiday"
        return "weekend" if day.weekday() not in self.weekly else "closed"

    def add(self, start: datetime, seconds: int) -> datetime:
        """The earliest instant at which `seconds` of business time have passed since `start`."""
        return from_epoch(self.add_epoch(epoch(start), seconds))

    def add_epoch(self, start: int, seconds: int) -> int:
        if seconds < 0:
            raise ValueError("business durations are never negative")
        if seconds == 0:
            return start
        if not self.weekly:
            raise ValueError("the calendar has no business hours")
        ix = self._cover(start, start)
        target = _business(ix, start) + seconds
        barren = 0  # years indexed without a business second (all holidays)
        while ix.reached < target:
            # As many years again after the last one indexed, at least one.
            grown = self._index(ix.first_year, ix.last_year + max(1, ix.years // 2))
            barren = barren + grown.years - ix.years if grown.reached == ix.reached else 0
            if barren * 365 > _MAX_EMPTY_DAYS:
                raise ValueError("the calendar has no business hours")
            ix = grown
        # The first window whose running total reaches the target holds the instant.
        i = bisect_left(ix.totals, target)
        return ix.closes[i] - (ix.totals[i] - target)

    def elapsed_epoch(self, start: int, end: int) -> int:
        if end <= start:
            return 0
        ix = self._cover(start, end)
        return _business(ix, end) - _business(ix, start)

    def _cover(self, start: int, end: int) -> _Index:
        """The index, holding every window of the local years from `start` to `end`."""
        ix = self._ix
        if ix.first <= start and end < ix.last:
            return ix
        first, last = self.local_date(start).year, self.local_date(end).year
        if ix.years:
            first, last = min(first, ix.first_year), max(last, ix.last_year)
        return self._index(first, last)

    def _index(self, first: int, last: int) -> _Index:
        """The windows of years `first` to `last` in order, with each one's running total
        of business seconds up to its close: elapsed time is then a difference of two
        totals, and a due time one bisection. Replaced whole, never changed in place."""
        opens: list[int] = []
        closes: list[int] = []
        totals: list[int] = []
        total = 0
        day, stop = date(first, 1, 1), date(last + 1, 1, 1)
        while day < stop:
            # Wall-clock windows in order stay in order in epoch seconds (fold 0); a window
            # a DST night leaves empty is left out.
            for open_, close in self.spans_on(day):
                if open_ < close:
                    total += close - open_
                    opens.append(open_)
                    closes.append(close)
                    totals.append(total)
            day += _ONE_DAY
        self._ix = _Index(
            epoch(datetime.combine(date(first, 1, 1), time(0), self.zone)),
            epoch(datetime.combine(stop, time(0), self.zone)),
            first,
            last,
            opens,
            closes,
            totals,
        )
        return self._ix

    def walk(self, start: datetime, seconds: int) -> Walk:
        """Like `add`, recording each window used and each day skipped (for a person to read)."""
        target = self.add_epoch(epoch(start), seconds)
        at = epoch(start)
        steps: list[Step] = []
        skipped: list[SkippedDay] = []
        day = self.local_date(at)
        while at < target or (seconds == 0 and not steps):
            spans = self.spans_on(day)
            if not spans:
                skipped.append(SkippedDay(day, self.why_closed(day)))
            for open_, close in spans:
                begin, end = max(open_, at), min(close, target)
                if begin < end:
                    steps.append(Step(day, from_epoch(begin), from_epoch(end), end - begin))
                    at = end
            if seconds == 0:
                break
            day += _ONE_DAY
        return Walk(from_epoch(target), tuple(steps), tuple(skipped))

    def elapsed(
        self, start: datetime, end: datetime, pauses: Iterable[tuple[datetime, datetime]] = ()
    ) -> int:
        """Business seconds in [start, end) that fall outside every pause."""
        spans = subtract([(epoch(start), epoch(end))], [(epoch(a), epoch(b)) for a, b in pauses])
        return sum(self.elapsed_epoch(a, b) for a, b in spans)


class _Index(NamedTuple):
    """Business windows of whole local years, [first, last) in epoch seconds."""

    first: int
    last: int
    first_year: int
    last_year: int
    opens: list[int]
    closes: list[int]
    totals: list[int]  # business seconds from `first` to each window's close

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1

    @property
    def reached(self) -> int:
        return self.totals[-1] if self.totals else 0


def _business(ix: _Index, at: int) -> int:
    """Business seconds from the start of the index to `at` (which it covers)."""
    i = bisect_right(ix.opens, at) - 1
    if i < 0:
        return 0
    close = ix.closes[i]
    return ix.totals[i] - close + (at if at < close else close)


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """`spans` with every `hole` cut out; both given as [start, end) pairs."""
    result = sorted(s for s in spans if s[0] < s[1])
    for h_start, h_end in sorted(holes):
        if h_end <= h_start:
            continue
        cut: list[Span] = []
        for start, end in result:
            if h_end <= start or end <= h_start:
                cut.append((start, end))
                continue
            if start < h_start:
                cut.append((start, h_start))
            if h_end < end:
                cut.append((h_end, end))
        result = cut
    return result
