"""What the worker last applied to a ticket, read back from Zendesk when its state is lost:
its SLA notes, else its plan tag and applied severity field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from zendesk_sla.core.facts import APPLIED_SEVERITY, Previous, TicketFacts
from zendesk_sla.core.policy import Policy


def previous_from_notes(notes: Mapping[str, datetime]) -> Previous | None:
    """What the worker last applied, read from its SLA notes on the ticket (the newest wins).

    When the local state is lost, the notes Zendesk shows tell which plan and severity
    the agents were last told about, so a change is announced as a change, once.
    """
    latest: tuple[datetime, Previous] | None = None
    for key, at in notes.items():
        if key.startswith("sla-change:"):
            plan, _, severity = key.rpartition(">")[2].partition(":")
        elif key.startswith("sla:"):
            plan, _, severity = key.removeprefix("sla:").partition(":")
        else:
            continue
        if latest is None or at >= latest[0]:
            latest = (at, Previous(plan or None, severity or None))
    return latest[1] if latest else None


def previous_from_ticket(policy: Policy, ticket: TicketFacts) -> Previous | None:
    """What the worker applied, as the ticket shows it: its plan tag and its applied
    severity field (both owned by the worker). None on a ticket it never wrote."""
    prefix = policy.tags.plan_prefix
    plans = [t[len(prefix) :] for t in ticket.tags if t.startswith(prefix)]
    severity = ticket.fields.get(APPLIED_SEVERITY)
    if len(plans) != 1 or not severity:
        return None
    return Previous(plans[0], severity)
