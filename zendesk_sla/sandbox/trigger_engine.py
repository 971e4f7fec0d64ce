"""Triggers firing in the sandbox, as Zendesk runs them after every ticket update.

Active triggers are tried in position order; one whose ALL conditions hold and
one of whose ANY conditions holds (when it has some) fires once for the update:
its notifications are recorded (who would get which e-mail) and its tag actions
go into the same audit. The conditions understood are those the worker's alerts
and common setups use; an unknown one never holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from zendesk_sla.sandbox.model import Audit, Json, Ticket

ORDER = ("new", "open", "pending", "hold", "solved", "closed")


@dataclass(frozen=True)
class Sent:
    """An e-mail a trigger would send."""

    trigger: str
    ticket_id: int
    to: str  # "user" or "group"
    recipient: int | None
    subject: str
    body: str
    at: int


def _value(ticket: Ticket, field: str) -> Any:
    return {
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee_id": ticket.assignee_id,
        "group_id": ticket.group_id,
        "organization_id": ticket.organization_id,
        "requester_id": ticket.requester_id,
        "type": ticket.type,
    }.get(field)


def holds(condition: Json, ticket: Ticket) -> bool:
    field, operator, wanted = (
        condition.get("field"),
        condition.get("operator"),
        condition.get("value"),
    )
    if field == "current_tags":
        tags = set(str(wanted or "").split())
        if operator == "includes":
            return bool(tags & set(ticket.tags))
        if operator == "not_includes":
            return not tags & set(ticket.tags)
        return False
    value = _value(ticket, str(field))
    text = "" if value is None else str(value)
    if operator == "is":
        return text == str(wanted or "")
    if operator == "is_not":
        return text != str(wanted or "")
    if field == "status" and operator in ("less_than", "greater_than") and wanted in ORDER:
        here, there = ORDER.index(ticket.status), ORDER.index(str(wanted))
        return here < there if operator == "less_than" else here > there
    return False


def fire(
    rules: Any,
    ticket: Ticket,
    audit: Audit,
    sent: list[Sent],
    new_id: Callable[[], int],
) -> None:
    """Run the active triggers (of `rules`, the account's) once over a ticket just updated
    by `audit`; a webhook notification goes to `rules.webhooks`."""
    triggers: Iterable[Json] = rules.triggers.values()
    for trigger in sorted(triggers, key=lambda t: (t["position"], t["id"])):
        conditions = trigger["conditions"]
        every, some = conditions.get("all") or [], conditions.get("any") or []
        if not trigger.get("active", True) or not all(holds(c, ticket) for c in every):
            continue
        if some and not any(holds(c, ticket) for c in some):
            continue
        for action in trigger["actions"]:
            field, value = action.get("field"), action.get("value")
            if field in ("notification_user", "notification_group") and isinstance(value, list):
                to = "user" if field == "notification_user" else "group"
                named = str(value[0])  # "assignee_id", "group_id", or a user's or group's id
                recipient = ticket.assignee_id if to == "user" else ticket.group_id
                if named.isdigit():
                    recipient = int(named)
                sent.append(
                    Sent(
                        trigger["title"],
                        ticket.id,
                        to,
                        recipient,
                        value[1],
                        value[2],
                        audit.timestamp,
                    )
                )
            elif field == "notification_webhook" and isinstance(value, list):
                rules.webhooks.deliver(str(value[0]), ticket, str(value[1]), rules.base_url)
            elif field == "current_tags":
                added = [t for t in str(value).split() if t not in ticket.tags]
                if added:
                    change: Json = {"id": new_id(), "event_type": "Change"}
                    change["tags"] = [*ticket.tags, *added]
                    change["previous_value"] = list(ticket.tags)
                    audit.children.append(change)
                    ticket.tags = [*ticket.tags, *added]
                    ticket.cache.clear()
