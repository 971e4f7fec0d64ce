"""The yearly ticket quota (POLICY.md section 8): quota years, go-live grace, the ledger.

Tickets are ordered by creation time (then id) and counted afresh on every run, so
re-runs and backfills give the same ledger, and a ticket later found exempt
frees its unit.
"""

from __future__ import annotations

import calendar as cal
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

QuotaState = Literal["counted", "grace", "exempt", "exceeded"]


@lru_cache(maxsize=16_384)  # go-lives and contract starts: asked again for every ticket
def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = cal.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@lru_cache(maxsize=65_536)  # a pure function of two days, asked for every ticket at every recount
def quota_year(contract_start: date | None, day: date) -> tuple[date, date]:
    """[start, end) of the quota year holding `day`: the contract year, else the calendar year."""
    if contract_start is None:
        return date(day.year, 1, 1), date(day.year + 1, 1, 1)
    years = day.year - contract_start.year + 1
    while add_months(contract_start, 12 * years) > day:
        years -= 1
    return add_months(contract_start, 12 * years), add_months(contract_start, 12 * (years + 1))


def project_key(name: str) -> str:
    """A project's name as a tag names it: case, accents, spaces and punctuation aside
    (POLICY 8): "Portal Clientes", "portal_clientes" and "portal-clientes" are one."""
    folded = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded if ch.isalnum())


def in_grace(
    created: date,
    go_lives: Sequence[tuple[str | None, date]],
    months: int,
    project: str | None = None,
) -> bool:
    """Created within `months` calendar months from a go-live (its day included, not its end).

    A ticket that names a project with a go-live uses that project's; otherwise any project's.
    """
    wanted = project_key(project) if project else None
    named = [d for name, d in go_lives if wanted and name and project_key(name) == wanted]
    pool = named or [d for _, d in go_lives]
    return any(g <= created < add_months(g, months) for g in pool)


@dataclass(frozen=True)
class QuotaTicket:
    id: int
    created: date  # in the support team's time zone
    exempt: str | None = None  # why it does not count, if it does not
    project: str | None = None
    created_at: float = 0.0  # creation instant (epoch seconds): the order within a day


@dataclass(frozen=True)
class QuotaLine:
    ticket_id: int
    state: QuotaState
    year_start: date
    position: int | None = None  # 1-based among the year's counted tickets
    reason: str = ""


@dataclass(frozen=True)
class QuotaYear:
    start: date
    end: date
    included: int | None  # None: not limited
    used: int
    grace: int
    exempt: int
    crossings: Mapping[float, int]  # share of the quota -> the ticket that reached it

    @property
    def remaining(self) -> int | None:
        return None if self.included is None else self.included - self.used


@dataclass
class _Tally:
    end: date
    used: int = 0
    grace: int = 0
    exempt: int = 0
    crossings: dict[float, int] = field(default_factory=dict)


def ledger(
    tickets: Iterable[QuotaTicket],
    *,
    plan_quota: int | Callable[[date], int | None] | None,
    contract_start: date | None,
    go_lives: Sequence[tuple[str | None, date]],
    bundles: Mapping[int, int],
    grace_months: int,
    warn_ratios: Sequence[float] = (0.8, 1.0),
) -> tuple[list[QuotaLine], list[QuotaYear]]:
    """Every ticket's quota state and each quota year's totals, oldest first.

    Bundles are keyed by the calendar year in which the quota year starts. `plan_quota`
    may depend on the year's first day (the contract terms in force then).
    """

    def included(start: date) -> int | None:
        quota = plan_quota(start) if callable(plan_quota) else plan_quota
        return None if quota is None else quota + bundles.get(start.year, 0)

    lines: list[QuotaLine] = []
    years: dict[date, _Tally] = {}
    for ticket in sorted(tickets, key=lambda t: (t.created, t.created_at, t.id)):
        start, end = quota_year(contract_start, ticket.created)
        year = years.setdefault(start, _Tally(end))
        if ticket.exempt:
            year.exempt += 1
            lines.append(QuotaLine(ticket.id, "exempt", start, reason=ticket.exempt))
            continue
        if in_grace(ticket.created, go_lives, grace_months, ticket.project):
            year.grace += 1
            lines.append(QuotaLine(ticket.id, "grace", start, reason="go-live grace"))
            continue
        year.used += 1
        limit = included(start)
        if limit:
            for ratio in warn_ratios:
                if ratio not in year.crossings and year.used >= ratio * limit:
                    year.crossings[ratio] = ticket.id
        state: QuotaState = "exceeded" if limit is not None and year.used > limit else "counted"
        lines.append(
            QuotaLine(ticket.id, state, start, year.used, f"{year.used} of {limit or 'unlimited'}")
        )
    totals = [
        QuotaYear(start, t.end, included(start), t.used, t.grace, t.exempt, dict(t.crossings))
        for start, t in sorted(years.items())
    ]
    return lines, totals
