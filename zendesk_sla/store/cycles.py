"""The log of cycles: when each started and finished, whether it succeeded, its summary."""

from __future__ import annotations

import json
import time
from typing import Any

from zendesk_sla.store.base import StoreBase


class CycleStore(StoreBase):
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
        """When a poll last succeeded: a sweep alone proves nothing about reading Zendesk."""
        row = self.db.execute(
            "SELECT max(finished) FROM cycles WHERE ok = 1 AND kind = 'poll'"
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def last_error(self) -> tuple[float, str] | None:
        """When the last failed cycle finished, and its error."""
        row = self.db.execute(
            "SELECT finished, summary FROM cycles WHERE ok = 0 AND finished IS NOT NULL "
            "ORDER BY finished DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        error = json.loads(row[1] or "{}").get("error") or "interrupted"
        return float(row[0]), str(error)
