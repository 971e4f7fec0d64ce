"""Due times for a new ticket, as data (`due`) and step by step for a person (`explain`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from zendesk_sla.core.calendar import BusinessCalendar, Walk, epoch, from_epoch
from zendesk_sla.core.clocks import PAUSED_STATUSES, SlaClocks
from zendesk_sla.core.policy import ClockKind, Policy
from zendesk_sla.core.stamps import day_stamp, time_stamp
from zendesk_sla.core.timeline import Timeline

KINDS: tuple[ClockKind, ...] = ("response", "resolution")


def local_stamp(timezone: str, moment: datetime | None) -> str | None:
    """`2026-11-26 15:00` in the support team's zone: agents read it, views sort by it."""
    if moment is None:
        return None
    at = moment.astimezone(ZoneInfo(timezone))
    return f"{day_stamp(at)} {time_stamp(at)}"


def iso_z(moment: datetime | None) -> str | None:
    """UTC ISO 8601 ending in Z, the form every due time is written in."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


@dataclass(frozen=True)
class DueLine:
    kind: ClockKind
    target: str | None
    seconds: int | None
    best_effort: bool
    walk: Walk | None


def due_lines(policy: Policy, plan: str, severity: str, created: datetime) -> list[DueLine]:
    calendar = policy.calendars[plan]
    lines = []
    for kind in KINDS:
        target = policy.plans[plan].target(kind, severity)
        if target is None or not calendar.is_open_ever:
            lines.append(DueLine(kind, None, None, False, None))
            continue
        seconds = target.seconds(calendar.day_length())
        walk = calendar.walk(created, seconds)
        lines.append(DueLine(kind, str(target), seconds, target.best_effort, walk))
    return lines


def due(policy: Policy, plan: str, severity: str, created: datetime) -> dict[str, object]:
    lines = {line.kind: line for line in due_lines(policy, plan, severity, created)}
    response, resolution = lines["response"], lines["resolution"]
    return {
        "plan": plan,
        "severity": severity,
        "created": iso_z(created),
        "response_due": iso_z(response.walk.end) if response.walk else None,
        "response_best_effort": response.best_effort,
        "response_target": response.target,
        "resolution_due": iso_z(resolution.walk.end) if resolution.walk else None,
        "resolution_target": resolution.target,
        "business_hours": policy.plans[plan].has_support,
    }


def _local(at: int, zone: ZoneInfo) -> datetime:
    return from_epoch(at).astimezone(zone)


def _hours(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m" if rest else f"{hours}h"


def explain(policy: Policy, plan: str, severity: str, created: datetime) -> list[str]:
    policy = policy.in_force(created)
    calendar = policy.calendars[plan]
    zone = calendar.zone
    local = created.astimezone(zone)
    out = [
        f"Plan {plan}, severity {severity}, created {local:%a %Y-%m-%d %H:%M} {policy.timezone}"
        f" ({iso_z(created)})."
    ]
    if not calendar.is_open_ever:
        out.append(
            f"Plan {plan} has no attention hours: no SLA, the ticket is tagged "
            f"{policy.tags.no_support_plan}."
        )
        return out
    day = calendar.day_length()
    out.append(f"Business day on {plan}: {_hours(day)} ({_windows(policy, plan)}).")
    for line in due_lines(policy, plan, severity, created):
        if line.walk is None or line.seconds is None:
            out.append(f"{line.kind.capitalize()}: no target on plan {plan}.")
            continue
        effort = " (best effort: shown, never a breach)" if line.best_effort else ""
        out.append(
            f"{line.kind.capitalize()} target {line.target} = {_hours(line.seconds)} of business"
            f" time{effort}:"
        )
        walked, _ = _walk_lines(calendar, line.walk, 0)
        out += [text[2:] for text in walked]  # two spaces in, not four
        end = line.walk.end
        out.append(f"  due {end.astimezone(zone):%a %Y-%m-%d %H:%M} local = {iso_z(end)}")
    out.append("Pending and on-hold time would not count; a reopened ticket resumes its clock.")
    return out


def _windows(policy: Policy, plan: str) -> str:
    weekly = policy.plans[plan].weekly
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    days = ",".join(names[d] for d in sorted(weekly))
    any_day = next(iter(weekly.values()))
    spans = " ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in any_day)
    return f"{days} {spans}"


_CLOCK_STATES = {
    "none": "no target on this plan",
    "exempt": "does not apply (the fix depends on a third party)",
    "running": "running",
    "at_risk": "at risk",
    "paused": "paused (pending, on hold or solved)",
    "met": "met",
    "breached": "breached (more business time than the target)",
    "over_target": "over target (best effort: never a breach)",
}


def explain_history(policy: Policy, plan: str, severity: str, timeline: Timeline) -> list[str]:
    """A ticket's history as the clocks read it: statuses, and which comments count."""
    calendar = policy.calendars[plan]
    zone = calendar.zone
    created = timeline.created_at
    opens = (
        ""
        if calendar.elapsed(created, created + timedelta(seconds=1))
        else (" (outside business hours: the clocks start at the next opening)")
    )
    out = [
        f"Plan {plan}, severity {severity}, created "
        f"{created.astimezone(zone):%a %Y-%m-%d %H:%M} {policy.timezone}{opens}."
    ]
    for change in timeline.statuses:
        out.append(f"  {_local(change.at, zone):%a %Y-%m-%d %H:%M}  status {change.status}")
    for comment in timeline.comments:
        if comment.at <= timeline.created:
            kind = "opening comment (not a reply)"
        elif comment.is_agent_reply:
            kind = f"public reply by an {comment.author_role} (answers the customer)"
        elif comment.automated:
            kind = "automatic comment (trigger or automation: not a reply)"
        elif not comment.public:
            kind = "private note (not a reply)"
        else:
            kind = f"comment by the {comment.author_role}"
        out.append(f"  {_local(comment.at, zone):%a %Y-%m-%d %H:%M}  {kind}")
    return out


