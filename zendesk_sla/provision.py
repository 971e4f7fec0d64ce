"""`zendesk-sla setup`: create the ticket, organization and user fields the worker needs.

Idempotent: existing fields (ticket fields by title, the others by key) are
kept as they are; only missing ones are created.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zendesk_sla.config import Config
from zendesk_sla.core.policy import SEVERITIES
from zendesk_sla.zendesk.gateway import ZendeskGateway

ORG_TYPES = {
    "plan": "dropdown",
    "contract_start": "date",
    "go_lives": "text",
    "bundles": "text",
    "quota_used": "integer",
    "quota_included": "integer",
    "quota_remaining": "integer",
}


@dataclass(frozen=True)
class Provisioned:
    kind: str
    name: str
    field_id: int
    created: bool


def _ticket_spec(logical: str, title: str) -> dict[str, Any]:
    if logical == "severity":
        options = [{"name": s.capitalize(), "value": f"sla_sev_{s}"} for s in SEVERITIES]
        return {"type": "tagger", "title": title, "custom_field_options": options}
    return {"type": "text", "title": title}


def provision(gateway: ZendeskGateway, config: Config) -> list[Provisioned]:
    out: list[Provisioned] = []
    existing = {f["title"]: f for f in gateway.fields("ticket")}
    for ticket_field, title in config.fields.ticket_fields.items():
        found = existing.get(title)
        created = found is None
        if found is None:
            found = gateway.create_field("ticket", _ticket_spec(ticket_field, title))
        out.append(Provisioned("ticket", title, int(found["id"]), created))
    plans = list(config.policy.plans)
    for kind, wanted in (
        (
            "organization",
            {k: (v, ORG_TYPES[k]) for k, v in config.fields.organization_fields.items()},
        ),
        ("user", {k: (v, "checkbox") for k, v in config.fields.user_fields.items()}),
    ):
        keys = {f.get("key"): f for f in gateway.fields(kind)}
        for logical, (key, ftype) in wanted.items():
            found = keys.get(key)
            created = found is None
            if found is None:
                spec: dict[str, Any] = {
                    "type": ftype,
                    "key": key,
                    "title": logical.replace("_", " ").capitalize(),
                }
                if ftype == "dropdown":
                    spec["custom_field_options"] = [
                        {"name": p.capitalize(), "value": p} for p in plans
                    ]
                found = gateway.create_field(kind, spec)
            out.append(Provisioned(kind, key, int(found["id"]), created))
    return out
