"""The connection under every part of the state: migrations, transactions, chunked IN queries."""

from __future__ import annotations

import errno
import fcntl
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from zendesk_sla.store.database import Database, DriverMissing, open_database
from zendesk_sla.store.schema import MIGRATIONS


class StateError(Exception):
    """The state cannot be opened (a path not writable, a database not reachable)."""


class LockLost(StateError):
    """The database came back, but another replica took the worker lock meanwhile."""


# Waits between reconnection attempts after a lost database connection: 31 s in all,
# so a restarted PostgreSQL is found again within the cycle that noticed it.
RECONNECT_WAITS = (1.0, 2.0, 4.0, 8.0, 16.0)


FULL_OR_BROKEN = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG}


def storage_failure(exc: BaseException) -> str | None:
    """A failure of the state's disk or database during work, in one line (None: not one):
    a full disk, a read-only file system, a database gone. Run again once it is fixed:
    what was recorded stays, the open transaction was rolled back."""
    if isinstance(exc, OSError) and exc.errno not in FULL_OR_BROKEN:
        return None
    if not is_storage_error(exc) or isinstance(exc, StateError):
        return None
    return (
        f"the state could not be written or read: {storage_reason(exc)}; "
        "fix it and run again (what was recorded is kept, the next run resumes)"
    )


def storage_reason(exc: BaseException) -> str:
    """A storage error in one line: the OS's words, else the driver's first line."""
    reason = getattr(exc, "strerror", None) or (str(exc).strip().splitlines() or [""])[0]
    return reason[:200] or type(exc).__name__


def is_storage_error(exc: BaseException) -> bool:
    """An error of the state's database or file system (not a bug of the worker)."""
    module = type(exc).__module__
    return isinstance(exc, OSError | sqlite3.Error | StateError) or module.startswith("psycopg")


def _shown(target: str) -> str:
    """The state's location without a password."""
    if "://" not in target:
        return target
    parts = urlsplit(target)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class StoreBase:
    """A SQLite file (a path) or a PostgreSQL database (a postgresql:// URL), migrated."""

    def __init__(
        self, target: str | Path, *, dry_run: bool = False, read_only: bool = False
    ) -> None:
        """`read_only`: for reports, which may run with read access only; it migrates
        nothing, so a state of another schema is refused in one line."""
        self.target = str(target)
        self.path = Path(target)
        postgres = self.target.startswith(("postgresql://", "postgres://"))
        self.dry_run = dry_run
        self._closed = False
        self._depth = 0
        self._lock_file: IO[str] | None = None
        self._holds_lock = False
        try:
            if not postgres and self.target != ":memory:" and not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db: Database = open_database(self.target, read_only)
            self._migrate(read_only)
        except StateError:
            raise
        except DriverMissing as exc:
            raise StateError(str(exc)) from None
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            where = _shown(self.target)
            reason = getattr(exc, "strerror", None) or str(exc).strip().splitlines()[-1][:200]
            raise StateError(f"cannot open the state at {where}: {reason}") from None
        if dry_run:
            self.db.begin()  # everything a dry run records is rolled back at close

    def _migrate(self, read_only: bool = False) -> None:
        version = self.db.schema_version()
        if version > len(MIGRATIONS):  # a downgrade: this release cannot read it safely
            raise StateError(
                f"the state at {_shown(self.target)} has schema version {version}, written by "
                f"a newer zendesk-sla (this one knows up to {len(MIGRATIONS)}): run the newer "
                "release, or restore a backup taken before the upgrade (docs/operations.md)"
            )
        if read_only:
            if version < len(MIGRATIONS):
                raise StateError(
                    f"the state at {_shown(self.target)} has schema version {version}, from an "
                    "older zendesk-sla: start the worker once (it upgrades the state), then read it"
                )
            return
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
        """Become the one writer: an advisory lock on PostgreSQL; on SQLite, an exclusive
        lock on a file beside the state, so a backfill never runs beside the daemon."""
        try_lock = getattr(self.db, "try_lock", None)
        if try_lock is not None:
            self._holds_lock = bool(try_lock())
            return self._holds_lock
        if self.target == ":memory:":
            return True
        if self._lock_file is None:
            handle = open(f"{self.target}.lock", "a+")  # noqa: SIM115 - held until close
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self._lock_file = handle
        return True

    def recover(self, wait: Callable[[float], bool]) -> None:
        """After a lost connection (PostgreSQL restarted or failed over): reconnect, waiting
        `RECONNECT_WAITS` between attempts (`wait` returns True to give up: a stop), and
        take the worker lock again if it was held. Raises `StateError` while the database
        cannot be reached and `LockLost` if another replica holds the lock now."""
        if self.db.usable():
            return
        where, reason = _shown(self.target), "stopped while reconnecting"
        for pause in (0.0, *RECONNECT_WAITS):
            if pause and wait(pause):
                break
            try:
                self.db.reconnect()
            except Exception as exc:
                if not is_storage_error(exc):
                    raise
                reason = storage_reason(exc)
                continue
            self._depth = 0
            if self._holds_lock and not self.acquire():
                raise LockLost(f"the state at {where} is back, but another replica holds the lock")
            return
        raise StateError(f"cannot reach the state at {where}: {reason}")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.dry_run and self.db.in_transaction:
            self.db.rollback()
        self.db.close()
        if self._lock_file is not None:
            self._lock_file.close()  # releases the lock
            self._lock_file = None

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

    def _rows_in(self, query: str, ids: Iterable[Any], params: Sequence[object] = ()) -> list[Any]:
        """Rows of `query`, whose `{marks}` takes an IN list of `ids` (ids or keys), a chunk
        at a time; `params` fill the placeholders written before it."""
        rows: list[Any] = []
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            rows += self.db.execute(query.format(marks=marks), [*params, *chunk]).fetchall()
        return rows


def _chunks(ids: Sequence[Any], size: int = 900) -> Iterator[list[Any]]:
    items = list(ids)
    for start in range(0, len(items), size):
        yield items[start : start + size]
