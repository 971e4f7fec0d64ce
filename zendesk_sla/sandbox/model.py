"""Records the sandbox keeps for one Zendesk account, and their JSON shapes as Zendesk sends them.

Shapes follow recorded Zendesk traffic (ZENDESK_API_NOTES.md): every key of a
real ticket, `via` as an object on tickets but a display string on ticket
events, `custom_fields` duplicated as `fields`, organization and user fields as
dicts keyed by the field's `key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Ticket events show `via` as a display string, tickets as an object with a channel name.
VIA_DISPLAY = {
    "email": "Mail",
    "web": "Web form",
    "voice": "Voice",
    "api": "Web service",
    "rule": "Rule",
    "chat": "Chat",
}
STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("urgent", "high", "normal", "low")
Json = dict[str, Any]


def iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Ticket:
    id: int
    subject: str
    description: str
    status: str
    priority: str | None
    requester_id: int
    organization_id: int | None
    via_channel: str
    created_at: int
    updated_at: int
    generated_timestamp: int
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[int, Any] = field(default_factory=dict)
    assignee_id: int | None = None
    group_id: int | None = None
    type: str | None = None
    submitter_id: int | None = None
    # Encoded JSON by variant; cleared on every change (see Account._record).
    cache: dict[bool, bytes] = field(default_factory=dict)

    def to_json(self, base: str) -> Json:
        fields = [{"id": fid, "value": value} for fid, value in sorted(self.custom_fields.items())]
        return {
            "url": f"{base}/api/v2/tickets/{self.id}.json",
            "id": self.id,
            "external_id": None,
            "via": {"channel": self.via_channel, "source": {"from": {}, "to": {}, "rel": None}},
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "type": self.type,
            "subject": self.subject,
            "raw_subject": self.subject,
            "description": self.description,
            "priority": self.priority,
            "status": self.status,
            "recipient": None,
            "requester_id": self.requester_id,
            "submitter_id": self.submitter_id or self.requester_id,
            "assignee_id": self.assignee_id,
            "organization_id": self.organization_id,
            "group_id": self.group_id,
            "collaborator_ids": [],
            "follower_ids": [],
            "email_cc_ids": [],
            "forum_topic_id": None,
            "problem_id": None,
            "has_incidents": False,
            "is_public": True,
            "due_at": None,
            "tags": list(self.tags),
            "custom_fields": fields,
            "satisfaction_rating": None,
            "sharing_agreement_ids": [],
            "custom_status_id": 6130830355738 + STATUSES.index(self.status)
            if self.status in STATUSES
            else None,
            "fields": fields,
            "followup_ids": [],
            "ticket_form_id": 6130830344474,
            "brand_id": 6130830354842,
            "allow_channelback": False,
            "allow_attachments": True,
            "from_messaging_channel": False,
            "generated_timestamp": self.generated_timestamp,
        }


@dataclass(slots=True)
class Audit:
    """One change set on a ticket: its child events are Create, Change and Comment."""

    id: int
    ticket_id: int
    timestamp: int
    author_id: int
    via: str  # channel name: email, web, voice, api, rule
    children: list[Json]
    cache: dict[Any, bytes] = field(default_factory=dict)  # audits never change once made

    def comments(self) -> list[Json]:
        return [c for c in self.children if c.get("event_type") == "Comment"]

    def to_event_json(self, with_comments: bool, shape: str = "export") -> Json:
        """The audit as a `ticket_events` export item. `shape="audit"`: field changes as
        the ticket audit records them (`type`, `field_name`, `value`), one per field, the
        shape every public recording of a status change has (API notes, section 2.3)."""
        display = VIA_DISPLAY.get(self.via, "Web service")
        children: list[Json] = []
        for child in self.children:
            if child["event_type"] == "Comment" and not with_comments:
                continue
            if shape == "audit" and child["event_type"] != "Comment":
                children += [{"via": display, **e} for e in self._field_events(child)]
                continue
            item: Json = {"via": display, "via_reference_id": None}
            if "id" in child:  # real exports sometimes carry a child without one
                item["id"] = child["id"]
            item.update({k: v for k, v in child.items() if k not in ("id", "_via_rel")})
            if child["event_type"] == "Comment":
                item["via"] = {
                    "channel": self.via,
                    "source": {"from": {}, "to": {}, "rel": child.get("_via_rel")},
                }
                item["created_at"] = iso(self.timestamp)
            children.append(item)
        comments = self.comments()
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "timestamp": self.timestamp,
            "created_at": iso(self.timestamp),
            "updater_id": -1 if self.via == "rule" else self.author_id,
            "via": display,
            "system": {
                "client": "zendesk-sla-sandbox",
                "ip_address": None,
                "location": None,
                "latitude": None,
                "longitude": None,
            },
            "event_type": "Audit",
            "comment_present": bool(comments),
            "comment_public": any(c["public"] for c in comments),
            "child_events": children,
        }

    def comment_json(self, child: Json) -> Json:
        """A comment as the audit and the comments endpoint show it."""
        return {
            "id": child["id"],
            "type": "Comment",
            "author_id": child["author_id"],
            "body": child["body"],
            "html_body": child["html_body"],
            "plain_body": child["body"],
            "public": child["public"],
            "attachments": [],
            "audit_id": self.id,
        }

    @staticmethod
    def _field_events(child: Json) -> list[Json]:
        """A Create or Change child as the audit records it: one event per field."""
        kind = child["event_type"]
        return [
            {
                **({"id": child["id"]} if "id" in child else {}),
                "type": "Create" if kind == "Create" else "Change",
                "value": value,
                "field_name": key,
                **({"previous_value": child.get("previous_value")} if kind == "Change" else {}),
            }
            for key, value in child.items()
            if key not in ("id", "event_type", "previous_value", "_via_rel")
        ]

    def to_audit_json(self) -> Json:
        """The `audit` object of a single-ticket PUT response (events use `type`)."""
        events = []
        for child in self.children:
            if child["event_type"] == "Comment":
                events.append(self.comment_json(child))
            else:
                events += self._field_events(child)
        return {
            "id": self.id,
            "ticket_id": self.ticket_id,
            "created_at": iso(self.timestamp),
            "author_id": self.author_id,
            "metadata": {
                "system": {
                    "client": "zendesk-sla-sandbox",
                    "ip_address": "127.0.0.1",
                    "location": None,
                    "latitude": None,
                    "longitude": None,
                },
                "custom": {},
            },
            "events": events,
            "via": {"channel": self.via, "source": {"from": {}, "to": {}, "rel": None}},
        }
