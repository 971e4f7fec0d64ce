"""SLA clocks: response, resolution (and next-reply) due times and states from a timeline.

Both clocks run from creation in business time, stand still while the ticket is
pending, on hold or solved, and resume when it is reopened. The due time is
always recomputed from creation, so a change of severity or plan is applied to
the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.clock_state import PAUSED_STATUSES, Clock, ClockState, run_clock
from zendesk_sla.core.next_reply import next_reply_clock
from zendesk_sla.core.policy import ClockKind, Plan, Policy, Target
from zendesk_sla.core.timeline import Timeline

NO_NEXT_REPLY = Clock("next_reply", "none")  # the plan sets no next-reply target


@dataclass(frozen=True)
class SlaClocks:
    response: Clock
    resolution: Clock
    next_reply: Clock = NO_NEXT_REPLY
    next_reply_breaches: int = 0  # waits for a next reply that went past the target

    @property
    def all(self) -> tuple[Clock, Clock, Clock]:
        return self.response, self.resolution, self.next_reply

    @property
    def next_due(self) -> datetime | None:
        """The sooner due time of a clock still running (none while paused or done)."""
        running = [
            c.due for c in self.all if c.state in ("running", "at_risk") and c.due is not None
        ]
        return min(running, default=None)


def response_stop(timeline: Timeline, *, solve_stops: bool = True) -> int | None:
    """The first agent reply; with `solve_stops`, the first solve when it came before one."""
    reply = timeline.first_agent_reply()
    solve = timeline.first_solve() if solve_stops else None
    return min((t for t in (reply, solve) if t is not None), default=None)


def at_risk_after(policy: Policy, plan: Plan, severity: str, target_seconds: int) -> float:
    """Business seconds after which a clock is at risk: the plan's threshold for the
    severity (a share of the target, or a time before the due), else the plan's or the
    policy's share."""
    spec = plan.at_risk.get(severity)
    if isinstance(spec, Target):
        before = spec.seconds(policy.calendars[plan.name].day_length())
        return float(max(target_seconds - before, 0))
    ratio = spec if spec is not None else plan.at_risk_ratio
    return (policy.at_risk_ratio if ratio is None else ratio) * target_seconds


def sla_clocks(
    policy: Policy,
    plan_name: str,
    severity: str,
    timeline: Timeline,
    now: datetime,
    *,
    third_party: bool = False,
) -> SlaClocks:
    plan = policy.plans[plan_name]
    calendar = policy.calendars[plan_name]
    clocks: dict[ClockKind, Clock] = {}
    at = epoch(now)
    timeline = timeline.until(at)  # what happened after `now` is not known at `now`
    stops: dict[ClockKind, int | None] = {
        "response": response_stop(timeline, solve_stops=policy.solve_stops_response),
        "resolution": timeline.final_solve(),
    }
    for kind, stop in stops.items():
        target = plan.target(kind, severity)
        if target is None or not plan.has_support:
            clocks[kind] = Clock(kind, "none")
        elif kind == "resolution" and third_party:
            clocks[kind] = Clock(kind, "exempt")
        else:
            seconds = target.seconds(calendar.day_length())
            clocks[kind] = run_clock(
                calendar,
                kind,
                seconds,
                timeline,
                stop,
                at,
                best_effort=target.best_effort,
                at_risk_after=at_risk_after(policy, plan, severity, seconds),
            )
    waits = plan.target("next_reply", severity)
    if waits is None or not plan.has_support:
        return SlaClocks(clocks["response"], clocks["resolution"])
    seconds = waits.seconds(calendar.day_length())
    threshold = at_risk_after(policy, plan, severity, seconds)
    clock, breaches = next_reply_clock(calendar, seconds, timeline, at, threshold)
    return SlaClocks(clocks["response"], clocks["resolution"], clock, breaches)


__all__ = ["PAUSED_STATUSES", "Clock", "ClockState", "SlaClocks", "run_clock", "sla_clocks"]
