"""SLA compliance: tickets' clock verdicts counted per organization, plan, severity and month.

Response and resolution are counted apart. A judged clock is met, breached or
over target (a best-effort target passed: shown, never a breach); rates are
shares of the judged ones. Clocks still running are "open"; those at risk, or
past their due time, are listed with their due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

KINDS = ("response", "resolution")
GROUPINGS = ("organization", "plan", "severity", "month")
JUDGED = ("met", "breached", "over_target")
RUNNING = ("running", "at_risk", "paused")


@dataclass(frozen=True)
class TicketVerdict:
    """One ticket as the worker last judged it."""

    ticket_id: int
    org_id: int | None
    organization: str  # its display name ("-" when none)
    plan: str
    severity: str
    month: str  # creation month in the support team's zone, YYYY-MM
    states: Mapping[str, str | None]  # kind -> clock state
    dues: Mapping[str, datetime | None]  # kind -> due time


@dataclass(frozen=True)
class Filters:
    org_id: int | None = None
    plan: str | None = None
    severity: str | None = None
    month: str | None = None  # YYYY-MM
    year: int | None = None

    def keep(self, v: TicketVerdict) -> bool:
        return (
            self.org_id in (None, v.org_id)
            and self.plan in (None, v.plan)
            and self.severity in (None, v.severity)
            and self.month in (None, v.month)
            and (self.year is None or v.month.startswith(f"{self.year}-"))
        )


@dataclass(frozen=True)
class ClockCounts:
    met: int = 0
    breached: int = 0
    over_target: int = 0
    open: int = 0

    @property
    def judged(self) -> int:
        return self.met + self.breached + self.over_target

    def rate(self, state: str) -> float | None:
        return round(getattr(self, state) / self.judged, 4) if self.judged else None


@dataclass(frozen=True)
class Group:
    key: tuple[str, ...]  # values of the grouping columns, in order
    tickets: int
    counts: Mapping[str, ClockCounts]  # kind -> counts
    breached_ids: Mapping[str, tuple[int, ...]]  # kind -> ticket ids


@dataclass(frozen=True)
class AtRisk:
    ticket_id: int
    organization: str
    plan: str
    severity: str
    kind: str
    due: datetime
    state: str  # "at_risk", or "due_passed": a breach at the next business second


@dataclass(frozen=True)
class Compliance:
    by: tuple[str, ...]
    groups: tuple[Group, ...]
    total: Group
    at_risk: tuple[AtRisk, ...] = field(default=())


def _tally(verdicts: Sequence[TicketVerdict], key: tuple[str, ...]) -> Group:
    counts: dict[str, ClockCounts] = {}
    breached: dict[str, tuple[int, ...]] = {}
    for kind in KINDS:
        states = [v.states.get(kind) for v in verdicts]
        counts[kind] = ClockCounts(
            met=states.count("met"),
            breached=states.count("breached"),
            over_target=states.count("over_target"),
            open=sum(s in RUNNING for s in states),
        )
        breached[kind] = tuple(
            sorted(v.ticket_id for v in verdicts if v.states.get(kind) == "breached")
        )
    return Group(key, len(verdicts), counts, breached)


def compliance(
    verdicts: Iterable[TicketVerdict],
    by: Sequence[str],
    now: datetime,
    filters: Filters = Filters(),
) -> Compliance:
    unknown = sorted(set(by) - set(GROUPINGS))
    if unknown:
        raise ValueError(f"cannot group by {', '.join(unknown)} (choose from {GROUPINGS})")
    kept = [v for v in verdicts if filters.keep(v)]
    buckets: dict[tuple[str, ...], list[TicketVerdict]] = {}
    for v in kept:
        buckets.setdefault(tuple(getattr(v, name) for name in by), []).append(v)
    groups = tuple(_tally(buckets[key], key) for key in sorted(buckets))
    return Compliance(tuple(by), groups, _tally(kept, ()), at_risk_now(kept, now))


def at_risk_now(verdicts: Iterable[TicketVerdict], now: datetime) -> tuple[AtRisk, ...]:
    """Running clocks at risk, or past their due time: soonest due first."""
    found = []
    for v in verdicts:
        for kind in KINDS:
            state, due = v.states.get(kind), v.dues.get(kind)
            if due is None or state not in ("running", "at_risk"):
                continue
            if due <= now:  # a due at closing breaches only when the desk opens again
                state = "due_passed"
            if state in ("at_risk", "due_passed"):
                found.append(
                    AtRisk(v.ticket_id, v.organization, v.plan, v.severity, kind, due, state)
                )
    return tuple(sorted(found, key=lambda a: (a.due, a.ticket_id, a.kind)))
