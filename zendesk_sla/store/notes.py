"""Notes and notices: intents recorded before a write, sent or dropped after, or seen in Zendesk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from zendesk_sla.store.base import StoreBase
from zendesk_sla.store.schema import PENDING, SENT


class NoteStore(StoreBase):
    def notes(self, ids: Sequence[int]) -> dict[int, dict[str, tuple[str, int]]]:
        """Per ticket: note key -> (state, when it was recorded)."""
        out: dict[int, dict[str, tuple[str, int]]] = {}
        query = "SELECT ticket_id, key, state, at FROM notes WHERE ticket_id IN ({marks})"
        for tid, key, state, at in self._rows_in(query, ids):
            out.setdefault(tid, {})[key] = (state, at)
        return out

    def uncertain_notes(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for tid, key in self.db.execute(
            f"SELECT ticket_id, key FROM notes WHERE state = '{PENDING}'"
        ):
            out.setdefault(tid, []).append(key)
        return out

    def note_intents(self, rows: Iterable[tuple[int, str]], now: int) -> None:
        """Notes about to be posted (ticket, key): pending until Zendesk answers."""
        self.db.executemany(
            "INSERT OR IGNORE INTO notes VALUES (?, ?, ?, ?)",
            [(ticket_id, key, PENDING, now) for ticket_id, key in rows],
        )

    def note_dropped(self, ticket_id: int, keys: Iterable[str]) -> None:
        self.db.executemany(
            f"DELETE FROM notes WHERE ticket_id = ? AND key = ? AND state = '{PENDING}'",
            [(ticket_id, key) for key in keys],
        )

    def oldest_intent(self, ticket_id: int) -> int:
        """When the oldest note still waiting for an answer was recorded (0 when none)."""
        row = self.db.execute(
            f"SELECT min(at) FROM notes WHERE ticket_id = ? AND state = '{PENDING}'",
            (ticket_id,),
        ).fetchone()
        return 0 if row is None or row[0] is None else int(row[0])

    def notes_seen(self, rows: Iterable[tuple[int, str, int]]) -> None:
        """Notes Zendesk confirmed or shows the worker posted: sent, whatever the state said."""
        self.db.executemany(
            "INSERT INTO notes VALUES (?, ?, ?, ?) ON CONFLICT(ticket_id, key) "
            "DO UPDATE SET state = excluded.state, at = excluded.at",
            [(ticket_id, key, SENT, at) for ticket_id, key, at in rows],
        )
