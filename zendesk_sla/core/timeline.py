"""A ticket's history as the SLA clocks need it: status spells and comments.

Instants inside a timeline are whole epoch seconds (Zendesk's resolution): a history
of 100k tickets holds about a million of them, and the clocks do arithmetic on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from zendesk_sla.core.calendar import epoch

AGENT_ROLES = frozenset({"agent", "admin"})

Spell = tuple[int, int, str]  # [start, end) in epoch seconds, and the status meanwhile


# Tuples: a history of 100k tickets holds about a million of them.
class StatusChange(NamedTuple):
    at: int  # epoch seconds
    status: str


class Comment(NamedTuple):
    at: int  # epoch seconds
    public: bool
    author_role: str  # "end-user", "agent" or "admin"
    automated: bool = False  # written by a trigger or an automation
    author_id: int | None = None

    @property
    def is_agent_reply(self) -> bool:
        return self.public and not self.automated and self.author_role in AGENT_ROLES


@dataclass(frozen=True)
class Timeline:
    """Creation, every status change in order (the first is the initial status), comments."""

    created_at: datetime
    statuses: tuple[StatusChange, ...]
    comments: tuple[Comment, ...] = ()
    created: int = field(init=False, repr=False, compare=False)  # created_at, epoch seconds

    def __post_init__(self) -> None:
        object.__setattr__(self, "created", epoch(self.created_at))

    @property
    def status(self) -> str:
        return self.statuses[-1].status if self.statuses else "new"

    def spells(self, horizon: int) -> list[Spell]:
        """(start, end, status) for each status spell, clipped at `horizon`: nothing after it."""
        created = self.created
        changes = self.statuses or (StatusChange(created, "new"),)
        out: list[Spell] = []
        last = len(changes) - 1
        for i, change in enumerate(changes):
            start = change.at if change.at > created else created
            end = changes[i + 1].at if i < last else horizon
            end = min(end, horizon)
            if start < end:
                out.append((start, end, change.status))
        return out

    def status_at(self, moment: int) -> str:
        """The status at `moment` (a change at `moment` has happened)."""
        current = self.statuses[0].status if self.statuses else "new"
        for change in self.statuses:
            if change.at > moment:
                break
            current = change.status
        return current

    def until(self, moment: int) -> Timeline:
        """The history as it was known at `moment`: later changes and comments left out."""
        statuses, comments = self.statuses, self.comments
        if all(c.at <= moment for c in statuses) and all(c.at <= moment for c in comments):
            return self
        kept = tuple(c for c in statuses if c.at <= moment)
        if not kept and statuses:
            kept = statuses[:1]  # the initial status, even before creation
        return Timeline(self.created_at, kept, tuple(c for c in comments if c.at <= moment))

    def after_opening(self) -> tuple[Comment, ...]:
        """The comments but the opening one: the first (comments are in order), when it
        is not later than the creation. A reply in the same second as the creation is a
        reply (it was taken for the opening comment)."""
        comments = self.comments
        if comments and comments[0].at <= self.created:
            return comments[1:]
        return comments

    def first_agent_reply(self) -> int | None:
        """First public, non-automated agent comment that is not the opening comment."""
        return min((c.at for c in self.after_opening() if c.is_agent_reply), default=None)

    def final_solve(self) -> int | None:
        """When the ticket was last solved, if it is solved or closed now."""
        if self.status not in ("solved", "closed"):
            return None
        solved = None
        for change in self.statuses:
            if change.status in ("solved", "closed"):
                solved = change.at if solved is None else solved
            else:
                solved = None
        return solved

    def first_solve(self) -> int | None:
        return next((c.at for c in self.statuses if c.status in ("solved", "closed")), None)

    def last_customer_comment(self) -> int | None:
        return max(
            (c.at for c in self.after_opening() if c.author_role == "end-user"), default=None
        )
