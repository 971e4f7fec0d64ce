"""Zendesk JSON payloads -> plain rows for the state store; a bad payload raises `BadPayload`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from zendesk_sla.core.changes import MARKER
from zendesk_sla.core.pending import SEEN_CLOSING, SEEN_NOTICE

AUTOMATED_VIA = frozenset({"Rule", "Trigger", "Automation"})
MARKER_KEY = re.compile(re.escape(MARKER).replace(re.escape("{key}"), r"([^\]\s]+)"))


class BadPayload(ValueError):
    """A Zendesk object the worker cannot read; it is logged and skipped."""


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


@dataclass(frozen=True)
class UserRow:
    id: int
    role: str
    organization_id: int | None
    authorized: bool | None
    name: str = ""


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    external_id: str | None
    fields: dict[str, Any]


def epoch(text: Any) -> int:
    if not isinstance(text, str):
        raise BadPayload(f"expected a timestamp, got {text!r}")
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp())
    except ValueError:
        raise BadPayload(f"bad timestamp {text!r}") from None


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadPayload(f"{name} must be an integer, got {value!r}")
    return value


def _opt_int(value: Any, name: str) -> int | None:
    return None if value is None else _int(value, name)


def ticket_row(data: Any) -> TicketRow:
    if not isinstance(data, dict):
        raise BadPayload(f"ticket is not an object: {str(data)[:80]}")
    try:
        via = data.get("via") or {}
        channel = via.get("channel") if isinstance(via, dict) else None
        tags = data.get("tags") or []
        if not isinstance(tags, list):
            raise BadPayload("tags must be a list")
        custom = {
            str(_int(f.get("id"), "custom_fields.id")): f.get("value")
            for f in data.get("custom_fields") or []
        }
        status = data.get("status")
        if not isinstance(status, str):
            raise BadPayload(f"status must be text, got {status!r}")
        updated = data.get("updated_at")
        return TicketRow(
            id=_int(data.get("id"), "id"),
            status=status,
            priority=data.get("priority"),
            subject=str(data.get("subject") or ""),
            description=str(data.get("description") or ""),
            via_channel=str(channel if channel is not None else "unknown"),
            organization_id=_opt_int(data.get("organization_id"), "organization_id"),
            requester_id=_opt_int(data.get("requester_id"), "requester_id"),
            tags=tuple(str(t) for t in tags),
            custom_fields=custom,
            created_at=epoch(data.get("created_at")),
            updated_at=epoch(updated),
            generated_timestamp=_int(
                data.get("generated_timestamp", epoch(updated)), "generated_timestamp"
            ),
            updated_stamp=str(updated),
            submitter_id=_opt_int(data.get("submitter_id"), "submitter_id"),
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
        ticket_id = _int(data.get("ticket_id"), "ticket_id")
        at = _int(data.get("timestamp"), "timestamp")
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
    child_id = _int(child.get("id"), "child_events.id")
    if child.get("event_type") == "Comment" or child.get("type") == "Comment":
        child_via = child.get("via")
        channel = child_via.get("channel") if isinstance(child_via, dict) else None
        author = _opt_int(child.get("author_id"), "author_id")
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
    if "status" in child:
        return EventRow(ticket_id, child_id, at, "status", status=str(child["status"]))
    return None


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
        if isinstance(child, dict) and isinstance(child.get("tags"), list):
            before = child.get("previous_value")
            added |= set(child["tags"]) - set(before if isinstance(before, list) else [])
        if isinstance(child, dict) and isinstance(child.get("added_tags"), list):
            added |= set(child["added_tags"])
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


def user_row(data: Any, authorized_key: str) -> UserRow:
    if not isinstance(data, dict):
        raise BadPayload("user is not an object")
    fields = data.get("user_fields") or {}
    flag = fields.get(authorized_key) if isinstance(fields, dict) else None
    return UserRow(
        id=_int(data.get("id"), "id"),
        role=str(data.get("role") or "end-user"),
        organization_id=_opt_int(data.get("organization_id"), "organization_id"),
        authorized=None if flag is None else flag in (True, "true", "1", 1),
        name=str(data.get("name") or ""),
    )


def membership_row(data: Any) -> tuple[int, int]:
    """(user, organization) of an organization membership."""
    if not isinstance(data, dict):
        raise BadPayload("organization membership is not an object")
    return _int(data.get("user_id"), "user_id"), _int(
        data.get("organization_id"), "organization_id"
    )


def org_row(data: Any) -> OrgRow:
    if not isinstance(data, dict):
        raise BadPayload("organization is not an object")
    fields = data.get("organization_fields") or {}
    if not isinstance(fields, dict):
        raise BadPayload("organization_fields must be an object")
    return OrgRow(
        id=_int(data.get("id"), "id"),
        name=str(data.get("name") or ""),
        external_id=data.get("external_id"),
        fields=dict(fields),
    )
