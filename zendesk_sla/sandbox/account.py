"""The sandbox's stateful Zendesk account: tickets, audits, users, organizations, fields, jobs.

It implements the API's semantics (incremental exports, ticket updates with
additional/remove tags, merged custom fields, comments, safe updates, jobs)
independent of HTTP; `server.py` maps requests onto it. Not thread-safe on its
own: the server holds `lock` around every call.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from typing import Any

from zendesk_sla.sandbox.creating import TicketCreation
from zendesk_sla.sandbox.errors import conflict, invalid, not_found
from zendesk_sla.sandbox.exports import Exports
from zendesk_sla.sandbox.jobs import JobQueue
from zendesk_sla.sandbox.memberships import Memberships
from zendesk_sla.sandbox.model import PRIORITIES, STATUSES, Audit, Json, Ticket, iso
from zendesk_sla.sandbox.records import FieldDef, Job, Organization, User

TICKET_SCALARS = (
    "status",
    "priority",
    "subject",
    "assignee_id",
    "group_id",
    "type",
    "organization_id",
)


class Account(Exports, JobQueue, TicketCreation, Memberships):
    """One Zendesk account's data, with the clock the sandbox runs on."""

    def __init__(self, clock: Callable[[], float] = time.time, api_user_email: str = "") -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.tickets: dict[int, Ticket] = {}
        self.users: dict[int, User] = {}
        self.organizations: dict[int, Organization] = {}
        self.fields: dict[int, FieldDef] = {}
        self.jobs: dict[str, Job] = {}
        self.audits: list[Audit] = []  # ordered by timestamp
        self._audit_times: list[int] = []  # the audits' timestamps, for bisecting
        self.audits_by_ticket: dict[int, list[Audit]] = {}
        self._order: list[tuple[int, int]] = []  # (generated_timestamp, id), sorted
        self._stale = 0
        self._ids = itertools.count(10_000_000_000)
        self._event_ids = itertools.count(20_000_000_000)
        self.api_user_email = api_user_email
        self.api_user_id: int | None = None
        self.job_delay_seconds = 0.0  # how long a job stays queued before it runs
        self.event_shape = "export"  # or "audit": field changes in the ticket-events export
        self._queue: deque[str] = deque()
        self._jobs_ready = threading.Condition(self.lock)
        self.refusals: Counter[int] = Counter()  # refused updates per ticket (for tests)
        self.memberships: dict[int, set[int]] = {}  # user -> its other organizations
        self.triggers: Callable[[Ticket, Audit], None] = lambda *_: None  # run after updates

    # -- building ------------------------------------------------------------------
    def now(self) -> int:
        return int(self.clock())

    def next_id(self) -> int:
        return next(self._ids)

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        if self.api_user_email and user.email == self.api_user_email:
            self.api_user_id = user.id
        return user

    def add_organization(self, org: Organization) -> Organization:
        self.organizations[org.id] = org
        return org

    def add_field(self, fdef: FieldDef) -> FieldDef:
        self.fields[fdef.id] = fdef
        return fdef

    def add_ticket(self, ticket: Ticket, audits: Iterable[Audit] = ()) -> Ticket:
        """Seed a ticket with its history (audits may be in any order; call `reindex`)."""
        self.tickets[ticket.id] = ticket
        self._order.append((ticket.generated_timestamp, ticket.id))
        mine = self.audits_by_ticket.setdefault(ticket.id, [])
        for audit in audits:
            mine.append(audit)
            self.audits.append(audit)
        return ticket

    def reindex(self) -> None:
        self._order.sort()
        self.audits.sort(key=lambda a: (a.timestamp, a.id))
        self._audit_times = [a.timestamp for a in self.audits]

    def new_child_id(self) -> int:
        return next(self._event_ids)

    # -- reading ---------------------------------------------------------------------
    def ticket(self, ticket_id: int) -> Ticket:
        found = self.tickets.get(ticket_id)
        if found is None or found.status == "deleted":
            raise not_found()
        return found

    def comments(self, ticket_id: int) -> list[tuple[Audit, Json]]:
        self.ticket(ticket_id)
        return [
            (audit, child)
            for audit in self.audits_by_ticket.get(ticket_id, [])
            for child in audit.comments()
        ]

    # -- writing ---------------------------------------------------------------------
    def update_ticket(self, ticket_id: int, changes: Json, author_id: int | None) -> Audit | None:
        """Apply one ticket's changes as Zendesk does; None when nothing changed."""
        ticket = self.ticket(ticket_id)
        if ticket.status == "closed":
            raise invalid("status", "Status: closed prevents ticket update")
        if _truthy(changes.get("safe_update")):
            stamp = changes.get("updated_stamp")
            if stamp != iso(ticket.updated_at):
                raise conflict()
        self._validate(changes)
        self._required_on_solve(ticket, changes)
        author = author_id or self.api_user_id or ticket.requester_id
        children: list[Json] = []
        for name in TICKET_SCALARS:
            if name in changes and changes[name] != getattr(ticket, name):
                children.append(self._change(name, changes[name], getattr(ticket, name)))
                setattr(ticket, name, changes[name])
        tags = _merge_tags(ticket.tags, changes)
        if tags != ticket.tags:
            child = self._change("tags", tags, list(ticket.tags))
            child["added_tags"] = [t for t in tags if t not in ticket.tags]
            child["removed_tags"] = [t for t in ticket.tags if t not in tags]
            children.append(child)
            ticket.tags = tags
        for entry in changes.get("custom_fields") or []:
            field_id, value = int(entry["id"]), entry.get("value")
            if field_id in self.fields and ticket.custom_fields.get(field_id) != value:
                previous = ticket.custom_fields.get(field_id)
                children.append(
                    self._change("custom_ticket_fields", {str(field_id): value}, previous)
                )
                ticket.custom_fields[field_id] = value
        comment = changes.get("comment")
        if isinstance(comment, dict) and (comment.get("body") or comment.get("html_body")):
            body = str(comment.get("body") or comment.get("html_body"))
            children.append(
                {
                    "id": self.new_child_id(),
                    "event_type": "Comment",
                    "type": "Comment",
                    "author_id": int(comment.get("author_id") or author),
                    "body": body,
                    "html_body": f'<div class="zd-comment"><p>{body}</p></div>',
                    "public": _truthy(comment.get("public", True)),
                    "attachments": [],
                }
            )
        if not children:
            return None
        now = max(self.now(), ticket.updated_at)
        audit = Audit(self.next_id(), ticket.id, now, author, "api", children)
        for child in audit.children:
            if child["event_type"] == "Comment":
                child["audit_id"] = audit.id
        self._record(ticket, audit)
        self.triggers(ticket, audit)
        return audit

    def _required_on_solve(self, ticket: Ticket, changes: Json) -> None:
        """Fields an admin made required refuse a solve while they are empty (per ticket)."""
        if changes.get("status") not in ("solved", "closed") or ticket.status == "solved":
            return
        values = dict(ticket.custom_fields)
        for entry in changes.get("custom_fields") or []:
            values[int(entry["id"])] = entry.get("value")
        for fdef in self.fields.values():
            required = fdef.kind == "ticket" and fdef.required and fdef.active
            if required and values.get(fdef.id) in (None, "", []):
                self.refusals[ticket.id] += 1
                raise invalid("base", f"{fdef.title}: is required when solving a ticket")

    def _validate(self, changes: Json) -> None:
        status = changes.get("status")
        if status is not None and status not in STATUSES:
            raise invalid("status", f"Status: {status} is not valid")
        if status == "closed":
            raise invalid("status", "Status: closed can only be set by the system")
        priority = changes.get("priority")
        if priority is not None and priority not in PRIORITIES:
            raise invalid("priority", f"Priority: {priority} is not valid")
        custom = changes.get("custom_fields")
        if custom is not None and (
            not isinstance(custom, list)
            or not all(isinstance(e, dict) and "id" in e for e in custom)
        ):
            raise invalid("custom_fields", "custom_fields must be a list of {id, value}")

    def _change(self, name: str, value: Any, previous: Any) -> Json:
        return {
            "id": self.new_child_id(),
            "event_type": "Change",
            name: value,
            "previous_value": previous,
        }

    def _record(self, ticket: Ticket, audit: Audit) -> None:
        old = ticket.generated_timestamp
        ticket.cache.clear()
        ticket.updated_at = audit.timestamp
        ticket.generated_timestamp = max(audit.timestamp, ticket.generated_timestamp)
        if ticket.generated_timestamp != old:
            # The old entry stays behind (skipped by the export) until the next compaction.
            bisect.insort(self._order, (ticket.generated_timestamp, ticket.id))
            self._stale += 1
            if self._stale > len(self.tickets):
                self._order = sorted((t.generated_timestamp, t.id) for t in self.tickets.values())
                self._stale = 0
        self.audits_by_ticket.setdefault(ticket.id, []).append(audit)
        position = bisect.bisect_right(self._audit_times, audit.timestamp)
        self.audits.insert(position, audit)
        self._audit_times.insert(position, audit.timestamp)

    def update_organization(self, org_id: int, changes: Json) -> Organization:
        org = self.organizations.get(org_id)
        if org is None:
            raise not_found()
        fields = changes.get("organization_fields") or {}
        known = {f.key for f in self.fields.values() if f.kind == "organization"}
        for key, value in fields.items():
            if key in known:
                org.organization_fields[key] = value
        if "tags" in changes:
            org.tags = list(changes["tags"])
        org.updated_at = max(self.now(), org.updated_at)
        return org

    def create_field(self, kind: str, spec: Json) -> FieldDef:
        title = str(spec.get("title") or "").strip()
        if not title:
            raise invalid("title", "Title: cannot be blank")
        ftype = str(spec.get("type") or "")
        if ftype not in (
            "text",
            "textarea",
            "checkbox",
            "date",
            "integer",
            "decimal",
            "dropdown",
            "tagger",
            "regexp",
        ):
            raise invalid("type", f"Type: {ftype!r} is not valid")
        key = spec.get("key")
        if kind != "ticket":
            if not key:
                raise invalid("key", "Key: cannot be blank")
            if any(f.kind == kind and f.key == key for f in self.fields.values()):
                raise invalid("key", "Key: has already been taken")
        options = [
            {
                "id": self.next_id(),
                "name": o.get("name"),
                "raw_name": o.get("name"),
                "value": o.get("value"),
            }
            for o in spec.get("custom_field_options") or []
        ]
        return self.add_field(
            FieldDef(self.next_id(), kind, ftype, title, key, self.now(), options)
        )

    # -- jobs --------------------------------------------------------------------------


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [t for t in value.replace(",", " ").split() if t]
    return [str(t) for t in value]


def _merge_tags(current: list[str], changes: Json) -> list[str]:
    tags = _as_list(changes["tags"]) if "tags" in changes else list(current)
    for tag in _as_list(changes.get("additional_tags")):
        if tag not in tags:
            tags.append(tag)
    removed = set(_as_list(changes.get("remove_tags")))
    return [t for t in tags if t not in removed]
