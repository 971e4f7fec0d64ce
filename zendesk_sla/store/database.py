"""The small SQL interface the state store runs on: SQLite (default) or PostgreSQL.

The store writes SQLite's dialect; `PostgresDatabase` translates the few
differences (placeholders, INSERT OR REPLACE/IGNORE, types in the schema) and
adds the advisory lock that keeps two replicas from writing at once.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    import psycopg

Params = Sequence[Any]

# Primary keys of the tables written with INSERT OR REPLACE (the upsert's conflict target).
PRIMARY_KEYS = {
    "tickets": ("id",),
    "events": ("event_id",),
    "users": ("id",),
    "orgs": ("id",),
    "quota": ("ticket_id",),
    "dirty": ("ticket_id",),
    "notes": ("ticket_id", "key"),
    "quota_terms": ("organization_id",),
}
LOCK_KEY = 7_402_211_385  # pg_advisory_lock key of zendesk-sla


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Any: ...


class Database(Protocol):
    dialect: str

    def execute(self, sql: str, params: Params = ()) -> Cursor: ...
    def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...
    def begin(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    @property
    def in_transaction(self) -> bool: ...
    def schema_version(self) -> int: ...
    def set_schema_version(self, version: int) -> None: ...
    def ddl(self, statement: str) -> str: ...
    def close(self) -> None: ...
    def usable(self) -> bool: ...
    def reconnect(self) -> None: ...


class _Transactions:
    """COMMIT and ROLLBACK, the same on both databases."""

    conn: Any

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")


class SqliteDatabase(_Transactions):
    dialect = "sqlite"
    conn: sqlite3.Connection

    def __init__(self, path: str, read_only: bool = False) -> None:
        if read_only:  # a report by someone who may read the file, not write it
            self.conn = sqlite3.connect(
                read_only_uri(path), uri=True, isolation_level=None, check_same_thread=False
            )
            self.conn.execute("PRAGMA busy_timeout=5000")
            return
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=5000")

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self.conn.executemany(sql, rows)

    def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, version: int) -> None:
        self.conn.execute(f"PRAGMA user_version={int(version)}")

    def ddl(self, statement: str) -> str:
        return statement

    def usable(self) -> bool:
        return True  # a file: nothing to lose between statements

    def reconnect(self) -> None:
        return None

    def close(self) -> None:
        self.conn.close()


def read_only_uri(path: str) -> str:
    """SQLite's read-only URI for the state. While a worker has it open (its `-wal` file
    exists) the shared-memory index is used read-only; when none has (no `-wal`: every
    change is in the file) the file is read as immutable, which needs no write access to
    its folder for that index."""
    quoted = quote(str(Path(path).resolve()))
    if Path(f"{path}-wal").exists():
        return f"file:{quoted}?mode=ro"
    return f"file:{quoted}?mode=ro&immutable=1"


_UPSERT = re.compile(r"^\s*INSERT OR (REPLACE|IGNORE) INTO (\w+)", re.IGNORECASE)


class PostgresDatabase(_Transactions):
    """PostgreSQL through psycopg 3, autocommit with explicit transactions."""

    dialect = "postgres"
    conn: psycopg.Connection[Any]

    def __init__(self, url: str, connect_timeout: int = 10, read_only: bool = False) -> None:
        import psycopg  # an optional dependency: only a PostgreSQL store needs it

        self._error: type[Exception] = psycopg.Error
        self._url, self._timeout = url, connect_timeout
        self.conn = self._connect()
        if read_only:  # a report's role may have SELECT only
            self.conn.execute("SET default_transaction_read_only = on")
        else:
            self.conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        self._columns: dict[str, list[str]] = {}
        self._sql: dict[str, str] = {}

    def _connect(self) -> psycopg.Connection[Any]:
        import psycopg

        return psycopg.connect(self._url, autocommit=True, connect_timeout=self._timeout)

    def usable(self) -> bool:
        """False once the server went away (a restart, a failover): the session and any
        lock it held are gone, and `reconnect` must open a new one."""
        if self.conn.closed or self.conn.broken:
            return False
        try:
            self.conn.execute("SELECT 1")
        except self._error:
            return False
        return True

    def reconnect(self) -> None:
        """A new session in place of a lost one (raises psycopg's error while the server
        cannot be reached). Locks are not carried over: the caller takes them again."""
        with contextlib.suppress(self._error):
            self.conn.close()
        self.conn = self._connect()

    def try_lock(self) -> bool:
        """Take the cluster-wide worker lock; False while another replica holds it."""
        row = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        return bool(row and row[0])

    def _translate(self, sql: str) -> str:
        cached = self._sql.get(sql)
        if cached is not None:
            return cached
        text = sql
        match = _UPSERT.match(sql)
        if match:
            table = match.group(2)
            text = _UPSERT.sub(f"INSERT INTO {table}", sql, count=1)
            if match.group(1).upper() == "IGNORE":
                text += " ON CONFLICT DO NOTHING"
            else:
                keys = PRIMARY_KEYS[table]
                others = [c for c in self._table_columns(table) if c not in keys]
                updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
                text += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
        text = text.replace("?", "%s")
        self._sql[sql] = text
        return text

    def _table_columns(self, table: str) -> list[str]:
        if table not in self._columns:
            rows = self.conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = %s ORDER BY ordinal_position",
                (table,),
            ).fetchall()
            self._columns[table] = [r[0] for r in rows]
        return self._columns[table]

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        return self.conn.execute(self._translate(sql), list(params))

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = [list(r) for r in rows]
        if batch:
            with self.conn.cursor() as cursor:
                cursor.executemany(self._translate(sql), batch)

    def begin(self) -> None:
        self.conn.execute("BEGIN")

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.conn.info.transaction_status != TransactionStatus.IDLE)

    def schema_version(self) -> int:
        row = self.conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0) if row else 0

    def set_schema_version(self, version: int) -> None:
        self.conn.execute("DELETE FROM schema_version")
        self.conn.execute("INSERT INTO schema_version VALUES (%s)", (version,))

    def ddl(self, statement: str) -> str:
        text = re.sub(r"INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY", statement)
        text = re.sub(r"\bINTEGER\b", "BIGINT", text)
        return re.sub(r"\bREAL\b", "DOUBLE PRECISION", text)

    def close(self) -> None:
        """Release the worker lock before closing: the server frees a closed session's
        locks a moment later, and a replica taking over must not find it still held."""
        try:
            if not self.conn.closed:
                self.conn.execute("SELECT pg_advisory_unlock_all()")
        except self._error:  # a lost connection holds no lock any more
            pass
        finally:
            self.conn.close()


class DriverMissing(Exception):
    """A PostgreSQL URL, and no psycopg to reach it."""


def open_database(target: str, read_only: bool = False) -> Database:
    if target.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise DriverMissing(
                "ZENDESK_SLA_DATABASE_URL names PostgreSQL, but its driver is not installed: "
                "pip install 'zendesk-sla[postgres]'"
            ) from None
        return PostgresDatabase(target, read_only=read_only)
    return SqliteDatabase(target, read_only=read_only)
