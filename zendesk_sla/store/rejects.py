"""What Zendesk sent that the worker could not read: skipped records and ignored fields."""

from __future__ import annotations

from typing import Any

from zendesk_sla.store.base import StoreBase


class RejectStore(StoreBase):
    def reject(self, kind: str, record_id: str, field: str, reason: str, now: int) -> bool:
        """Record a reject; True the first time this record's field is seen bad."""
        row = self.db.execute(
            "SELECT seen FROM rejects WHERE kind = ? AND record_id = ? AND field = ?",
            (kind, record_id, field),
        ).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO rejects VALUES (?, ?, ?, ?, ?, ?, 1)",
                (kind, record_id, field, reason[:300], now, now),
            )
            return True
        self.db.execute(
            "UPDATE rejects SET reason = ?, last_seen = ?, seen = seen + 1 "
            "WHERE kind = ? AND record_id = ? AND field = ?",
            (reason[:300], now, kind, record_id, field),
        )
        return False

    def rejects(self) -> list[dict[str, Any]]:
        columns = ("kind", "record_id", "field", "reason", "first_seen", "last_seen", "seen")
        rows = self.db.execute(
            f"SELECT {', '.join(columns)} FROM rejects ORDER BY kind, record_id, field"
        )
        return [dict(zip(columns, row, strict=True)) for row in rows]
