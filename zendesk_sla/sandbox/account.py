"""The sandbox's stateful Zendesk account: tickets, audits, users, organizations, fields, jobs.

It implements the API's semantics (incremental exports, ticket updates with
additional/remove tags, merged custom fields, comments, safe updates, jobs)
independent of HTTP; `server.py` maps requests onto it. Not thread-safe on its
own: the server holds `lock` around every call.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from zendesk_sla.sandbox.model import (
    PRIORITIES,
    STATUSES,
    Audit,
    FieldDef,
    Job,
    Json,
    Organization,
    Ticket,
    User,
    iso,
)

EXPORT_DELAY = 60  # Zendesk leaves out items changed in the last minute
MAX_PAGE = 1000
MAX_BATCH = 100
TICKET_SCALARS = (
    "status",
    "priority",
    "subject",
    "assignee_id",
    "group_id",
    "type",
    "organization_id",
)


class ApiError(Exception):
    """An error response as Zendesk sends it: status code and JSON body."""

    def __init__(self, status: int, body: Json) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


def not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def invalid(field: str, description: str) -> ApiError:
    return ApiError(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": description, "error": "InvalidValue"}]},
        },
    )


def conflict() -> ApiError:
    return ApiError(
        409,
        {
            "error": "UpdateConflict",
            "description": "Safe Update prevented the update due to outdated ticket data. "
            "Please fetch the latest ticket data and try again.",
        },
    )


def encode_cursor(gts: int, ticket_id: int) -> str:
    # Real cursors are base64 of "<generated_timestamp>.0||<id>|", '=' padded.
    return base64.b64encode(f"{gts}.0||{ticket_id}|".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, int]:
    # zenpy sends the cursor raw: '+' may arrive as a space and '=' unescaped.
    text = cursor.replace(" ", "+")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4)).decode()
        stamp, _, rest = raw.partition("||")
        return int(float(stamp)), int(rest.strip("|"))
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, {"error": "InvalidPaginationParameter", "description": "Invalid cursor"}
        ) from None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    end_of_stream: bool
    cursor: str | None = None
    end_time: int | None = None


class Account:
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
        self._queue: deque[str] = deque()
        self._jobs_ready = threading.Condition(self.lock)

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

    def export_tickets(
        self, *, start_time: int | None, cursor: str | None, per_page: int, exclude_deleted: bool
    ) -> Page:
        now = self.now()
        if cursor is not None:
            position = bisect.bisect_right(self._order, decode_cursor(cursor))
        else:
            assert start_time is not None
            if start_time > now - EXPORT_DELAY:
                raise ApiError(
                    400,
                    {
                        "error": "InvalidValue",
                        "description": "Too recent start_time. Use a start_time at least "
                        "one minute in the past",
                    },
                )
            position = bisect.bisect_left(self._order, (start_time, 0))
        limit = min(max(per_page, 1), MAX_PAGE)
        horizon = now - EXPORT_DELAY
        items: list[Ticket] = []
        last: tuple[int, int] | None = None
        index = position
        while index < len(self._order) and len(items) < limit:
            key = self._order[index]
            if key[0] > horizon:
                break
            index += 1
            ticket = self.tickets[key[1]]
            if ticket.generated_timestamp != key[0]:
                continue  # an entry left behind by a later update
            last = key
            if not (exclude_deleted and ticket.status == "deleted"):
                items.append(ticket)
        while index < len(self._order) and self._is_stale(self._order[index]):
            index += 1
        more = index < len(self._order) and self._order[index][0] <= horizon
        if last is None:
            last = decode_cursor(cursor) if cursor is not None else (start_time or 0, 0)
            if cursor is None:
                last = (max((start_time or 0) - 1, 0), 0)
        return Page(items, end_of_stream=not more, cursor=encode_cursor(*last))

    def _is_stale(self, key: tuple[int, int]) -> bool:
        return self.tickets[key[1]].generated_timestamp != key[0]

    def export_events(self, *, start_time: int, per_page: int) -> Page:
        return time_page(self._audit_times, self.audits, start_time, per_page, self.now())

    def export_users(self, *, start_time: int, per_page: int) -> Page:
        keyed = sorted((u.updated_at, u.id, u) for u in self.users.values())
        return time_page(
            [k[0] for k in keyed], [k[2] for k in keyed], start_time, per_page, self.now()
        )

    def export_organizations(self, *, start_time: int, per_page: int) -> Page:
        keyed = sorted((o.updated_at, o.id, o) for o in self.organizations.values())
        return time_page(
            [k[0] for k in keyed], [k[2] for k in keyed], start_time, per_page, self.now()
        )

    def comments(self, ticket_id: int) -> list[tuple[Audit, Json]]:
        self.ticket(ticket_id)
        return [
            (audit, child)
            for audit in self.audits_by_ticket.get(ticket_id, [])
            for child in audit.comments()
        ]

    def metric_set(self, ticket: Ticket) -> Json:
        audits = self.audits_by_ticket.get(ticket.id, [])
        replies = [
            a.timestamp
            for a in audits
            for c in a.comments()
            if c["public"]
            and a.timestamp > ticket.created_at
            and self.users.get(c["author_id"], None) is not None
            and self.users[c["author_id"]].role != "end-user"
        ]
        solved = [a.timestamp for a in audits for c in a.children if c.get("status") == "solved"]
        reopens = sum(
            1
            for a in audits
            for c in a.children
            if c.get("event_type") == "Change" and c.get("previous_value") == "solved"
        )

        def minutes(value: int | None) -> Json:
            span = None if value is None else max(value - ticket.created_at, 0) // 60
            return {"calendar": span, "business": span}

        return {
            "url": f"/api/v2/ticket_metrics/{ticket.id + 5_000_000_000}.json",
            "id": ticket.id + 5_000_000_000,
            "ticket_id": ticket.id,
            "created_at": iso(ticket.created_at),
            "updated_at": iso(ticket.updated_at),
            "group_stations": 0,
            "assignee_stations": 1 if ticket.assignee_id else 0,
            "reopens": reopens,
            "replies": len(replies),
            "assignee_updated_at": None,
            "requester_updated_at": iso(ticket.created_at),
            "status_updated_at": iso(ticket.updated_at),
            "initially_assigned_at": None,
            "assigned_at": None,
            "solved_at": iso(solved[-1]) if solved else None,
            "latest_comment_added_at": iso(ticket.updated_at),
            "reply_time_in_minutes": minutes(replies[0] if replies else None),
            "first_resolution_time_in_minutes": minutes(solved[0] if solved else None),
            "full_resolution_time_in_minutes": minutes(solved[-1] if solved else None),
            "agent_wait_time_in_minutes": {"calendar": None, "business": None},
            "requester_wait_time_in_minutes": {"calendar": None, "business": None},
            "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
            "custom_status_updated_at": iso(ticket.updated_at),
            "generated_timestamp": ticket.generated_timestamp,
        }

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
        return audit

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
    def enqueue(self, items: list[Json], author_id: int | None, kind: str = "ticket") -> Job:
        if len(items) > MAX_BATCH:
            raise ApiError(
                400,
                {
                    "error": "TooManyValues",
                    "description": f"Parameter  cannot specify more than {MAX_BATCH} values",
                    "max_count": MAX_BATCH,
                },
            )
        seed = f"{self.now()}:{len(self.jobs)}:{id(items)}".encode()
        digest = hashlib.md5(seed, usedforsecurity=False).hexdigest()
        job = Job("V3-" + digest, time.monotonic(), items, author_id=author_id, kind=kind)
        self.jobs[job.id] = job
        self._queue.append(job.id)
        self._jobs_ready.notify()
        return job

    def poll(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise not_found()
        return job

    def run_jobs(self, stop: threading.Event) -> None:
        """The account's job queue: runs queued jobs in order, in slices, until `stop`."""
        while not stop.is_set():
            with self.lock:
                job = self._next_job()
                if job is None:
                    continue
                job.status = "working"
            for start in range(0, len(job.items), 20):
                with self.lock:  # agents' edits can land between slices, as on Zendesk
                    self._run_slice(job, start, 20)
            with self.lock:
                job.status = "completed"

    def _next_job(self) -> Job | None:
        now = time.monotonic()
        for stale in [j for j in self.jobs.values() if now - j.created_real > 3600]:
            del self.jobs[stale.id]  # Zendesk keeps job statuses for an hour
        if not self._queue:
            self._jobs_ready.wait(0.1)
            return None
        job = self.jobs.get(self._queue[0])
        if job is None:
            self._queue.popleft()
            return None
        wait = job.created_real + self.job_delay_seconds - now
        if wait > 0:
            self._jobs_ready.wait(wait)
            return None
        self._queue.popleft()
        return job

    def _run_slice(self, job: Job, start: int, size: int) -> None:
        results = job.results if job.results is not None else []
        for index in range(start, min(start + size, len(job.items))):
            item = job.items[index]
            ticket_id = item.get("id")
            try:
                if not isinstance(ticket_id, int):
                    raise invalid("id", "Id: cannot be blank")
                if job.kind == "organization":
                    self.update_organization(ticket_id, item)
                else:
                    self.update_ticket(ticket_id, item, job.author_id)
                results.append(
                    {
                        "id": ticket_id,
                        "index": index,
                        "action": "update",
                        "status": "Updated",
                        "success": True,
                    }
                )
            except ApiError as exc:
                results.append(
                    {
                        "id": ticket_id,
                        "index": index,
                        "error": _job_error(job.kind, exc.status),
                        "details": str(exc.body.get("description", "")),
                        "success": False,
                    }
                )
            job.done = index + 1
        job.results = results


def _job_error(kind: str, status: int) -> str:
    if status == 409:
        return "UpdateConflict"
    return "OrganizationUpdateFailed" if kind == "organization" else "TicketUpdateFailed"


def time_page(
    keys: Sequence[int], items: Sequence[Any], start_time: int, per_page: int, now: int
) -> Page:
    """Time-based export: never splits a timestamp; next start_time is the last one seen."""
    horizon = now - EXPORT_DELAY
    start = bisect.bisect_left(keys, start_time)
    stop = bisect.bisect_right(keys, horizon)
    limit = min(max(per_page, 1), MAX_PAGE)
    end = min(start + limit, stop)
    if end < stop and end > start:
        last = keys[end - 1]
        end = bisect.bisect_right(keys, last, lo=end, hi=stop)
    end_time = keys[end - 1] if end > start else start_time
    return Page(list(items[start:end]), end_of_stream=end >= stop, end_time=end_time)


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
