"""Zendesk's records as the worker last saw them: tickets, events, users, organizations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from zendesk_sla.core.timeline import Comment, StatusChange
from zendesk_sla.store.base import StoreBase
from zendesk_sla.zendesk.parse import EventRow, OrgRow, TicketRow, UserRow


class TicketStore(StoreBase):
    def put_tickets(self, rows: Sequence[TicketRow]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    r.id,
                    r.status,
                    r.priority,
                    r.subject,
                    r.description[:2000],
                    r.via_channel,
                    r.organization_id,
                    r.requester_id,
                    json.dumps(r.tags),
                    json.dumps(r.custom_fields),
                    r.created_at,
                    r.updated_at,
                    r.generated_timestamp,
                    r.updated_stamp,
                    r.submitter_id,
                )
                for r in rows
            ],
        )

    def put_events(self, rows: Iterable[EventRow]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    r.event_id,
                    r.ticket_id,
                    r.at,
                    r.kind,
                    r.status,
                    int(r.public),
                    r.author_id,
                    int(r.automated),
                )
                for r in rows
            ],
        )

    def put_users(self, rows: Iterable[UserRow]) -> None:
        users = list(rows)
        self.db.executemany(
            "INSERT OR REPLACE INTO users VALUES (?,?,?,?,?,?)",
            [
                (
                    r.id,
                    r.role,
                    r.organization_id,
                    None if r.authorized is None else int(r.authorized),
                    r.name,
                    r.locale,
                )
                for r in users
            ],
        )
        self.db.executemany("DELETE FROM contacts WHERE user_id = ?", [(r.id,) for r in users])
        self.db.executemany(
            "INSERT INTO contacts VALUES (?, ?)",
            [(r.id, org) for r in users for org in sorted(r.contact_orgs)],
        )

    def put_orgs(self, rows: Iterable[OrgRow]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO orgs VALUES (?,?,?,?)",
            [(r.id, r.name, r.external_id, json.dumps(r.fields)) for r in rows],
        )

    def tickets(self, ids: Sequence[int]) -> dict[int, TicketRow]:
        query = "SELECT * FROM tickets WHERE id IN ({marks})"
        return {row[0]: _ticket(row) for row in self._rows_in(query, ids)}

    def status_changes(self, ticket_ids: Sequence[int]) -> dict[int, list[StatusChange]]:
        """Each ticket's status changes in order (the index (ticket_id, at), then event id)."""
        query = (
            "SELECT ticket_id, at, status FROM events WHERE ticket_id IN ({marks}) "
            "AND kind = 'status' AND status IS NOT NULL AND status != '' "
            "ORDER BY ticket_id, at, event_id"
        )
        out: dict[int, list[StatusChange]] = {}
        changes: list[StatusChange] = []
        current = None
        for ticket_id, at, status in self._rows_in(query, ticket_ids):
            if ticket_id != current:
                current = ticket_id
                changes = out[ticket_id] = []
            changes.append(StatusChange(at, status))
        return out

    def comments(self, ticket_ids: Sequence[int]) -> dict[int, list[Comment]]:
        """Each ticket's comments in order, with their author's role as the state knows it
        (an author it has no record of reads as an end-user)."""
        query = (
            "SELECT e.ticket_id, e.at, e.public, COALESCE(u.role, 'end-user'), e.automated, "
            "e.author_id FROM events e LEFT JOIN users u ON u.id = e.author_id "
            "WHERE e.ticket_id IN ({marks}) AND e.kind = 'comment' "
            "ORDER BY e.ticket_id, e.at, e.event_id"
        )
        out: dict[int, list[Comment]] = {}
        comments: list[Comment] = []
        current = None
        for ticket_id, at, public, role, automated, author in self._rows_in(query, ticket_ids):
            if ticket_id != current:
                current = ticket_id
                comments = out[ticket_id] = []
            comments.append(Comment(at, public == 1, role, automated == 1, author))
        return out

    def roles(self, user_ids: Iterable[int]) -> dict[int, str]:
        return dict(self._rows_in("SELECT id, role FROM users WHERE id IN ({marks})", user_ids))

    def orgs(self, org_ids: Iterable[int]) -> dict[int, OrgRow]:
        return {
            oid: OrgRow(oid, name, ext, json.loads(fields))
            for oid, name, ext, fields in self._rows_in(
                "SELECT * FROM orgs WHERE id IN ({marks})", org_ids
            )
        }

    def users(self, user_ids: Iterable[int]) -> dict[int, UserRow]:
        query = (
            "SELECT id, role, organization_id, authorized, name, locale FROM users "
            "WHERE id IN ({marks})"
        )
        ids = list(user_ids)
        contacts: dict[int, set[int]] = {}
        for uid, org in self._rows_in(
            "SELECT user_id, organization_id FROM contacts WHERE user_id IN ({marks})", ids
        ):
            contacts.setdefault(uid, set()).add(org)
        return {
            uid: UserRow(
                uid,
                role,
                org,
                None if ok is None else bool(ok),
                name,
                locale,
                frozenset(contacts.get(uid, ())),
            )
            for uid, role, org, ok, name, locale in self._rows_in(query, ids)
        }

    def names(self, user_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """Each user's name and language."""
        query = "SELECT id, name, locale FROM users WHERE id IN ({marks})"
        return {uid: (name, locale) for uid, name, locale in self._rows_in(query, user_ids)}

    def ticket_ids_between(self, since: int, until: int | None) -> list[int]:
        """Tickets changed in [since, until], by id (a backfill's range)."""
        query = "SELECT id FROM tickets WHERE generated_timestamp >= ? AND status != 'deleted'"
        params: list[int] = [since]
        if until is not None:
            query += " AND generated_timestamp <= ?"
            params.append(until)
        return [r[0] for r in self.db.execute(query + " ORDER BY id", params)]

    def all_org_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM orgs ORDER BY id")]

    def authorized(self, org_ids: Iterable[int]) -> dict[int, set[int]]:
        """Authorized contacts per organization (POLICY 7). A user tagged for some
        organizations (`sla_contact_<id>`) is a contact of exactly those; a user with the
        `authorized` checkbox and no such tag, of every organization it belongs to (its
        default one and its memberships)."""
        out: dict[int, set[int]] = {}
        ids = list(org_ids)
        untagged = "NOT EXISTS (SELECT 1 FROM contacts c WHERE c.user_id = u.id)"
        by_tag = "SELECT organization_id, user_id FROM contacts WHERE organization_id IN ({marks})"
        by_default = (
            f"SELECT u.organization_id, u.id FROM users u WHERE u.authorized = 1 AND {untagged} "
            "AND u.organization_id IN ({marks})"
        )
        by_membership = (
            "SELECT m.organization_id, u.id FROM memberships m JOIN users u ON u.id = m.user_id "
            f"WHERE u.authorized = 1 AND {untagged} AND m.organization_id IN ({{marks}})"
        )
        for query in (by_tag, by_default, by_membership):
            for oid, uid in self._rows_in(query, ids):
                out.setdefault(oid, set()).add(uid)
        return out

    def put_memberships(self, user_id: int, org_ids: Iterable[int]) -> None:
        """A user's organizations, as Zendesk lists them now (replacing what was known)."""
        self.db.execute("DELETE FROM memberships WHERE user_id = ?", (user_id,))
        self.db.executemany(
            "INSERT INTO memberships VALUES (?, ?)", [(user_id, o) for o in sorted(set(org_ids))]
        )

    def clear_memberships(self, user_ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM memberships WHERE user_id = ?", [(u,) for u in user_ids])

    def authorized_user_ids(self) -> list[int]:
        return [
            r[0] for r in self.db.execute("SELECT id FROM users WHERE authorized = 1 ORDER BY id")
        ]

    def member_orgs(self, user_ids: Iterable[int]) -> set[int]:
        query = "SELECT DISTINCT organization_id FROM memberships WHERE user_id IN ({marks})"
        return {r[0] for r in self._rows_in(query, user_ids)}

    def live_ticket_ids(self) -> list[int]:
        """Tickets whose clocks may still move: everything not closed or deleted."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM tickets WHERE status NOT IN ('closed', 'deleted') ORDER BY id"
            )
        ]

    def org_ticket_ids(self, org_ids: Iterable[int]) -> list[int]:
        query = "SELECT id FROM tickets WHERE organization_id IN ({marks})"
        return sorted(r[0] for r in self._rows_in(query, org_ids))

    def record_snapshots(self, rows: Sequence[tuple[int, Sequence[str], dict[str, Any]]]) -> None:
        """Mirror confirmed writes (tags, fields) in the local snapshot, until the export
        brings the tickets."""
        query = "SELECT id, custom_fields FROM tickets WHERE id IN ({marks})"
        held = dict(self._rows_in(query, [ticket_id for ticket_id, _, _ in rows]))
        self.db.executemany(
            "UPDATE tickets SET tags = ?, custom_fields = ? WHERE id = ?",
            [
                (json.dumps(list(tags)), json.dumps({**json.loads(held[tid]), **fields}), tid)
                for tid, tags, fields in rows
                if tid in held
            ],
        )

    def set_status(self, ticket_id: int, status: str) -> None:
        self.db.execute("UPDATE tickets SET status = ? WHERE id = ?", (status, ticket_id))

    def put_org_fields(self, org_id: int, fields: dict[str, Any]) -> None:
        row = self.db.execute("SELECT fields FROM orgs WHERE id = ?", (org_id,)).fetchone()
        if row is not None:
            merged = {**json.loads(row[0]), **fields}
            self.db.execute("UPDATE orgs SET fields = ? WHERE id = ?", (json.dumps(merged), org_id))


@lru_cache(maxsize=16_384)
def tags_of(text: str) -> tuple[str, ...]:
    """A stored tag list: an account has a few thousand distinct ones, read again and again."""
    return tuple(json.loads(text))


def _ticket(row: Sequence[Any]) -> TicketRow:
    return TicketRow(
        id=row[0],
        status=row[1],
        priority=row[2],
        subject=row[3],
        description=row[4],
        via_channel=row[5],
        organization_id=row[6],
        requester_id=row[7],
        tags=tags_of(row[8]),
        custom_fields=json.loads(row[9]),
        created_at=row[10],
        updated_at=row[11],
        generated_timestamp=row[12],
        updated_stamp=row[13],
        submitter_id=row[14] if len(row) > 14 else None,
    )
