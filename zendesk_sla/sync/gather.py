"""Gather: Zendesk's incremental exports read page by page into the store, with their cursors.

Each page is parsed at the edge (a bad record is logged and skipped) and
stored in one transaction with its cursor, so a crash re-reads at most one
page. Ticket pages are yielded to the cycle, which records their cursor once
their writes are recorded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import structlog

from zendesk_sla.core.policy import Tags
from zendesk_sla.store import StateStore
from zendesk_sla.sync.read_ahead import END, _End, read_ahead
from zendesk_sla.sync.timelines import org_field_problems
from zendesk_sla.zendesk.gateway import CursorPage, TimePage, ZendeskGateway
from zendesk_sla.zendesk.parse import (
    OrgRow,
    TicketRow,
    UserRow,
    event_rows,
    membership_row,
    org_row,
    ticket_row,
    user_row,
    worker_notes,
)
from zendesk_sla.zendesk.validate import BadPayload, Warn

TICKETS, EVENTS, USERS, ORGS = "cursor:tickets", "cursor:events", "cursor:users", "cursor:orgs"
MEMBERSHIPS = "memberships:refreshed"

log = structlog.get_logger("zendesk_sla.sync.gather")


@dataclass(kw_only=True)
class Gatherer:
    gateway: ZendeskGateway
    store: StateStore
    authorized_key: str
    worker_user_id: int | None
    tags: Tags
    org_keys: Mapping[str, str] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    rejected: int = 0  # records skipped since the worker started
    on_page: Callable[[], None] = lambda: None  # a page was recorded

    def _changed(self, rows: list[Any]) -> list[Any]:
        users = self.store.users(r.id for r in rows if isinstance(r, UserRow))
        orgs = self.store.orgs(r.id for r in rows if isinstance(r, OrgRow))
        return [r for r in rows if (users if isinstance(r, UserRow) else orgs).get(r.id) != r]

    def directory(self, now: int) -> set[int]:
        """Users and organizations changed since their cursors; the organizations touched."""
        touched: set[int] = set()
        initial = self.store.get(USERS) is None
        for key, fetch, parse, put in (
            (
                USERS,
                self.gateway.user_page,
                partial(
                    user_row,
                    authorized_key=self.authorized_key,
                    contact_prefix=self.tags.contact_prefix,
                ),
                self.store.put_users,
            ),
            (ORGS, self.gateway.org_page, self._org_row, self.store.put_orgs),
        ):
            start = int(self.store.get(key) or 0)
            while True:
                page = fetch(start)
                rows = self.parse(page.items, parse, key.removeprefix("cursor:"))
                # The time-based export starts at the last page's end time, so records
                # updated in that same second come again at every poll (a bulk import can
                # make hundreds): those the state already holds as they are change nothing.
                rows = self._changed(rows)
                # Users carry only their default organization: an authorized contact's other
                # organizations come from its memberships (POLICY 7).
                users = [r.id for r in rows if isinstance(r, UserRow)]
                contacts = [r.id for r in rows if isinstance(r, UserRow) and r.authorized]
                if initial:
                    contacts = []  # the initial load: all memberships are read in pages below
                memberships = {u: self._memberships(u) for u in contacts}
                touched |= self.store.member_orgs(users)
                with self.store.transaction():
                    put(rows)
                    # Only authorized contacts' memberships matter; others' are forgotten.
                    self.store.clear_memberships(u for u in users if u not in memberships)
                    for user_id, orgs in memberships.items():
                        self.store.put_memberships(user_id, orgs)
                    self.store.put(key, str(page.end_time))
                # New contacts or organization data change quota ledgers.
                for r in rows:
                    org_id = r.organization_id if isinstance(r, UserRow) else r.id
                    if org_id:
                        touched.add(org_id)
                for orgs in memberships.values():
                    touched |= orgs
                if page.end_of_stream or page.end_time <= start:
                    break
                start = page.end_time
        if initial or self.store.get(MEMBERSHIPS) is None:  # never read whole: read them now
            touched |= self.refresh_memberships(now, every_seconds=0)
        return touched

    def _org_row(self, data: Any, *, warn: Warn) -> OrgRow:
        row = org_row(data, warn)
        for key, problem in org_field_problems(row.fields, self.org_keys):
            warn(f"organization_fields.{key}", problem)
        return row

    def _memberships(self, user_id: int) -> set[int]:
        rows = self.parse(self.gateway.user_memberships(user_id), membership_row, "membership")
        return {org_id for _, org_id in rows}

    def refresh_memberships(self, now: int, every_seconds: int = 86400) -> set[int]:
        """Read every membership of the account once a day (a page holds 100): adding one in
        Zendesk need not change the user, so the users export may not bring it. The
        organizations whose contacts changed are returned."""
        last = int(self.store.get(MEMBERSHIPS) or 0)
        if now - last < every_seconds:
            return set()
        rows = self.parse(self.gateway.memberships(), membership_row, "membership")
        by_user: dict[int, set[int]] = {}
        for user_id, org_id in rows:
            by_user.setdefault(user_id, set()).add(org_id)
        contacts = set(self.store.authorized_user_ids())
        touched: set[int] = set()
        with self.store.transaction():
            for user_id in sorted(contacts):
                orgs = by_user.get(user_id, set())
                before = self.store.member_orgs([user_id])
                if orgs != before:
                    touched |= orgs ^ before
                    self.store.put_memberships(user_id, orgs)
            self.store.put(MEMBERSHIPS, str(now))
        return touched

    def events(self, key: str, default_start: int) -> int:
        """Ticket events (status changes, comments) since the cursor; how many were read."""

        def following(page: TimePage, start: int) -> int | _End:
            if page.end_of_stream:
                return END
            # Zendesk repeats the last timestamp's events on the next page; a page made of
            # one timestamp only would loop forever, so step past it.
            return page.end_time if page.end_time > start else start + 1

        count = 0
        first = int(self.store.get(key) or default_start)
        for page in read_ahead(self.gateway.event_page, first, following):
            skipped: list[str] = []
            parsed = self.parse(page.items, partial(self._events_of, skipped=skipped), "event")
            for what in skipped:
                log.warning("bad_child_event_skipped", detail=what)
            rows = [row for rows in parsed for row in rows]
            # Zendesk is the source of truth: what the worker is seen to have posted is done,
            # even when the local state was lost.
            seen = [
                note
                for item in page.items
                for note in worker_notes(
                    item,
                    self.worker_user_id,
                    self.tags.pending_notice,
                    self.tags.closed_no_response,
                )
            ]
            with self.store.transaction():
                self.store.put_events(rows)
                self.store.notes_seen(seen)
                self.store.put(key, str(page.end_time))
            self.on_page()
            count += len(page.items)
            if self.stop.is_set():
                break
        return count

    def parse(self, items: Iterable[Any], parse: Callable[..., Any], kind: str) -> list[Any]:
        """The records of a page that can be read. A record that cannot is skipped, and a
        field that cannot is ignored; each is logged the first time it is seen and kept
        for `report rejects`. Nothing here stops the cycle or the cursor."""
        rows = []
        now = int(time.time())
        for item in items:
            record = str(item.get("id") if isinstance(item, dict) else "?")[:40]

            def warn(field: str, reason: str, record: str = record) -> None:
                self._reject(kind, record, field, reason, now)

            try:
                rows.append(parse(item, warn=warn))
            except (BadPayload, RecursionError, OverflowError) as exc:
                self.rejected += 1
                self._reject(kind, record, "(record skipped)", str(exc), now)
        return rows

    def _reject(self, kind: str, record: str, field: str, reason: str, now: int) -> None:
        with self.store.transaction():
            first = self.store.reject(kind, record, field, reason, now)
        if first:
            log.warning("bad_record", kind=kind, id=record, field=field, reason=reason)

    def _events_of(self, item: Any, *, skipped: list[str], warn: Warn) -> list[Any]:
        return event_rows(item, self.worker_user_id, skipped)

    def ticket_pages(self, key: str, start_time: int, per_page: int) -> Iterator[CursorPage]:
        """Export pages from the saved cursor (the next page is read while this one is used)."""

        def fetch(cursor: str | None) -> CursorPage:
            return self.gateway.ticket_page(
                cursor=cursor, start_time=None if cursor else start_time, per_page=per_page
            )

        def following(page: CursorPage, _cursor: str | None) -> str | _End | None:
            return END if page.end_of_stream or not page.items else page.after_cursor

        yield from read_ahead(fetch, self.store.get(key), following)

    def store_tickets(self, rows: list[TicketRow], cursor: tuple[str, str] | None = None) -> None:
        """Ticket snapshots, with the page's cursor when nothing else must be recorded first."""
        with self.store.transaction():
            self.store.put_tickets(rows)
            if cursor is not None:
                self.store.put(*cursor)

    def refresh(self, ids: list[int]) -> list[TicketRow]:
        """Re-read tickets from Zendesk (retries, sweeps, conflicts) into the store."""
        fresh = self.parse(self.gateway.tickets(ids), ticket_row, "ticket")
        with self.store.transaction():
            self.store.put_tickets(fresh)
            self.store.clear_dirty(set(ids) - {r.id for r in fresh})
        return fresh
