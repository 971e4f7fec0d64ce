"""`zendesk-sla setup`, second part: the views agents work from and the triggers that tell
them, both optional and named in YAML.

Idempotent: a view or trigger whose title already exists is left as it is. Views
list open tickets carrying the worker's tags, most urgent first, sorted by the
next due time when that field exists. Each alert is two triggers: to the assignee,
or to the group while nobody is assigned; a tag of the trigger's own marks the
ticket so the e-mail goes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zendesk_sla.account.escalation_rules import escalation_specs, webhook_id
from zendesk_sla.account.trigger_spec import ASSIGNED, UNASSIGNED, ensure_triggers, once_trigger
from zendesk_sla.config import Config
from zendesk_sla.core.policy import Tags
from zendesk_sla.zendesk.gateway import ZendeskGateway

VIEW_ORDER = (
    "breached",
    "at_risk",
    "write_refused",
    "unauthorized",
    "severity_review",
    "quota_exceeded",
)


@dataclass(frozen=True)
class Rule:
    kind: str  # view | trigger
    title: str
    rule_id: int
    created: bool
    retired: bool = False  # an older trigger of the worker's, deactivated: replaced


def view_tags(tags: Tags, name: str) -> list[str]:
    return {
        "breached": [tags.response_breached, tags.resolution_breached],
        "at_risk": [tags.at_risk],
        "write_refused": [tags.write_refused],
        "unauthorized": [tags.unauthorized_contact, tags.channel_not_in_plan],
        "severity_review": [tags.severity_review],
        "quota_exceeded": [tags.quota_exceeded],
    }[name]


def view_spec(title: str, tags: list[str], position: int, due_field: int | None) -> dict[str, Any]:
    """A view in the API reference's request shape: columns from its View columns table
    (Subject is `description`; a custom field by its numeric id), sorted by the next due
    time when that field exists, else by the last update."""
    columns: list[Any] = ["status", "description", "requester", "assignee", "updated"]
    if due_field is not None:
        columns.insert(0, due_field)
    return {
        "title": title,
        "active": True,
        "position": position,
        "all": [
            {"field": "status", "operator": "less_than", "value": "solved"},
            {"field": "current_tags", "operator": "includes", "value": " ".join(tags)},
        ],
        "any": [],
        "output": {
            "columns": columns,
            "sort_by": due_field if due_field is not None else "updated",
            "sort_order": "asc",
        },
    }


SENT_TO = (
    ("asignado", ASSIGNED, "assignee_id", "notification_user"),
    ("sin asignar, al grupo", UNASSIGNED, "group_id", "notification_group"),
)


def trigger_specs(
    tags: Tags, title: str, alert_tags: list[str], subject: str, body: str
) -> list[dict[str, Any]]:
    """Two triggers (to the assignee, else to the group) for each tag of the alert, each
    marking the ticket `<tag>_avisado` so it alerts once per tag: a resolution breach
    after a response breach alerts again, and marks what it alerted for."""
    specs = []
    for tag in alert_tags:
        named = title if len(alert_tags) == 1 else f"{title} · {tag}"
        for suffix, who, recipient, action in SENT_TO:
            tell = [{"field": action, "value": [recipient, subject, body]}]
            specs.append(once_trigger(f"{named} ({suffix})", tag, tags.notified(tag), who, tell))
    return specs


def retired_titles(title: str, tags: list[str]) -> list[str]:
    """Titles of the one-trigger-for-all-tags alerts earlier releases created (they
    marked every breach `<first tag>_avisado`)."""
    return [f"{title} ({suffix})" for suffix, *_ in SENT_TO] if len(tags) > 1 else []


def provision_rules(gateway: ZendeskGateway, config: Config, due_field: int | None) -> list[Rule]:
    out: list[Rule] = []
    tags = config.policy.tags
    views, alerts = config.raw.views, config.raw.alerts
    if views is not None:
        existing = {v.get("title"): v for v in gateway.list_records("views", "views")}
        wanted = [(n, getattr(views, n)) for n in VIEW_ORDER if getattr(views, n)]
        for position, (name, title) in enumerate(wanted, start=1):
            found = existing.get(title)
            if found is None:
                spec = view_spec(title, view_tags(tags, name), position, due_field)
                found = gateway.create_record("views", "view", spec)
            out.append(Rule("view", title, int(found["id"]), title not in existing))
    if alerts is not None:
        existing = {t.get("title"): t for t in gateway.list_records("triggers", "triggers")}
        for name in ("breached", "at_risk"):
            alert = getattr(alerts, name)
            if alert is None:
                continue
            alert_tags = view_tags(tags, name)
            specs = trigger_specs(tags, alert.title, alert_tags, alert.subject, alert.body)
            out += [Rule("trigger", *made) for made in ensure_triggers(gateway, specs, existing)]
            for title in retired_titles(alert.title, alert_tags):
                old = existing.get(title)
                if old is not None and old.get("active", True):
                    path = f"triggers/{int(old['id'])}"
                    gateway.update_record(path, "trigger", {"active": False})
                    out.append(Rule("trigger", title, int(old["id"]), False, retired=True))
    escalation = config.raw.escalation
    if escalation is not None:
        hook, made = webhook_id(gateway, escalation)
        if hook is not None and escalation.webhook is not None:
            out.append(Rule("webhook", escalation.webhook.name, int(hook), made))
        existing = {t.get("title"): t for t in gateway.list_records("triggers", "triggers")}
        specs = escalation_specs(config, hook)
        out += [Rule("trigger", *made) for made in ensure_triggers(gateway, specs, existing)]
    return out
