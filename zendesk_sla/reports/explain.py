"""`explain --ticket ID`: one stored ticket's decisions, step by step, for a support lead.

Reads the worker's state only (no request to Zendesk): the ticket as last
exported, its events, its organization, and the ticket field map the worker
recorded when it last ran; then asks the core for the same decisions a cycle
makes and shows them with their reasons.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from zendesk_sla.config import Config
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.explain import explain_clocks, explain_history, iso_z
from zendesk_sla.core.plan_ticket import decide
from zendesk_sla.store import StateStore
from zendesk_sla.sync.timelines import load_orgs, ticket_facts

FIELD_MAP_KEY = "fields:ticket"


class UnknownTicket(Exception):
    """The ticket is not in the worker's state."""


def explain_ticket(
    store: StateStore, config: Config, ticket_id: int, now: datetime
) -> tuple[list[str], dict[str, Any]]:
    """Text lines and the same as data."""
    policy = config.policy
    row = store.tickets([ticket_id]).get(ticket_id)
    if row is None:
        raise UnknownTicket(f"ticket {ticket_id} is not in the worker's state (run the worker)")
    statuses = store.status_changes([ticket_id]).get(ticket_id, [])
    comments = store.comments([ticket_id]).get(ticket_id, [])
    roles = store.roles([row.submitter_id] if row.submitter_id else [])
    ids = json.loads(store.get(FIELD_MAP_KEY) or "{}")
    names = {str(fid): name for name, fid in ids.items()}
    facts = ticket_facts(row, statuses, comments, roles, names)
    org_id = row.organization_id
    org = load_orgs(store, config, [org_id]).get(org_id) if org_id is not None else None
    decision = decide(
        policy, facts, org, None, now, quota=store.quota_marks([ticket_id]).get(ticket_id)
    )
    lines = [f"Ticket #{ticket_id}: {row.subject!r} ({row.status}, via {row.via_channel})."]
    if org is None:
        lines.append("Organization: none recorded: no support plan.")
    else:
        lines.append(
            f"Organization {org.name or org.id} (#{org.id}): plan {org.plan or 'none'} "
            f"(its Zendesk field, or the YAML override), {len(org.authorized)} authorized contacts."
        )
    data: dict[str, Any] = {
        "ticket_id": ticket_id,
        "plan": decision.plan,
        "eligible": decision.eligible,
        "reasons": list(decision.reasons),
    }
    if not decision.eligible:
        lines.append(f"No SLA: {'; '.join(decision.reasons)}.")
    if decision.severity is not None and decision.plan is not None:
        sev = decision.severity
        review = " (flagged for review)" if sev.review else ""
        lines.append(f"Severity {sev.severity} from {sev.source}: {sev.reason}{review}.")
        data["severity"] = {"severity": sev.severity, "source": sev.source, "reason": sev.reason}
        third_party = policy.tags.third_party in facts.tags
        terms = policy.in_force(facts.created_at)
        if terms.terms != policy.latest().terms:
            lines.append(f"Judged by the contract terms in force at its creation: {terms.terms}.")
        data["terms"] = terms.terms
        clocks = sla_clocks(
            terms, decision.plan, sev.severity, facts.timeline, now, third_party=third_party
        )
        lines += explain_history(terms, decision.plan, sev.severity, facts.timeline)
        lines += explain_clocks(terms, decision.plan, clocks, facts.timeline.until(epoch(now)), now)
        data["clocks"] = {
            c.kind: {"state": c.state, "due": iso_z(c.due), "elapsed_seconds": c.elapsed_seconds}
            for c in (clocks.response, clocks.resolution)
        }
    line = store.quota_line(ticket_id)
    if line is None:
        lines.append("Quota: not counted yet (its organization was not recounted).")
    else:
        year, state, position = line
        where = f", ticket {position} of the year" if position else ""
        lines.append(f"Quota: {state} in the quota year from {year}{where}.")
        data["quota"] = {"year_start": year, "state": state, "position": position}
    pending = sorted(
        t
        for t in decision.tags
        if t in (policy.tags.pending_notice, policy.tags.closed_no_response)
    )
    planned = [n.key for n in decision.notes if n.public]
    if pending or planned or row.status == "pending":
        lines.append(
            f"Pending closure: tags {pending or 'none'}, notices due now {planned or 'none'}."
        )
    data["pending"] = {"tags": pending, "notices_due": planned}
    return lines, data
