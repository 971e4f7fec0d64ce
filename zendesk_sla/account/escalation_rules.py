"""What `setup` makes for the escalation levels: the webhook, and per level the triggers
that tell the people and the webhook once a ticket reaches it.

One trigger per level and assignment (assigned: the assignee; unassigned: the ticket's
group), each with every notification the level names, so one firing tells everyone and
marks the ticket `<level tag>_avisado` (a second trigger for the same level would find
the mark and stay silent).
"""

from __future__ import annotations

import json
from typing import Any

from zendesk_sla.config import Config
from zendesk_sla.config.schema_rules import EscalationConfig, EscalationLevelConfig
from zendesk_sla.zendesk.gateway import ZendeskGateway


def webhook_id(gateway: ZendeskGateway, escalation: EscalationConfig) -> tuple[str | None, bool]:
    """The escalation webhook's id (created when missing, matched by name), and whether
    it was created now."""
    hook = escalation.webhook
    if hook is None:
        return None, False
    for found in gateway.list_records("webhooks", "webhooks"):
        if found.get("name") == hook.name:
            return str(found["id"]), False
    spec = {
        "name": hook.name,
        "endpoint": hook.endpoint,
        "http_method": "POST",
        "request_format": "json",
        "status": "active",
        "subscriptions": ["conditional_ticket_events"],
    }
    return str(gateway.create_record("webhooks", "webhook", spec)["id"]), True


def _actions(
    level: EscalationLevelConfig, lead: int | None, hook: str | None, marker: str
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if "lead" in level.notify and lead is not None:
        out.append({"field": "notification_user", "value": [str(lead), level.subject, level.body]})
    if "webhook" in level.notify and hook is not None:
        payload = {
            "ticket_id": "{{ticket.id}}",
            "level": level.name,
            "subject": level.subject,
            "text": level.body,
            "link": "{{ticket.link}}",
        }
        out.append({"field": "notification_webhook", "value": [hook, json.dumps(payload)]})
    return [*out, {"field": "current_tags", "value": marker}]


def escalation_specs(config: Config, hook: str | None) -> list[dict[str, Any]]:
    escalation = config.raw.escalation
    if escalation is None:
        return []
    prefix = config.policy.tags.escalation_prefix
    specs = []
    for level in escalation.levels:
        tag = f"{prefix}{level.name}"
        marker = f"{tag}_avisado"
        common = [
            {"field": "current_tags", "operator": "includes", "value": tag},
            {"field": "current_tags", "operator": "not_includes", "value": marker},
            {"field": "status", "operator": "less_than", "value": "solved"},
        ]
        shared = _actions(level, escalation.lead_user_id, hook, marker)
        people = set(level.notify) & {"assignee", "group"}
        assigned = [["assignee_id", "notification_user"]] if "assignee" in people else []
        if "group" in people:
            assigned.append(["group_id", "notification_group"])
        for suffix, operator, told in (
            ("asignado", "is_not", assigned),
            ("sin asignar", "is", [["group_id", "notification_group"]] if people else []),
        ):
            notify = [
                {"field": action, "value": [who, level.subject, level.body]} for who, action in told
            ]
            specs.append(
                {
                    "title": f"SLA · escalado {level.name} ({suffix})",
                    "active": True,
                    "conditions": {
                        "all": [
                            *common,
                            {"field": "assignee_id", "operator": operator, "value": ""},
                        ],
                        "any": [],
                    },
                    "actions": [*notify, *shared],
                }
            )
    return specs
