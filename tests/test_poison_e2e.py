"""Nothing poisoned: records Zendesk sends that the worker cannot read are skipped alone,
named once, and every good ticket is still processed in the same cycle."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.test_sync_e2e import sla_tags
from tests.worker_fixtures import AppFactory

Edit = Callable[[dict[str, Any]], None]

TICKET_POISONS: dict[str, Edit] = {
    "id >= 2^63": lambda t: t.update(id=2**63 + 5),
    "organization_id >= 2^63": lambda t: t.update(organization_id=2**64),
    "generated_timestamp >= 2^63": lambda t: t.update(generated_timestamp=2**63),
    "lone surrogate in the subject": lambda t: t.update(subject="Caída \ud800 total"),
    "priority as an object": lambda t: t.update(priority={"name": "urgent"}),
    "priority as a list": lambda t: t.update(priority=["high"]),
    "created_at in year 1": lambda t: t.update(created_at="0001-01-01T00:00:00Z"),
    "created_at in year 9999": lambda t: t.update(created_at="9999-12-31T23:59:59Z"),
    "status as a number": lambda t: t.update(status=3),
    "tags as text": lambda t: t.update(tags="vip"),
    "custom field value >= 2^63": lambda t: t.update(custom_fields=[{"id": 5, "value": 2**70}]),
    "custom field id as text": lambda t: t.update(custom_fields=[{"id": "x", "value": 1}]),
    "requester_id as a boolean": lambda t: t.update(requester_id=True),
    "the ticket is a list": lambda t: t.clear(),
}


def test_one_record_of_each_malformed_kind_among_good_tickets_costs_only_itself(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    live = sorted(
        (t for t in account.tickets.values() if t.status not in ("closed", "deleted")),
        key=lambda t: t.id,
    )
    poisoned = {}
    for ticket, (kind, edit) in zip(live, TICKET_POISONS.items(), strict=False):
        data = ticket.to_json(sandbox.url)
        edit(data)
        body = json.dumps(data if data else []).encode()
        ticket.cache[True] = ticket.cache[False] = body  # what the export will send
        poisoned[ticket.id] = kind
    orgs = sorted(account.organizations.values(), key=lambda o: o.id)
    orgs[0].external_id = {"erp": 1}  # type: ignore[assignment]
    orgs[1].organization_fields["ticket_bundles"] = "2026:abc, 2027:-5"
    orgs[2].organization_fields["contract_start"] = "2026-13-45"
    users = [u for u in account.users.values() if u.role == "end-user"]
    users[0].name = "Ana \udc00 Pérez"
    users[1].user_fields["sla_authorized_contact"] = "yes"
    audit = next(a for a in account.audits if a.ticket_id not in poisoned)
    event = audit.to_event_json(True)
    event["timestamp"] = 2**63  # an absurd event time, as the export would send it
    for key in [(True, "export"), (False, "export")]:  # (with comments, shape) as served
        audit.cache[key] = json.dumps(event).encode()

    app = make_app()
    summary = app.worker().run_cycle()
    assert summary.error is None
    tags = sla_tags(sandbox)
    good = [tid for tid in tags if tid not in poisoned]
    assert good and all(tags[tid] for tid in good)  # every good ticket classified, one cycle
    rejects = app.store.rejects()
    kinds = {(r["kind"], r["field"]) for r in rejects}
    assert ("ticket", "(record skipped)") in kinds
    assert ("ticket", "subject") in kinds  # cleaned, kept
    assert ("ticket", "priority") in kinds  # ignored, kept
    assert ("orgs", "external_id") in kinds
    assert ("orgs", "organization_fields.ticket_bundles") in kinds
    assert ("orgs", "organization_fields.contract_start") in kinds
    assert ("users", "user_fields.sla_authorized_contact") in kinds
    assert ("event", "(record skipped)") in kinds
    before = len(rejects)
    again = app.worker().run_cycle()  # the same bad records: not logged twice
    assert again.error is None
    assert len(app.store.rejects()) == before
