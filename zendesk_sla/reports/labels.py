"""The severities agents set on tickets (the SLA severity field, an `sla_sev_*` tag), read
from the worker's state: labels for `severity train --from-state`, and the other side of
the confusion `report severity` shows."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from zendesk_sla.config import Config
from zendesk_sla.core.classification import agent_severity
from zendesk_sla.core.severities import SEVERITIES
from zendesk_sla.core.text_severity import text_severity, ticket_text
from zendesk_sla.reports.render import Row
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


def severity_report(store: StateStore, config: Config) -> list[Row]:
    """Tickets whose agent-set severity differs from what the text gives, with the rules
    that fired and the words that weighed: the corrections to learn from."""
    rows: list[Row] = []
    for label in agent_labels(store, config):
        verdict = text_severity(label.text, config.policy.severity.text)
        if verdict.severity is None or verdict.severity == label.severity:
            continue
        rows.append(
            {
                "ticket_id": label.ticket_id,
                "agent_severity": label.severity,
                "set_by": label.set_by,
                "text_severity": verdict.severity,
                "text_chance": None if verdict.chance is None else round(verdict.chance, 2),
                "text_rules": "; ".join(
                    h.pattern for h in verdict.hits if h.severity == verdict.severity
                )[:200],
                "text_words": ", ".join(verdict.phrases)[:200],
                "subject": label.subject[:80],
            }
        )
    return sorted(rows, key=lambda r: (r["agent_severity"], r["text_severity"], r["ticket_id"]))


def severity_confusion(store: StateStore, config: Config) -> list[Row]:
    """How the text's severity (rules and model) compares with the agents' on every ticket
    an agent rated: a row per agent severity, a column per text severity, and agreement."""
    counts: Counter[tuple[str, str]] = Counter()
    for label in agent_labels(store, config):
        verdict = text_severity(label.text, config.policy.severity.text)
        counts[(label.severity, verdict.severity or "none")] += 1
    rows: list[Row] = []
    for agent in SEVERITIES:
        row: Row = {"agent_severity": agent}
        row.update({f"text_{text}": counts[(agent, text)] for text in (*SEVERITIES, "none")})
        total = sum(counts[(agent, t)] for t in (*SEVERITIES, "none"))
        row["tickets"] = total
        row["agreement"] = f"{counts[(agent, agent)] / total:.0%}" if total else "-"
        rows.append(row)
    return rows
