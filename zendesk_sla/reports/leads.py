"""Reports for support leads, from the worker's state: quota, contacts, rejects.

Each report is a list of rows (dicts); `reports.render` prints them as a table, JSON,
CSV, or a self-contained HTML page. SLA compliance has its own module
(`reports.compliance`), with charts; severity against agents, `reports.labels`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from zendesk_sla.config import Config
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
