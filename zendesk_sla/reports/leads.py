"""Reports for support leads, from the worker's state: quota, contacts, rejects, severity.

Each report is a list of rows (dicts); `reports.render` prints them as a table, JSON,
CSV, or a self-contained HTML page. SLA compliance has its own module
(`reports.compliance`), with charts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from zendesk_sla.config import Config
from zendesk_sla.core.severities import SEVERITIES
from zendesk_sla.core.text_severity import text_severity, ticket_text
from zendesk_sla.reports.render import Row
from zendesk_sla.store import StateStore
from zendesk_sla.sync.timelines import load_orgs

STAMP = "%Y-%m-%d %H:%M"


def quota_report(store: StateStore, config: Config, org: int | None, year: int | None) -> list[Row]:
    orgs = load_orgs(store, config, store.all_org_ids())
    rows = []
    for org_id, start, end, included, used, grace, exempt in store.quota_years():
        if (org is not None and org_id != org) or (year is not None and int(start[:4]) != year):
            continue
        facts = orgs.get(org_id)
        plan = facts.plan if facts else None
        set_up = plan in config.policy.plans
        rows.append(
            {
                "org_id": org_id,
                "organization": facts.name if facts else "",
                "plan": plan,
                "state": "ok" if set_up else "not set up (plan not configured)",
                "year_start": start,
                "year_end": end,
                "included": included if set_up else None,
                "used": used,
                "remaining": None if included is None or not set_up else included - used,
                "grace": grace,
                "exempt": exempt,
            }
        )
    return rows


def severity_report(store: StateStore, config: Config) -> list[Row]:
    """Tickets whose agent-set severity (field or tag) differs from what the text gives, with
    the text rules that fired: the corrections a lead can learn the YAML rules from."""
    policy = config.policy
    prefix = policy.tags.severity_input_prefix
    field_ids = json.loads(store.get("fields:ticket") or "{}")
    severity_field = str(field_ids.get("severity", ""))
    rows: list[Row] = []
    ids = store.live_ticket_ids()
    for start in range(0, len(ids), 1000):
        for ticket in store.tickets(ids[start : start + 1000]).values():
            value = str(ticket.custom_fields.get(severity_field) or "").removeprefix(prefix)
            tagged = sorted(t.removeprefix(prefix) for t in ticket.tags if t.startswith(prefix))
            agent, how = (value, "field") if value in SEVERITIES else (None, "")
            if agent is None and tagged and tagged[0] in SEVERITIES:
                agent, how = tagged[0], "tag"
            if agent is None:
                continue
            verdict = text_severity(
                ticket_text(ticket.subject, ticket.description), policy.severity.text
            )
            if verdict.severity is None or verdict.severity == agent:
                continue
            rows.append(
                {
                    "ticket_id": ticket.id,
                    "agent_severity": agent,
                    "set_by": how,
                    "text_severity": verdict.severity,
                    "text_rules": "; ".join(
                        h.pattern for h in verdict.hits if h.severity == verdict.severity
                    )[:200],
                    "subject": ticket.subject[:80],
                }
            )
    return sorted(rows, key=lambda r: (r["agent_severity"], r["text_severity"], r["ticket_id"]))


def rejects_report(store: StateStore) -> list[Row]:
    """What Zendesk sent that the worker could not read: skipped records, ignored fields."""
    return [
        {
            **row,
            "first_seen": datetime.fromtimestamp(row["first_seen"], UTC).strftime(STAMP),
            "last_seen": datetime.fromtimestamp(row["last_seen"], UTC).strftime(STAMP),
        }
        for row in store.rejects()
    ]


def contacts_report(store: StateStore, config: Config, org: int | None) -> list[Row]:
    ids = [o for o in store.all_org_ids() if org is None or o == org]
    orgs = load_orgs(store, config, ids)
    rows = []
    for org_id, facts in sorted(orgs.items()):
        plan = config.policy.plans.get(facts.plan or "")
        cap = plan.max_contacts if plan else None
        count = len(facts.authorized)
        if facts.plan and plan is None:
            state = "not set up (plan not configured)"
        elif plan is None or not plan.has_support:
            state = "no support plan"
        elif count == 0:
            state = "not set up"
        elif cap is not None and count > cap:
            state = "over cap"
        else:
            state = "ok"
        rows.append(
            {
                "org_id": org_id,
                "organization": facts.name,
                "plan": facts.plan,
                "authorized": count,
                "cap": cap,
                "state": state,
            }
        )
    return rows
