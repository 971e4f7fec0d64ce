"""The plan's data: notes to post, the wanted state of a ticket, and the write that gets there.

Plain frozen dataclasses, made by the core and applied by the shell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from zendesk_sla.core.classification import SeverityDecision
from zendesk_sla.core.clocks import SlaClocks

MARKER = "[zendesk-sla:{key}]"


@dataclass(frozen=True)
class Note:
    """A comment the worker posts once per ticket, identified by `key`."""

    key: str
    body: str
    public: bool = False

    @property
    def text(self) -> str:
        """What Zendesk receives. An internal note ends with its key, so the worker finds it
        again in the ticket; a public comment carries no machine text (POLICY 9): the
        worker knows it by its author and the tag added in the same update."""
        if self.public:
            return self.body
        return f"{self.body}\n\n{MARKER.format(key=self.key)}"


@dataclass(frozen=True)
class Decision:
    ticket_id: int
    plan: str | None
    eligible: bool  # False: no SLA (no plan, out of scope, unauthorized, channel)
    tags: frozenset[str]
    fields: Mapping[str, str | None]
    notes: tuple[Note, ...] = ()
    status: str | None = None
    severity: SeverityDecision | None = None
    clocks: SlaClocks | None = None
    reasons: tuple[str, ...] = ()
    next_at: datetime | None = None  # when time alone next changes this decision


@dataclass(frozen=True)
class TicketChange:
    """The write for one ticket: only what differs from what Zendesk holds now."""

    ticket_id: int
    updated_stamp: str
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    fields: Mapping[str, str | None] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    status: str | None = None

    @property
    def posted(self) -> tuple[Note, ...]:
        """Zendesk takes one comment per update: a public notice alone, else all private notes."""
        public = tuple(n for n in self.notes if n.public)
        return public[:1] if public else self.notes

    @property
    def comment(self) -> tuple[str, bool] | None:
        """(body, public) of this update's comment."""
        notes = self.posted
        if not notes:
            return None
        return "\n\n---\n\n".join(n.text for n in notes), notes[0].public
