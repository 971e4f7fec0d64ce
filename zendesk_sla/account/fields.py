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
    "quota_year": "text",
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
    active = [f for f in gateway.fields("ticket") if f.get("active", True)]
    for ticket_field, wanted_title in config.fields.ticket_fields.items():
        if isinstance(wanted_title, int):  # pinned by id: the admin made it; nothing to create
            out.append(Provisioned("ticket", f"#{wanted_title}", wanted_title, False))
            continue
        matches = [f for f in active if f.get("title") == wanted_title]
        created = not matches
        if matches:
            found = matches[0]
        else:
            found = gateway.create_field("ticket", _ticket_spec(ticket_field, wanted_title))
        out.append(Provisioned("ticket", wanted_title, int(found["id"]), created))
    plans = list(config.policy.plans)
    for kind, wanted in (
        (
            "organization",
            {k: (v, ORG_TYPES[k]) for k, v in config.fields.organization_fields.items()},
        ),
        ("user", {k: (v, "checkbox") for k, v in config.fields.user_fields.items()}),
    ):
        keys = {f.get("key"): f for f in gateway.fields(kind) if f.get("active", True)}
        for logical, (key, ftype) in wanted.items():
            existing = keys.get(key)
            created = existing is None
            if existing is None:
                spec: dict[str, Any] = {
                    "type": ftype,
                    "key": key,
                    "title": logical.replace("_", " ").capitalize(),
                }
                if ftype == "dropdown":
                    spec["custom_field_options"] = [
                        {"name": p.capitalize(), "value": p} for p in plans
                    ]
                existing = gateway.create_field(kind, spec)
            out.append(Provisioned(kind, key, int(existing["id"]), created))
    return out
