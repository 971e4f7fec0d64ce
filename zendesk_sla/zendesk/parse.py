"""Zendesk JSON payloads -> plain rows for the state store; a bad payload raises `BadPayload`.

Tickets and their events here; users and organizations in `parse_people`.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from zendesk_sla.core.changes import MARKER
from zendesk_sla.core.pending import SEEN_CLOSING, SEEN_NOTICE
from zendesk_sla.zendesk.parse_people import (
    OrgRow,
    UserRow,
    membership_row,
    org_row,
    user_row,
)
from zendesk_sla.zendesk.validate import (
    PRIORITIES,
    BadPayload,
    Warn,
    epoch_seconds,
    ident,
    json_safe,
    opt_ident,
    text,
    timestamp,
)

AUTOMATED_VIA = frozenset({"Rule", "Trigger", "Automation"})
MARKER_KEY = re.compile(re.escape(MARKER).replace(re.escape("{key}"), r"([^\]\s]+)"))


class TicketRow(NamedTuple):
    id: int
    status: str
    priority: str | None
    subject: str
    description: str
    via_channel: str
    organization_id: int | None
    requester_id: int | None
    tags: tuple[str, ...]
    custom_fields: dict[str, Any]  # field id (as text) -> value
    created_at: int
    updated_at: int
    generated_timestamp: int
    updated_stamp: str  # updated_at exactly as Zendesk sent it (for safe_update)
    submitter_id: int | None = None  # an agent, when the ticket was opened on the customer's behalf


class EventRow(NamedTuple):
    """A status change or a comment from the ticket events export (a tuple: made by the 100k)."""

    ticket_id: int
    event_id: int  # child event id (unique)
    at: int
    kind: str  # "status" or "comment"
    status: str | None = None
    public: bool = False
    author_id: int | None = None
    automated: bool = False


def epoch(value: Any) -> int:
    return timestamp(value, "time")


def ticket_row(data: Any, warn: Warn | None = None) -> TicketRow:
    if not isinstance(data, dict):
        raise BadPayload(f"ticket is not an object: {str(data)[:80]}")
    try:
        ticket_id = ident(data.get("id"), "id")
        via = data.get("via") or {}
        channel = via.get("channel") if isinstance(via, dict) else None
        tags = data.get("tags") or []
        if not isinstance(tags, list):
            raise BadPayload("tags must be a list")
        custom = {
            str(ident(f.get("id"), "custom_fields.id")): json_safe(
                f.get("value"), f"custom_fields.{f.get('id')}", warn
            )
            for f in data.get("custom_fields") or []
            if isinstance(f, dict)
        }
        status = data.get("status")
        if not isinstance(status, str):
            raise BadPayload(f"status must be text, got {status!r}"[:120])
        priority = data.get("priority")
        if priority is not None and (not isinstance(priority, str) or priority not in PRIORITIES):
            if warn is not None:
                warn("priority", f"{str(priority)[:40]!r} is not a Zendesk priority: ignored")
            priority = None
        updated = data.get("updated_at")
        generated = data.get("generated_timestamp")
        return TicketRow(
            id=ticket_id,
            status=status,
            priority=priority,
            subject=text(data.get("subject"), "subject", warn),
            description=text(data.get("description"), "description", warn),
            via_channel=text(channel, "via.channel", warn) or "unknown",
            organization_id=opt_ident(data.get("organization_id"), "organization_id"),
            requester_id=opt_ident(data.get("requester_id"), "requester_id"),
            tags=tuple(text(t, "tags", warn) for t in tags if isinstance(t, str)),
            custom_fields=custom,
            created_at=timestamp(data.get("created_at"), "created_at"),
            updated_at=timestamp(updated, "updated_at"),
            generated_timestamp=epoch_seconds(generated, "generated_timestamp")
            if generated is not None
            else timestamp(updated, "updated_at"),
            updated_stamp=str(updated),
            submitter_id=opt_ident(data.get("submitter_id"), "submitter_id"),
        )
    except (AttributeError, TypeError) as exc:
        raise BadPayload(f"malformed ticket: {exc}") from None


def event_rows(
    data: Any, worker_user_id: int | None, skipped: list[str] | None = None
) -> list[EventRow]:
    """Rows from one ticket event (an audit) of `incremental/ticket_events`.

    A child event the worker cannot read is left out alone (named in `skipped`);
    the audit's other children, comments included, are kept.
    """
    if not isinstance(data, dict):
        raise BadPayload("ticket event is not an object")
    try:
        ticket_id = ident(data.get("ticket_id"), "ticket_id")
        at = epoch_seconds(data.get("timestamp"), "timestamp")
        via = data.get("via")
        # Ticket events show `via` as a display string ("Rule" for triggers and automations).
        audit_automated = isinstance(via, str) and via in AUTOMATED_VIA
        children = data.get("child_events") or []
        if not isinstance(children, list):
            raise BadPayload("child_events must be a list")
    except (AttributeError, TypeError) as exc:
        raise BadPayload(f"malformed ticket event: {exc}") from None
    rows = []
    for child in children:
        try:
            row = _child_row(child, ticket_id, at, audit_automated, worker_user_id)
        except (BadPayload, AttributeError, TypeError) as exc:
            if skipped is not None:
                skipped.append(f"ticket {ticket_id} event {data.get('id')}: {exc}")
            continue
        if row is not None:
            rows.append(row)
    return rows


def _child_row(
    child: Any, ticket_id: int, at: int, audit_automated: bool, worker_user_id: int | None
) -> EventRow | None:
    if not isinstance(child, dict):
        raise BadPayload("child event is not an object")
    child_id = ident(child.get("id"), "child_events.id")
    if child.get("event_type") == "Comment" or child.get("type") == "Comment":
        child_via = child.get("via")
        channel = child_via.get("channel") if isinstance(child_via, dict) else None
        author = opt_ident(child.get("author_id"), "author_id")
        return EventRow(
            ticket_id,
            child_id,
            at,
            "comment",
            public=bool(child.get("public")),
            author_id=author,
            automated=audit_automated
            or channel == "rule"
            or (worker_user_id is not None and author == worker_user_id),
        )
    status = _status_change(child)
    if status is not None:
        return EventRow(ticket_id, child_id, at, "status", status=status)
    return None


def _status_change(child: dict[str, Any]) -> str | None:
    """The new status of a status change, in either shape Zendesk writes one: the export's
    documented `{"status": "solved"}`, or the ticket audit's recorded `{"type": "Change",
    "field_name": "status", "value": "solved"}` (no export body is public: both are read)."""
    if "status" in child:
        value = child["status"]
    elif child.get("field_name") == "status":
        value = child.get("value")
    else:
        return None
    if not isinstance(value, str) or not value:
        raise BadPayload(f"status change without a status: {value!r}")
    return value


def _tags_added(child: dict[str, Any]) -> set[str]:
    """Tags a child event added, in the export's shape (`tags`, `added_tags`) or the audit's
    (`field_name: "tags"`, `value`, `previous_value`; lists, or text split on spaces)."""

    def tags(value: Any) -> set[str]:
        if isinstance(value, list):
            return {str(t) for t in value}
        return set(value.split()) if isinstance(value, str) else set()

    added: set[str] = set()
    if isinstance(child.get("tags"), list):
        added |= tags(child["tags"]) - tags(child.get("previous_value"))
    if child.get("field_name") == "tags":
        added |= tags(child.get("value")) - tags(child.get("previous_value"))
    if isinstance(child.get("added_tags"), list):
        added |= tags(child["added_tags"])
    return added


def worker_notes(
    data: Any, worker_user_id: int | None, notice_tag: str, closing_tag: str
) -> list[tuple[int, str, int]]:
    """(ticket, note key, time) of what the worker is seen to have posted in this audit.

    Internal notes end with their key; a public notice or closing carries none, and is
    known by its author (the worker's user) and the tag the same update added.
    """
    if worker_user_id is None or not isinstance(data, dict):
        return []
    ticket_id, at = data.get("ticket_id"), data.get("timestamp")
    children = data.get("child_events")
    if not isinstance(ticket_id, int) or not isinstance(at, int) or not isinstance(children, list):
        return []
    added: set[str] = set()
    for child in children:
        if isinstance(child, dict):
            added |= _tags_added(child)
    out: list[tuple[int, str, int]] = []
    for child in children:
        if not isinstance(child, dict) or child.get("author_id") != worker_user_id:
            continue
        if child.get("event_type") != "Comment" and child.get("type") != "Comment":
            continue
        if not child.get("public"):
            out += [
                (ticket_id, key, at) for key in MARKER_KEY.findall(str(child.get("body") or ""))
            ]
        elif closing_tag in added:
            out.append((ticket_id, f"{SEEN_CLOSING}:{at}", at))
        elif notice_tag in added:
            out.append((ticket_id, f"{SEEN_NOTICE}:{at}", at))
    return out


__all__ = [
    "EventRow",
    "OrgRow",
    "TicketRow",
    "UserRow",
    "event_rows",
    "membership_row",
    "org_row",
    "ticket_row",
    "user_row",
    "worker_notes",
]
