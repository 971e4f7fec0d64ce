"""The next-reply clock: after the first response, how long the customer waits for each
next answer (a periodic-update target, off unless a plan sets `next_reply`).

A wait starts at the customer's first public comment after the agents' latest public
reply (once the first reply was given; before it, the response clock measures) and ends
at the agents' next public, non-automated reply. It counts business time like the other
clocks and stands still while the ticket is pending, on hold or solved. The clock shows
the open wait when there is one, else the worst of the past ones.
"""

from __future__ import annotations

from zendesk_sla.core.calendar import BusinessCalendar
from zendesk_sla.core.clock_state import Clock, run_clock
from zendesk_sla.core.timeline import Timeline

Wait = tuple[int, int | None]  # (the customer's comment, the reply that ended it or None)


def customer_waits(timeline: Timeline) -> list[Wait]:
    """Each wait for a next reply, in order."""
    first = timeline.first_agent_reply()
    if first is None:
        return []
    waits: list[Wait] = []
    waiting_from: int | None = None
    answered = False  # the first reply itself has been passed
    for comment in timeline.after_opening():
        if comment.at < first:
            continue
        if comment.is_agent_reply:
            if waiting_from is not None:
                waits.append((waiting_from, comment.at))
                waiting_from = None
            answered = True
        elif answered and comment.public and comment.author_role == "end-user":
            waiting_from = comment.at if waiting_from is None else waiting_from
    if waiting_from is not None:
        waits.append((waiting_from, None))
    return waits


def next_reply_clock(
    calendar: BusinessCalendar,
    target: int,
    timeline: Timeline,
    now: int,
    threshold: float,
) -> tuple[Clock, int]:
    """The open wait's clock (with none open, the last breached wait, else the last met
    one; `none` before the customer first waited for a next reply), and how many waits
    went past the target."""
    waits = customer_waits(timeline)
    if not waits:
        return Clock("next_reply", "none", target_seconds=target), 0
    clocks = [
        run_clock(
            calendar,
            "next_reply",
            target,
            timeline,
            stop,
            now,
            at_risk_after=threshold,
            since=start,
        )
        for start, stop in waits
    ]
    breached = [c for c in clocks if c.state == "breached"]
    if clocks[-1].stopped_at is None:
        return clocks[-1], len(breached)
    return (breached[-1] if breached else clocks[-1]), len(breached)
