"""Sync cursors and small settings, kept as key/value pairs in `meta`."""

from __future__ import annotations

import time
from collections.abc import Iterable

from zendesk_sla.store.base import StoreBase

PROGRESS_KEYS = ("cursor:", "first_run:", "backfill:")


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
