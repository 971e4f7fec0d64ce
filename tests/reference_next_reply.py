"""A naive second reading of the next-reply target, to check the core's clock.

After the first public agent reply, each public customer comment opens a wait (unless
one is open) that the next public agent reply ends; a wait counts the business time
when the desk is open and the ticket is not pending, on hold or solved. Pieces of time
are cut at every status change and window edge and judged at their middle, as in
`reference_clocks`; nothing is shared with `zendesk_sla.core`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.reference_clocks import PAUSED, Event, edges, is_open, open_time_after, status_at

REPLIES = ("agent", "admin")  # public, by a person (private notes and triggers are not)


@dataclass(frozen=True)
class Wait:
    state: str
    elapsed: int
    due: datetime | None


def waits(created: datetime, events: list[Event]) -> list[tuple[datetime, datetime | None]]:
    out: list[tuple[datetime, datetime | None]] = []
    replied, start = False, None
    for event in events:  # in order: the opening comment is not among them
        if event.comment in REPLIES:
            if start is not None:
                out.append((start, event.at))
                start = None
            replied = True
        elif event.comment == "customer" and replied and start is None:
            start = event.at
    if start is not None:
        out.append((start, None))
    return out


def _open_seconds(
    plan: str, created: datetime, known: list[Event], a: datetime, b: datetime
) -> int:
    middle = a + (b - a) / 2
    if status_at(created, known, middle) in PAUSED or not is_open(plan, middle):
        return 0
    return int((b - a).total_seconds())


def one_wait(
    plan: str,
    created: datetime,
    events: list[Event],
    start: datetime,
    stop: datetime | None,
    now: datetime,
    target: int,
) -> Wait:
    known = [e for e in events if e.at <= now]
    horizon = min(stop, now) if stop is not None else now
    cuts = {e.at for e in known if e.status is not None and start < e.at < horizon}
    points = sorted({start, *cuts, *edges(plan, start, horizon), horizon})
    elapsed, due = 0, None
    for a, b in itertools.pairwise(points):
        length = _open_seconds(plan, created, known, a, b)
        if length and due is None and elapsed + length >= target:
            due = a + timedelta(seconds=target - elapsed)
        elapsed += length
    paused = stop is None and status_at(created, known, horizon) in PAUSED
    if due is None and not paused:
        due = open_time_after(plan, max(horizon, start), target - elapsed)
    if stop is not None:
        state = "met" if elapsed <= target else "breached"
    elif elapsed > target:
        state = "breached"
    elif paused:
        state = "paused"
    elif elapsed >= 0.75 * target:
        state = "at_risk"
    else:
        state = "running"
    return Wait(state, elapsed, None if state == "paused" else due)


def evaluate(
    plan: str, created: datetime, events: list[Event], now: datetime, target: int
) -> tuple[Wait | None, int]:
    """The wait the clock shows (the open one, else the last breached, else the last),
    and how many breached."""
    known = [e for e in events if e.at <= now]
    found = [one_wait(plan, created, known, s, e, now, target) for s, e in waits(created, known)]
    if not found:
        return None, 0
    breached = [w for w in found if w.state == "breached"]
    last_open = waits(created, known)[-1][1] is None
    if last_open:
        return found[-1], len(breached)
    return (breached[-1] if breached else found[-1]), len(breached)
