"""The worker's durable state in SQLite (WAL, versioned schema).

Holds the sync cursors, the ticket snapshots and timelines the core decides
on, the directory (users, organizations), what the worker last applied, the
notes and notices it posted (with intents recorded before each write), the
tickets whose write must be retried, and a log of cycles.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zendesk_sla.core.facts import QuotaMark
from zendesk_sla.database import Database, open_database
from zendesk_sla.zendesk.parse import EventRow, OrgRow, TicketRow, UserRow

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY, status TEXT NOT NULL, priority TEXT, subject TEXT NOT NULL,
        description TEXT NOT NULL, via_channel TEXT NOT NULL, organization_id INTEGER,
        requester_id INTEGER, tags TEXT NOT NULL, custom_fields TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        generated_timestamp INTEGER NOT NULL, updated_stamp TEXT NOT NULL
    );
    CREATE INDEX tickets_status ON tickets(status);
    CREATE INDEX tickets_org ON tickets(organization_id, created_at);
    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, at INTEGER NOT NULL,
        kind TEXT NOT NULL, status TEXT, public INTEGER NOT NULL, author_id INTEGER,
        automated INTEGER NOT NULL
    );
    CREATE INDEX events_ticket ON events(ticket_id, at);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY, role TEXT NOT NULL, organization_id INTEGER, authorized INTEGER,
        name TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX users_org ON users(organization_id);
    CREATE TABLE orgs (id INTEGER PRIMARY KEY, name TEXT, external_id TEXT, fields TEXT NOT NULL);
    CREATE TABLE applied (
        ticket_id INTEGER PRIMARY KEY, organization_id INTEGER, plan TEXT, severity TEXT,
        eligible INTEGER NOT NULL, response_state TEXT, resolution_state TEXT,
        response_due TEXT, resolution_due TEXT, created_at INTEGER, evaluated_at INTEGER,
        written_plan TEXT, written_severity TEXT, reason TEXT
    );
    CREATE TABLE notes (
        ticket_id INTEGER NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (ticket_id, key)
    );
    CREATE TABLE quota (
        ticket_id INTEGER PRIMARY KEY, organization_id INTEGER NOT NULL, year_start TEXT NOT NULL,
        state TEXT NOT NULL, position INTEGER, notes TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX quota_org ON quota(organization_id, year_start);
    CREATE TABLE quota_years (
        organization_id INTEGER NOT NULL, year_start TEXT NOT NULL, year_end TEXT NOT NULL,
        included INTEGER, used INTEGER NOT NULL, grace INTEGER NOT NULL, exempt INTEGER NOT NULL,
        PRIMARY KEY (organization_id, year_start)
    );
    CREATE TABLE dirty (ticket_id INTEGER PRIMARY KEY, reason TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE TABLE cycles (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started REAL NOT NULL,
        finished REAL, ok INTEGER, summary TEXT
    );
    """,
)

PENDING, SENT = "pending", "sent"


@dataclass(frozen=True)
class Applied:
    ticket_id: int
    organization_id: int | None
    plan: str | None
    severity: str | None
    eligible: bool
    response_state: str | None
    resolution_state: str | None
    response_due: str | None
    resolution_due: str | None
    created_at: int
    reason: str | None = None


