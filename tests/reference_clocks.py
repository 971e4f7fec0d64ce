"""A deliberately naive second reading of POLICY.md sections 2-5, to check the core's clocks.

It shares no code with `zendesk_sla.core`: plan hours and targets are copied
from POLICY.md's tables, holidays come straight from the `holidays` package,
and business time is found by cutting time at every window edge and status
change and asking, for each piece, "is the desk open at its middle, and what
is the ticket's status then?". Slow and obvious on purpose.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

ZONE = ZoneInfo("Europe/Madrid")
HOURS = {"plus": (10, 14), "standard": (10, 17), "company": (9, 18), "enterprise": (8, 20)}
H, D = "h", "d"
RESPONSE = {
    "plus": {"blocker": (8, H), "critical": (3, D), "major": (4, D), "trivial": (5, D)},
    "standard": {"blocker": (6, H), "critical": (2, D), "major": (3, D), "trivial": (4, D)},
    "company": {"blocker": (4, H), "critical": (8, H), "major": (2, D), "trivial": (3, D)},
    "enterprise": {"blocker": (2, H), "critical": (4, H), "major": (1, D), "trivial": (2, D)},
}
RESOLUTION = {
    "standard": {"blocker": (10, H), "critical": (5, D), "major": (10, D), "trivial": (30, D)},
    "company": {"blocker": (7, H), "critical": (2, D), "major": (5, D), "trivial": (15, D)},
    "enterprise": {"blocker": (4, H), "critical": (1, D), "major": (3, D), "trivial": (7, D)},
}
PAUSED = {"pending", "hold", "solved", "closed"}
SPAIN = holidays.country_holidays("ES", years=range(2024, 2030))


def open_time_after(plan: str, moment: datetime, left: int) -> datetime:
    """When `left` more seconds of open desk time have passed after `moment` (no status
    change assumed), walking window edge by window edge."""
    while True:
        nxt = min(edges(plan, moment, moment + timedelta(days=2)) or [moment + timedelta(days=2)])
        if is_open(plan, moment + (nxt - moment) / 2):
            length = int((nxt - moment).total_seconds())
            if length >= left:
                return moment + timedelta(seconds=left)
            left -= length
        moment = nxt


@dataclass(frozen=True)
class Event:
    at: datetime
    status: str | None = None  # a status change
    comment: str | None = None  # "agent", "admin", "private", "trigger", "customer"


@dataclass(frozen=True)
class Verdict:
    state: str
    due: datetime | None
    elapsed: int


def target_seconds(plan: str, kind: str, severity: str) -> int | None:
    table = RESPONSE if kind == "response" else RESOLUTION
    spec = table.get(plan, {}).get(severity)
    if spec is None:
        return None
    amount, unit = spec
    opening, closing = HOURS[plan]
    return amount * 3600 if unit == H else amount * (closing - opening) * 3600


def is_open(plan: str, moment: datetime) -> bool:
    local = moment.astimezone(ZONE)
    opening, closing = HOURS[plan]
    if local.weekday() >= 5 or local.date() in SPAIN:
        return False
    return time(opening) <= local.time() < time(closing)


def edges(plan: str, start: datetime, end: datetime) -> list[datetime]:
    """Every window opening and closing between start and end."""
    out = []
    day: date = start.astimezone(ZONE).date() - timedelta(days=1)
    while day <= end.astimezone(ZONE).date() + timedelta(days=1):
        for hour in HOURS[plan]:
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).astimezone(UTC)
            if start < moment < end:
                out.append(moment)
        day += timedelta(days=1)
    return out


def status_at(created: datetime, events: list[Event], moment: datetime) -> str:
    status = "new"
    for event in events:
        if event.status is not None and event.at <= moment:
            status = event.status
    return status if moment >= created else "new"


def evaluate(
    plan: str,
    severity: str,
    kind: str,
    created: datetime,
    events: list[Event],
    now: datetime,
    *,
    third_party: bool = False,
    solve_stops_response: bool = True,
    at_risk_ratio: float = 0.75,
    at_risk_before: int | None = None,  # seconds before the due: at risk once so little is left
    target: int | None = None,  # another contract's target, in business seconds
) -> Verdict:
    target = target if target is not None else target_seconds(plan, kind, severity)
    if target is None:
        return Verdict("none", None, 0)
    if kind == "resolution" and third_party:
        return Verdict("exempt", None, 0)
    best_effort = kind == "response" and severity == "trivial"
    known = [e for e in events if e.at <= now]
    stop: datetime | None = None
    if kind == "response":
        # `events` come after the opening comment (not among them): an agent's comment in
        # the creation's own second is a reply (POLICY 4 excludes the opening comment, not
        # the second it was written in).
        replies = [e.at for e in known if e.comment in ("agent", "admin") and e.at >= created]
        solves = [e.at for e in known if e.status in ("solved", "closed")]
        candidates = replies + (solves if solve_stops_response else [])
        stop = min(candidates) if candidates else None
    elif status_at(created, known, now) in ("solved", "closed"):
        changes = [e for e in known if e.status is not None]
        index = len(changes) - 1
        while index > 0 and changes[index - 1].status in ("solved", "closed"):
            index -= 1
        stop = changes[index].at
    horizon = min(stop, now) if stop is not None else now

    # Walk piece by piece from creation; after the horizon, the clock goes on as it stands.
    cuts = sorted({e.at for e in known if e.status is not None and created < e.at < horizon})
    points = sorted({created, *cuts, *edges(plan, created, horizon), horizon} - {None})
    points = [p for p in points if created <= p <= horizon]
    elapsed, due = 0, None
    for a, b in itertools.pairwise(points):
        middle = a + (b - a) / 2
        if status_at(created, known, middle) in PAUSED or not is_open(plan, middle):
            continue
        length = int((b - a).total_seconds())
        if due is None and elapsed + length >= target:
            due = a + timedelta(seconds=target - elapsed)
        elapsed += length
    paused = stop is None and status_at(created, known, horizon) in PAUSED
    if due is None and not paused:
        due = open_time_after(plan, max(horizon, created), target - elapsed)
    late = "over_target" if best_effort else "breached"
    if stop is not None:
        state = "met" if elapsed <= target else late
    elif elapsed > target:
        state = late
    elif paused:
        state = "paused"
    else:
        if at_risk_before is not None:
            warned = target - elapsed <= at_risk_before  # this little left: at risk
        else:
            warned = elapsed >= at_risk_ratio * target
        state = "at_risk" if warned and not best_effort else "running"
    return Verdict(state, None if state == "paused" else due, elapsed)
