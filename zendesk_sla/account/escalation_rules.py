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

from zendesk_sla.account.trigger_spec import ASSIGNED, UNASSIGNED, once_trigger
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


def _actions(level: EscalationLevelConfig, lead: int | None, hook: str | None) -> list[Any]:
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
    return out


def escalation_specs(config: Config, hook: str | None) -> list[dict[str, Any]]:
    escalation = config.raw.escalation
    if escalation is None:
        return []
    tags = config.policy.tags
    specs = []
    for level in escalation.levels:
        tag = f"{tags.escalation_prefix}{level.name}"
        shared = _actions(level, escalation.lead_user_id, hook)
        people = set(level.notify) & {"assignee", "group"}
        assigned = [["assignee_id", "notification_user"]] if "assignee" in people else []
        if "group" in people:
            assigned.append(["group_id", "notification_group"])
        for suffix, operator, told in (
            ("asignado", ASSIGNED, assigned),
            ("sin asignar", UNASSIGNED, [["group_id", "notification_group"]] if people else []),
        ):
            notify = [
                {"field": action, "value": [who, level.subject, level.body]} for who, action in told
            ]
            title = f"SLA · escalado {level.name} ({suffix})"
            specs.append(once_trigger(title, tag, tags.notified(tag), operator, [*notify, *shared]))
    return specs
