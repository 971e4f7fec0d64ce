"""What the core is told about a ticket, its organization and the worker's past writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from zendesk_sla.core.timeline import Timeline

# Logical names of the ticket fields the worker reads or writes (ids live in the adapters).
SEVERITY_INPUT = "severity"
APPLIED_SEVERITY = "applied_severity"
RESPONSE_DUE = "response_due"
RESOLUTION_DUE = "resolution_due"
NEXT_DUE_LOCAL = "next_due_local"  # the sooner running due, in the team's time: sortable text
OWNED_FIELDS = (APPLIED_SEVERITY, RESPONSE_DUE, RESOLUTION_DUE, NEXT_DUE_LOCAL)


@dataclass(frozen=True)
class TicketFacts:
    id: int
    status: str
    tags: frozenset[str]
    fields: Mapping[str, str | None]  # logical field name -> current value
    priority: str | None
    subject: str
    description: str
    via_channel: str
    organization_id: int | None
    requester_id: int | None
    created_at: datetime
    updated_stamp: str
    timeline: Timeline
    requester_name: str = ""
    requester_locale: str = ""  # the requester's language in Zendesk, for customer texts
    created_by_agent: bool = False  # an agent opened it on the customer's behalf (POLICY 7)


@dataclass(frozen=True)
class OrgFacts:
    id: int
    plan: str | None
    authorized: frozenset[int] = frozenset()
    name: str = ""
    contract_start: date | None = None
    go_lives: tuple[tuple[str | None, date], ...] = ()  # (project name, go-live date)
    bundles: Mapping[int, int] = field(default_factory=dict)  # quota year -> extra tickets

    @property
    def set_up(self) -> bool:
        """POLICY 7: an organization with no authorized contacts recorded is not set up."""
        return bool(self.authorized)


@dataclass(frozen=True)
class Previous:
    """What the worker last applied to the ticket (None before its first write)."""

    plan: str | None
    severity: str | None


@dataclass(frozen=True)
class QuotaMark:
    """The quota ledger's word on a ticket: past the included tickets?, notes to post."""

    exceeded: bool = False
    notes: tuple[tuple[str, str], ...] = ()  # (key, text)
