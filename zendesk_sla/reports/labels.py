"""The severities agents set on tickets (the SLA severity field, an `sla_sev_*` tag), read
from the worker's state: labels for `severity train --from-state`, and the other side of
the confusion `report severity` shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from zendesk_sla.config import Config
from zendesk_sla.core.classification import agent_severity
from zendesk_sla.core.text_severity import ticket_text
from zendesk_sla.store import StateStore


@dataclass(frozen=True)
class AgentLabel:
    ticket_id: int
    severity: str
    set_by: str  # field or tag
    subject: str
    text: str  # what the classifier reads: the subject, then the description


def agent_labels(store: StateStore, config: Config) -> Iterator[AgentLabel]:
    prefix = config.policy.tags.severity_input_prefix
    field_ids = json.loads(store.get("fields:ticket") or "{}")
    severity_field = str(field_ids.get("severity", ""))
    ids = store.live_ticket_ids()
    for start in range(0, len(ids), 1000):
        tickets = store.tickets(ids[start : start + 1000])
        for ticket_id in sorted(tickets):
            ticket = tickets[ticket_id]
            value = ticket.custom_fields.get(severity_field)
            found = agent_severity(str(value) if value else None, ticket.tags, prefix)
            if found is None:
                continue
            text = ticket_text(ticket.subject, ticket.description)
            yield AgentLabel(ticket.id, found[0], found[1], ticket.subject, text)
