"""One SLA clock: what it says at a moment (state, target, due time, pauses) and how it
runs over a ticket's timeline in business time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from zendesk_sla.core.calendar import BusinessCalendar, from_epoch
from zendesk_sla.core.policy import ClockKind
from zendesk_sla.core.timeline import Spell, Timeline

PAUSED_STATUSES = frozenset({"pending", "hold", "solved", "closed"})

ClockState = Literal[
    "none",  # no target on this plan
    "exempt",  # the target does not apply (third party)
    "running",
    "at_risk",
    "paused",
    "met",
    "breached",
    "over_target",  # a best-effort target passed: shown, never a breach
]


@dataclass(frozen=True)
class Clock:
    kind: ClockKind
    state: ClockState
    target_seconds: int | None = None
    best_effort: bool = False
    due: datetime | None = None
    elapsed_seconds: int = 0
    stopped_at: datetime | None = None
    pauses: tuple[Spell, ...] = ()  # epoch seconds
    at_risk_after: float | None = None  # business seconds elapsed from which it is at risk

    @property
    def remaining_seconds(self) -> int | None:
        if self.target_seconds is None:
            return None
        return self.target_seconds - self.elapsed_seconds


def run_clock(
    calendar: BusinessCalendar,
    kind: ClockKind,
    target_seconds: int,
    timeline: Timeline,
    stop: int | None,
    now: int,
    *,
    best_effort: bool = False,
    at_risk_ratio: float = 0.75,
    at_risk_after: float | None = None,
    since: int | None = None,
) -> Clock:
    """One clock at `now`; `stop` is when its target was met or missed (None: still open),
    both in epoch seconds; `since`: it starts then rather than at creation (a wait for a
    next reply).

    Business time counts in the active spells up to the stop (or `now`): time
    after the stop never counts. Breached means more than the target elapsed,
    so a due time at a closing time is still met before the next opening.
    """
    horizon = min(stop, now) if stop is not None else now
    begin = timeline.created if since is None else since
    spells = [
        (max(start, begin), end, status)
        for start, end, status in timeline.spells(horizon)
        if end > begin and max(start, begin) < end
    ]
    pauses = tuple(spell for spell in spells if spell[2] in PAUSED_STATUSES)
    elapsed = 0
    due: int | None = None
    for start, end, status in spells:
        if status in PAUSED_STATUSES:
            continue
        used = calendar.elapsed_epoch(start, end)
        if due is None and elapsed + used >= target_seconds:
            due = calendar.add_epoch(start, target_seconds - elapsed)
        elapsed += used
    paused = stop is None and timeline.status_at(horizon) in PAUSED_STATUSES
    if due is None and not paused:
        # Not reached yet: the clock would reach it counting on from the stop (or now).
        due = calendar.add_epoch(max(horizon, begin), target_seconds - elapsed)

    threshold = at_risk_ratio * target_seconds if at_risk_after is None else at_risk_after
    state: ClockState
    late: ClockState = "over_target" if best_effort else "breached"
    if stop is not None:
        state = "met" if elapsed <= target_seconds else late
    elif elapsed > target_seconds:
        state = late
    elif paused:
        state = "paused"
    elif not best_effort and elapsed >= threshold:
        state = "at_risk"
    else:
        state = "running"
    return Clock(
        kind=kind,
        state=state,
        target_seconds=target_seconds,
        best_effort=best_effort,
        due=from_epoch(due) if due is not None and state != "paused" else None,
        elapsed_seconds=elapsed,
        stopped_at=from_epoch(stop) if stop is not None else None,
        pauses=pauses,
        at_risk_after=None if best_effort else threshold,
    )