class StateStore:
    """The state, in a SQLite file (a path) or a PostgreSQL database (a postgresql:// URL)."""

    def __init__(self, target: str | Path, *, dry_run: bool = False) -> None:
        self.target = str(target)
        self.path = Path(target)
        postgres = self.target.startswith(("postgresql://", "postgres://"))
        if not postgres and self.target != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db: Database = open_database(self.target)
        self.dry_run = dry_run
        self._closed = False
        self._depth = 0
        self._migrate()
        if dry_run:
            self.db.begin()  # everything a dry run records is rolled back at close

    def _migrate(self) -> None:
        version = self.db.schema_version()
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            self.db.begin()
            for statement in script.split(";"):
                if statement.strip():
                    self.db.execute(self.db.ddl(statement))
            self.db.set_schema_version(number)
            self.db.commit()

    @property
    def schema_version(self) -> int:
        return self.db.schema_version()

    def acquire(self) -> bool:
        """Become the one writer: always so on SQLite, by advisory lock on PostgreSQL."""
        try_lock = getattr(self.db, "try_lock", None)
        return True if try_lock is None else bool(try_lock())

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.dry_run and self.db.in_transaction:
            self.db.rollback()
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing; nested calls join the outer one. A dry run never commits."""
        if self.dry_run or self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.rollback()
            raise
        else:
            self.db.commit()
        finally:
            self._depth = 0

    # -- meta and cursors ----------------------------------------------------------------
    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    # -- ingest --------------------------------------------------------------------------
    def put_tickets(self, rows: Sequence[TicketRow]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
        self.db.executemany(
            "INSERT OR REPLACE INTO users VALUES (?,?,?,?,?)",
            [
                (
                    r.id,
                    r.role,
                    r.organization_id,
                    None if r.authorized is None else int(r.authorized),
                    r.name,
                )
                for r in rows
            ],
        )

    def put_orgs(self, rows: Iterable[OrgRow]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO orgs VALUES (?,?,?,?)",
            [(r.id, r.name, r.external_id, json.dumps(r.fields)) for r in rows],
        )

    # -- reads for decide ------------------------------------------------------------------
    def _rows_in(self, query: str, ids: Iterable[int]) -> Iterator[Any]:
        """Rows of `query`, whose `{marks}` takes an IN list of `ids`, a chunk at a time."""
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(query.format(marks=marks), chunk)

    def tickets(self, ids: Sequence[int]) -> dict[int, TicketRow]:
        query = "SELECT * FROM tickets WHERE id IN ({marks})"
        return {row[0]: _ticket(row) for row in self._rows_in(query, ids)}

    def events(self, ticket_ids: Sequence[int]) -> dict[int, list[EventRow]]:
        out: dict[int, list[EventRow]] = {}
        query = "SELECT * FROM events WHERE ticket_id IN ({marks}) ORDER BY at, event_id"
        for e in self._rows_in(query, ticket_ids):
            out.setdefault(e[1], []).append(
                EventRow(e[1], e[0], e[2], e[3], e[4], bool(e[5]), e[6], bool(e[7]))
            )
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

    def ticket_ids_between(self, since: int, until: int | None) -> list[int]:
        """Tickets changed in [since, until], by id (a backfill's range)."""
        query = "SELECT id FROM tickets WHERE generated_timestamp >= ? AND status != 'deleted'"
        params: list[int] = [since]
        if until is not None:
            query += " AND generated_timestamp <= ?"
            params.append(until)
        return [r[0] for r in self.db.execute(query + " ORDER BY id", params)]

    def forget(self, keys: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in keys])

    def all_org_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT id FROM orgs ORDER BY id")]

    def authorized(self, org_ids: Iterable[int]) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        query = (
            "SELECT organization_id, id FROM users WHERE authorized = 1 "
            "AND organization_id IN ({marks})"
        )
        for oid, uid in self._rows_in(query, org_ids):
            out.setdefault(oid, set()).add(uid)
        return out

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

    # -- what the worker applied and posted --------------------------------------------------
    def record_applied(self, rows: Iterable[Applied], now: int) -> None:
        self.db.executemany(
            "INSERT INTO applied(ticket_id, organization_id, plan, severity, eligible, "
            "response_state, resolution_state, response_due, resolution_due, created_at, "
            "evaluated_at, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(ticket_id) DO UPDATE SET reason=excluded.reason, "
            "organization_id=excluded.organization_id, plan=excluded.plan, "
            "severity=excluded.severity, eligible=excluded.eligible, "
            "response_state=excluded.response_state, resolution_state=excluded.resolution_state, "
            "response_due=excluded.response_due, resolution_due=excluded.resolution_due, "
            "created_at=excluded.created_at, evaluated_at=excluded.evaluated_at",
            [
                (
                    a.ticket_id,
                    a.organization_id,
                    a.plan,
                    a.severity,
                    int(a.eligible),
                    a.response_state,
                    a.resolution_state,
                    a.response_due,
                    a.resolution_due,
                    a.created_at,
                    now,
                    a.reason,
                )
                for a in rows
            ],
        )

    def written(self, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
        query = (
            "SELECT ticket_id, written_plan, written_severity FROM applied "
            "WHERE ticket_id IN ({marks}) AND (written_plan IS NOT NULL "
            "OR written_severity IS NOT NULL)"
        )
        return {tid: (plan, severity) for tid, plan, severity in self._rows_in(query, ids)}

    def record_written(
        self,
        ticket_id: int,
        plan: str | None,
        severity: str | None,
        tags: Sequence[str],
        custom_fields: dict[str, Any],
    ) -> None:
        """After a confirmed write: remember it, and mirror it in the local snapshot."""
        self.db.execute(
            "UPDATE applied SET written_plan = ?, written_severity = ? WHERE ticket_id = ?",
            (plan, severity, ticket_id),
        )
        self.record_snapshot(ticket_id, tags, custom_fields)

    def record_snapshot(
        self, ticket_id: int, tags: Sequence[str], custom_fields: dict[str, Any]
    ) -> None:
        """Mirror a confirmed write in the local snapshot, until the export brings the ticket."""
        row = self.db.execute(
            "SELECT custom_fields FROM tickets WHERE id = ?", (ticket_id,)
        ).fetchone()
        if row is not None:
            merged = {**json.loads(row[0]), **custom_fields}
            self.db.execute(
                "UPDATE tickets SET tags = ?, custom_fields = ? WHERE id = ?",
                (json.dumps(list(tags)), json.dumps(merged), ticket_id),
            )

    def set_status(self, ticket_id: int, status: str) -> None:
        self.db.execute("UPDATE tickets SET status = ? WHERE id = ?", (status, ticket_id))

    def notes(self, ids: Sequence[int]) -> dict[int, dict[str, tuple[str, int]]]:
        """Per ticket: note key -> (state, when it was recorded)."""
        out: dict[int, dict[str, tuple[str, int]]] = {}
        query = "SELECT ticket_id, key, state, at FROM notes WHERE ticket_id IN ({marks})"
        for tid, key, state, at in self._rows_in(query, ids):
            out.setdefault(tid, {})[key] = (state, at)
        return out

    def names(self, user_ids: Iterable[int]) -> dict[int, str]:
        return dict(self._rows_in("SELECT id, name FROM users WHERE id IN ({marks})", user_ids))

    # -- quota ---------------------------------------------------------------------------------
    def quota_marks(self, ids: Sequence[int]) -> dict[int, QuotaMark]:
        """Per ticket: its quota state and the quota notes it should carry."""
        query = "SELECT ticket_id, state, notes FROM quota WHERE ticket_id IN ({marks})"
        return {
            tid: QuotaMark(state == "exceeded", tuple((str(k), str(t)) for k, t in json.loads(n)))
            for tid, state, n in self._rows_in(query, ids)
        }

    def put_quota(
        self,
        org_id: int,
        lines: Iterable[tuple[int, str, str, int | None, list[tuple[str, str]]]],
        years: Iterable[tuple[str, str, int | None, int, int, int]],
    ) -> None:
        self.db.execute("DELETE FROM quota WHERE organization_id = ?", (org_id,))
        self.db.execute("DELETE FROM quota_years WHERE organization_id = ?", (org_id,))
        self.db.executemany(
            "INSERT OR REPLACE INTO quota VALUES (?,?,?,?,?,?)",
            [
                (tid, org_id, year, state, pos, json.dumps(notes))
                for tid, year, state, pos, notes in lines
            ],
        )
        self.db.executemany(
            "INSERT INTO quota_years VALUES (?,?,?,?,?,?,?)", [(org_id, *y) for y in years]
        )

    def quota_years(self) -> list[tuple[int, str, str, int | None, int, int, int]]:
        return list(
            self.db.execute("SELECT * FROM quota_years ORDER BY organization_id, year_start")
        )

    def org_note_keys(self, org_id: int, prefix: str) -> set[str]:
        """Keys of notes posted (or being posted) on any ticket of the organization."""
        query = (
            "SELECT DISTINCT n.key FROM notes n JOIN tickets t ON t.id = n.ticket_id "
            "WHERE t.organization_id = ? AND n.key LIKE ?"
        )
        return {r[0] for r in self.db.execute(query, (org_id, prefix + "%"))}

    def previous_orgs(self, ids: Sequence[int]) -> set[int]:
        """Organizations the worker last saw these tickets in (a ticket may move)."""
        query = (
            "SELECT organization_id FROM applied WHERE organization_id IS NOT NULL "
            "AND ticket_id IN ({marks})"
        )
        return {r[0] for r in self._rows_in(query, ids)}

    def put_org_fields(self, org_id: int, fields: dict[str, Any]) -> None:
        row = self.db.execute("SELECT fields FROM orgs WHERE id = ?", (org_id,)).fetchone()
        if row is not None:
            merged = {**json.loads(row[0]), **fields}
            self.db.execute("UPDATE orgs SET fields = ? WHERE id = ?", (json.dumps(merged), org_id))

    def uncertain_notes(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for tid, key in self.db.execute(
            f"SELECT ticket_id, key FROM notes WHERE state = '{PENDING}'"
        ):
            out.setdefault(tid, []).append(key)
        return out

    def note_intent(self, ticket_id: int, keys: Iterable[str], now: int) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO notes VALUES (?, ?, ?, ?)",
            [(ticket_id, key, PENDING, now) for key in keys],
        )

    def note_sent(self, ticket_id: int, keys: Iterable[str], now: int) -> None:
        self.db.executemany(
            "INSERT INTO notes VALUES (?, ?, ?, ?) ON CONFLICT(ticket_id, key) "
            "DO UPDATE SET state = excluded.state, at = excluded.at",
            [(ticket_id, key, SENT, now) for key in keys],
        )

    def note_dropped(self, ticket_id: int, keys: Iterable[str]) -> None:
        self.db.executemany(
            f"DELETE FROM notes WHERE ticket_id = ? AND key = ? AND state = '{PENDING}'",
            [(ticket_id, key) for key in keys],
        )

    # -- retries ---------------------------------------------------------------------------
    def mark_dirty(self, ids: Iterable[int], reason: str, now: int) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO dirty VALUES (?, ?, ?)", [(i, reason, now) for i in ids]
        )

    def clear_dirty(self, ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM dirty WHERE ticket_id = ?", [(i,) for i in ids])

    def dirty_ids(self) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT ticket_id FROM dirty ORDER BY ticket_id")]

    # -- cycles ------------------------------------------------------------------------------
    def cycle_started(self, kind: str) -> int:
        row = self.db.execute(
            "INSERT INTO cycles(kind, started) VALUES (?, ?) RETURNING id", (kind, time.time())
        ).fetchone()
        return int(row[0])

    def cycle_finished(self, cycle_id: int, ok: bool, summary: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE cycles SET finished = ?, ok = ?, summary = ? WHERE id = ?",
            (time.time(), int(ok), json.dumps(summary), cycle_id),
        )

    def last_success(self) -> float | None:
        row = self.db.execute("SELECT max(finished) FROM cycles WHERE ok = 1").fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def applied_rows(self) -> list[Applied]:
        return [
            Applied(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8], r[9], r[10])
            for r in self.db.execute(
                "SELECT ticket_id, organization_id, plan, severity, eligible, response_state, "
                "resolution_state, response_due, resolution_due, created_at, reason FROM applied "
                "ORDER BY ticket_id"
            )
        ]


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
        tags=tuple(json.loads(row[8])),
        custom_fields=json.loads(row[9]),
        created_at=row[10],
        updated_at=row[11],
        generated_timestamp=row[12],
        updated_stamp=row[13],
    )


def _chunks(ids: Sequence[int] | list[int], size: int = 900) -> Iterator[list[int]]:
    items = list(ids)
    for start in range(0, len(items), size):
        yield items[start : start + size]
