"""The severity classifier's verdicts, kept per rules digest and text digest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from zendesk_sla.store.base import StoreBase


class VerdictStore(StoreBase):
    def text_verdicts(self, rules: str, keys: Sequence[str]) -> dict[str, str]:
        """Text key -> the verdict recorded under these rules, for the keys that have one."""
        query = (
            "SELECT text_key, verdict FROM text_verdicts WHERE rules = ? AND text_key IN ({marks})"
        )
        return dict(self._rows_in(query, keys, (rules,)))

    def put_text_verdicts(self, rules: str, verdicts: Iterable[tuple[str, str]]) -> None:
        self.db.executemany(
            "INSERT OR IGNORE INTO text_verdicts VALUES (?,?,?)",
            [(rules, key, verdict) for key, verdict in verdicts],
        )

    def forget_text_verdicts_except(self, rules: str) -> None:
        """Verdicts read under other rules will not be asked for again."""
        self.db.execute("DELETE FROM text_verdicts WHERE rules != ?", (rules,))
