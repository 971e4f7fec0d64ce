"""Sync cursors, small settings and a backfill queued for the daemon: key/value pairs in `meta`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable

from zendesk_sla.store.base import StoreBase

PROGRESS_KEYS = ("cursor:", "first_run:", "backfill:")
QUEUED_BACKFILL = "queued:backfill"  # (since, until) a command left for the running daemon

Range = tuple[int, int | None]


class CursorStore(StoreBase):
    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        if key.startswith(PROGRESS_KEYS):  # a page recorded: the worker moves (health)
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('progress:at', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(time.time()),),
            )

    def last_progress(self) -> float | None:
        value = self.get("progress:at")
        return None if value is None else float(value)

    def forget(self, keys: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in keys])

    def queue_backfill(self, since: int, until: int | None) -> Range:
        """Leave a backfill for the daemon that holds the lock; a range already waiting
        is widened to cover both. Returns the range that now waits."""
        waiting = self.queued_backfill()
        if waiting is not None:
            since = min(since, waiting[0])
            until = None if until is None or waiting[1] is None else max(until, waiting[1])
        self.put(QUEUED_BACKFILL, json.dumps([since, until]))
        return since, until

    def queued_backfill(self) -> Range | None:
        value = self.get(QUEUED_BACKFILL)
        if value is None:
            return None
        since, until = json.loads(value)
        return int(since), None if until is None else int(until)

    def backfill_done(self, done: Range) -> None:
        """Forget the queued range once run (a wider one queued meanwhile stays)."""
        if self.queued_backfill() == done:
            self.forget([QUEUED_BACKFILL])
