"""A ticket's history as the SLA clocks need it: status spells and comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

AGENT_ROLES = frozenset({"agent", "admin"})


# Tuples: a history of 100k tickets holds about a million of them.
class StatusChange(NamedTuple):
    at: datetime
    status: str


class Comment(NamedTuple):
    at: datetime
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

    @property
    def status(self) -> str:
        return self.statuses[-1].status if self.statuses else "new"

    def spells(self, horizon: datetime) -> list[tuple[datetime, datetime, str]]:
        """(start, end, status) for each status spell, clipped at `horizon`: nothing after it."""
        changes = list(self.statuses) or [StatusChange(self.created_at, "new")]
        bounds = [max(c.at, self.created_at) for c in changes]
        ends = [*bounds[1:], max(horizon, bounds[-1])]
        return [
            (b, min(e, horizon), c.status)
            for b, e, c in zip(bounds, ends, changes, strict=True)
            if b < min(e, horizon)
        ]

    def status_at(self, moment: datetime) -> str:
        """The status at `moment` (a change at `moment` has happened)."""
        current = self.statuses[0].status if self.statuses else "new"
        for change in self.statuses:
            if change.at > moment:
                break
            current = change.status
        return current

    def until(self, moment: datetime) -> Timeline:
        """The history as it was known at `moment`: later changes and comments left out."""
        statuses = tuple(c for c in self.statuses if c.at <= moment)
        if not statuses and self.statuses:
            statuses = self.statuses[:1]  # the initial status, even before creation
        comments = tuple(c for c in self.comments if c.at <= moment)
        if len(statuses) == len(self.statuses) and len(comments) == len(self.comments):
            return self
        return Timeline(self.created_at, statuses, comments)

    def first_agent_reply(self) -> datetime | None:
        """First public, non-automated agent comment that is not the opening comment."""
        created = self.created_at
        return min(
            (
                c.at
                for c in self.comments
                if c.public and not c.automated and c.author_role in AGENT_ROLES and c.at > created
            ),
            default=None,
        )

    def final_solve(self) -> datetime | None:
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

    def first_solve(self) -> datetime | None:
        return next((c.at for c in self.statuses if c.status in ("solved", "closed")), None)

    def last_customer_comment(self) -> datetime | None:
        return max(
            (c.at for c in self.comments if c.author_role == "end-user" and c.at > self.created_at),
            default=None,
        )
