"""The connection under every part of the state: migrations, transactions, chunked IN queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from zendesk_sla.store.database import Database, open_database
from zendesk_sla.store.schema import MIGRATIONS


class StoreBase:
    """A SQLite file (a path) or a PostgreSQL database (a postgresql:// URL), migrated."""

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

    def _rows_in(self, query: str, ids: Iterable[int]) -> Iterator[Any]:
        """Rows of `query`, whose `{marks}` takes an IN list of `ids`, a chunk at a time."""
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(query.format(marks=marks), chunk)


def _chunks(ids: Sequence[int] | list[int], size: int = 900) -> Iterator[list[int]]:
    items = list(ids)
    for start in range(0, len(items), size):
        yield items[start : start + size]