def _walk_lines(calendar: BusinessCalendar, walk: Walk, used: int) -> tuple[list[str], int]:
    zone = calendar.zone
    skipped = {d.day: d.reason for d in walk.skipped}
    steps = {step.day: step for step in walk.steps}
    out = []
    for when in sorted(set(skipped) | set(steps)):
        if when in skipped:
            out.append(f"    {when:%a %Y-%m-%d}  closed ({skipped[when]})")
            continue
        step = steps[when]
        used += step.seconds
        out.append(
            f"    {when:%a %Y-%m-%d}  {step.start.astimezone(zone):%H:%M}-"
            f"{step.end.astimezone(zone):%H:%M}  +{_hours(step.seconds)}  (total {_hours(used)})"
        )
    return out, used


def explain_clocks(
    policy: Policy, plan: str, clocks: SlaClocks, timeline: Timeline, now: datetime
) -> list[str]:
    """Each clock's verdict at `now`: the windows it used, its pauses, its stop and due time."""
    calendar = policy.calendars[plan]
    zone = calendar.zone
    out = [f"At {now.astimezone(zone):%a %Y-%m-%d %H:%M} {policy.timezone}:"]
    for clock in (clocks.response, clocks.resolution):
        out.append(f"{clock.kind.capitalize()}: {_CLOCK_STATES[clock.state]}.")
        if clock.target_seconds is None:
            continue
        out.append(
            f"  business time used {_hours(clock.elapsed_seconds)} of "
            f"{_hours(clock.target_seconds)}:"
        )
        horizon = min(clock.stopped_at, now) if clock.stopped_at else now
        used = 0
        for start, end, status in timeline.spells(epoch(horizon)):
            if status in PAUSED_STATUSES:
                out.append(
                    f"  paused {_local(start, zone):%a %d/%m %H:%M} - "
                    f"{_local(end, zone):%a %d/%m %H:%M} ({status}: does not count)"
                )
                continue
            seconds = calendar.elapsed_epoch(start, end)
            if seconds:
                walk = calendar.walk(from_epoch(start), seconds)
                lines, used = _walk_lines(calendar, walk, used)
                out += lines
        if clock.stopped_at is not None:
            out.append(f"  stopped {clock.stopped_at.astimezone(zone):%a %Y-%m-%d %H:%M}")
        elif clock.due is not None and clock.due > horizon:
            out.append("  still to come, if it keeps running:")
            left = calendar.elapsed(horizon, clock.due)
            lines, used = _walk_lines(calendar, calendar.walk(horizon, left), used)
            out += lines
        if clock.due is not None:
            out.append(f"  due {clock.due.astimezone(zone):%a %Y-%m-%d %H:%M} = {iso_z(clock.due)}")
    return out
