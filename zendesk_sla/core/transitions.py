"""When a ticket's state next changes with time alone: at risk, breach (or over target),
the pending notice, the close.

The worker records this moment per ticket and wakes up for the earliest one, so a
tag lands at the exact moment instead of at the next periodic sweep. Changes
made by people (a reply, a status change) come with the poll, not from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from zendesk_sla.core.calendar import BusinessCalendar
from zendesk_sla.core.clocks import Clock, SlaClocks


def clock_transition(calendar: BusinessCalendar, clock: Clock, now: datetime) -> datetime | None:
    """The next moment this running clock changes state: at risk, then past its target
    (the first business second beyond it). None when it is paused, done or has none."""
    if clock.state not in ("running", "at_risk") or clock.target_seconds is None:
        return None
    elapsed = clock.elapsed_seconds
    moments = [calendar.add(now, clock.target_seconds - elapsed + 1)]
    threshold = clock.at_risk_after
    if clock.state == "running" and threshold is not None and elapsed < threshold:
        moments.append(calendar.add(now, math.ceil(threshold - elapsed)))
    return min(moments)


def next_transition(
    calendar: BusinessCalendar | None,
    clocks: SlaClocks | None,
    others: Iterable[datetime | None],
    now: datetime,
) -> datetime | None:
    """The earliest moment after `now` among the clocks' transitions and `others` (the
    pending-closure steps)."""
    moments = [m for m in others if m is not None]
    if calendar is not None and clocks is not None:
        for clock in clocks.all:
            moment = clock_transition(calendar, clock, now)
            if moment is not None:
                moments.append(moment)
    later = [m for m in moments if m > now]
    return min(later, default=None)
