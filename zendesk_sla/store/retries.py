"""Writes to retry: tickets whose write failed, their attempts and back-off, and the writes
Zendesk refused for good (handed to an agent until the ticket changes)."""

from __future__ import annotations

from collections.abc import Iterable

from zendesk_sla.store.base import StoreBase


class RetryStore(StoreBase):
    def mark_dirty(self, ids: Iterable[int], reason: str, now: int) -> None:
        """Retry these tickets next cycle (a write whose outcome is unknown or conflicted)."""
        self.db.executemany(
            "INSERT INTO dirty(ticket_id, reason, at) VALUES (?, ?, ?) ON CONFLICT(ticket_id) "
            "DO UPDATE SET reason = excluded.reason, at = excluded.at",
            [(i, reason, now) for i in ids],
        )

    def count_refusal(self, ticket_id: int, reason: str, now: int, retry_at: int) -> int:
        """One more refused attempt; retried not before `retry_at`. The attempts so far."""
        self.db.execute(
            "INSERT INTO dirty(ticket_id, reason, at, attempts, retry_at) VALUES (?, ?, ?, 1, ?) "
            "ON CONFLICT(ticket_id) DO UPDATE SET reason = excluded.reason, at = excluded.at, "
            "attempts = dirty.attempts + 1, retry_at = excluded.retry_at",
            (ticket_id, reason, now, retry_at),
        )
        row = self.db.execute("SELECT attempts FROM dirty WHERE ticket_id = ?", (ticket_id,))
        return int(row.fetchone()[0])

    def attempts(self, ticket_id: int) -> int:
        row = self.db.execute(
            "SELECT attempts FROM dirty WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def clear_dirty(self, ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM dirty WHERE ticket_id = ?", [(i,) for i in ids])

    def dirty_ids(self, due_by: int | None = None) -> list[int]:
        """Tickets to retry; with `due_by`, only those whose back-off has passed."""
        if due_by is None:
            rows = self.db.execute("SELECT ticket_id FROM dirty ORDER BY ticket_id")
        else:
            rows = self.db.execute(
                "SELECT ticket_id FROM dirty WHERE retry_at <= ? ORDER BY ticket_id", (due_by,)
            )
        return [r[0] for r in rows]

    def backing_off(self, ids: Iterable[int], now: int) -> set[int]:
        """Those of `ids` whose refused write must wait before it is tried again."""
        query = "SELECT ticket_id FROM dirty WHERE retry_at > ? AND ticket_id IN ({marks})"
        out: set[int] = set()
        for chunk in _chunked(sorted(set(ids))):
            marks = ",".join("?" * len(chunk))
            out |= {r[0] for r in self.db.execute(query.format(marks=marks), [now, *chunk])}
        return out

    def refuse(self, ticket_id: int, fingerprint: str, reason: str, now: int) -> None:
        """Zendesk refused this write for good: an agent takes over until the ticket changes."""
        self.db.execute(
            "INSERT INTO refused VALUES (?, ?, ?, ?) ON CONFLICT(ticket_id) DO UPDATE SET "
            "fingerprint = excluded.fingerprint, reason = excluded.reason, at = excluded.at",
            (ticket_id, fingerprint, reason, now),
        )
        self.clear_dirty([ticket_id])

    def refusals(self, ids: Iterable[int]) -> dict[int, tuple[str, str, int]]:
        """ticket -> (fingerprint, what Zendesk refused, when it was handed over)."""
        query = (
            "SELECT ticket_id, fingerprint, reason, at FROM refused WHERE ticket_id IN ({marks})"
        )
        return {tid: (fp, reason, at) for tid, fp, reason, at in self._rows_in(query, ids)}

    def forget_refusals(self, ids: Iterable[int]) -> None:
        self.db.executemany("DELETE FROM refused WHERE ticket_id = ?", [(i,) for i in ids])


def _chunked(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
