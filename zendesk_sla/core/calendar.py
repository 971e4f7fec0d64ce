"""Business calendar: weekday windows in a time zone, minus holidays.

Time is kept at one-second resolution (as Zendesk's timestamps are) and walked
window by window, never minute by minute. Windows are wall-clock times in the
zone, so a window on a DST-change day is as long as the clocks make it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
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
        self._years: dict[int, list[int]] = {}
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
        day = self.local_date(start)
        remaining, done = self._spend(day, start, seconds)
        if done is not None:
            return done
        # Whole days are skipped with the year's running totals, not walked one by one.
        day += _ONE_DAY
        empty = 0
        while True:
            block = self._year(day.year)
            first = day.timetuple().tm_yday - 1
            left = block[-1] - block[first]
            if remaining <= left:
                # The first day of the year whose running total reaches the time left.
                last = bisect_left(block, block[first] + remaining, first + 1) - 1
                used = block[last] - block[first]
                day = date.fromordinal(date(day.year, 1, 1).toordinal() + last)
                _, done = self._spend(day, None, remaining - used)
                assert done is not None
                return done
            remaining -= left
            empty = 0 if left else empty + len(block) - 1 - first
            if empty > _MAX_EMPTY_DAYS:
                raise ValueError("the calendar has no business hours")
            day = date(day.year + 1, 1, 1)

    def _spend(self, day: date, start: int | None, seconds: int) -> tuple[int, int | None]:
        """Spend `seconds` in `day`'s windows from `start` (None: the whole day): the
        seconds still to spend, and the instant they ran out (None: not on that day)."""
        remaining = seconds
        for open_, close in self.spans_on(day):
            if start is not None and close <= start:
                continue
            begin = open_ if start is None else max(open_, start)
            available = close - begin
            if remaining <= available:
                return 0, begin + remaining
            remaining -= available
        return remaining, None

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

    def elapsed_epoch(self, start: int, end: int) -> int:
        if end <= start:
            return 0
        first, last = self.local_date(start), self.local_date(end)
        if first == last:
            return self._overlap(first, start, end)
        return (
            self._overlap(first, start, end)
            + self._full_days(first + _ONE_DAY, last)
            + self._overlap(last, start, end)
        )

    def _overlap(self, day: date, start: int, end: int) -> int:
        total = 0
        for open_, close in self.spans_on(day):
            begin, finish = max(open_, start), min(close, end)
            if begin < finish:
                total += finish - begin
        return total

    def _year(self, year: int) -> list[int]:
        """Business seconds before each day of `year` (index = day of year - 1), and the total."""
        block = self._years.get(year)
        if block is None:
            block = [0]
            day = date(year, 1, 1)
            while day.year == year:
                block.append(block[-1] + sum(end - start for start, end in self.spans_on(day)))
                day += _ONE_DAY
            self._years[year] = block
        return block

    def _before(self, day: date) -> int:
        return self._year(day.year)[day.timetuple().tm_yday - 1]

    def _full_days(self, first: date, stop: date) -> int:
        """Business seconds in the whole days from `first` up to, not including, `stop`."""
        if stop <= first:
            return 0
        if first.year == stop.year:
            return self._before(stop) - self._before(first)
        total = self._year(first.year)[-1] - self._before(first)
        for year in range(first.year + 1, stop.year):
            total += self._year(year)[-1]
        return total + self._before(stop)


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
