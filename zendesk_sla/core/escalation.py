"""Escalation levels: which a ticket has reached (at risk, breached, breached for some
business time more) as tags, and when time alone takes it to the next one.

The worker only tags (`sla_escalation_<level>`); `setup` makes one Zendesk trigger per
level and assignment that tells the people (assignee or group, a lead) and a webhook,
and marks the ticket `sla_escalation_<level>_avisado`: each level is sent once a ticket.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from zendesk_sla.core.calendar import BusinessCalendar
from zendesk_sla.core.clock_state import PAUSED_STATUSES, Clock
from zendesk_sla.core.clocks import SlaClocks
from zendesk_sla.core.policy import EscalationLevel as Level
from zendesk_sla.core.timeline import Timeline


def _late(clock: Clock) -> int | None:
    """Business seconds past the target (None: not breached)."""
    if clock.state != "breached" or clock.target_seconds is None:
        return None
    return clock.elapsed_seconds - clock.target_seconds


def reached(
    levels: Iterable[Level], clocks: SlaClocks, day_length: int, prefix: str
) -> frozenset[str]:
    """The tags (`prefix` + name) of the levels this ticket has reached now."""
    states = [c.state for c in clocks.all]
    late = [s for s in (_late(c) for c in clocks.all) if s is not None]
    out = set()
    for level in levels:
        if level.when == "at_risk" and ("at_risk" in states or "breached" in states):
            out.add(f"{prefix}{level.name}")
        elif level.when == "breached" and late:
            after = 0 if level.after is None else level.after.seconds(day_length)
            if max(late) > after:  # past it, as a breach is past the target
                out.add(f"{prefix}{level.name}")
    return frozenset(out)


def next_level_at(
    levels: Iterable[Level],
    clocks: SlaClocks | None,
    calendar: BusinessCalendar | None,
    now: datetime,
    timeline: Timeline,
) -> datetime | None:
    """When a running, breached clock reaches a `breached + after` level (at risk and
    breach moments are the clocks' own transitions); None without clocks, or while the
    ticket is paused (pending, on hold): its clocks stand still."""
    if clocks is None or calendar is None:
        return None
    if timeline.status_at(int(now.timestamp())) in PAUSED_STATUSES:
        return None
    day = calendar.day_length()
    moments = []
    for level in levels:
        if level.when != "breached" or level.after is None:
            continue
        for clock in clocks.all:
            late = _late(clock)
            if late is None or clock.stopped_at is not None:
                continue
            left = level.after.seconds(day) - late
            if left >= 0:
                moments.append(calendar.add(now, left + 1))
    return min(moments, default=None)
