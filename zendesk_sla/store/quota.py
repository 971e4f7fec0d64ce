"""Quota ledgers: each ticket's place in its organization's year, and the years' totals."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from zendesk_sla.core.facts import QuotaMark
from zendesk_sla.store.base import StoreBase, _chunks
from zendesk_sla.store.tickets import tags_of

# What a quota recount reads of a ticket (see `quota_tickets`).
QuotaRow = tuple[int, int, str, str, int | None, int | None, str | None, int, tuple[str, ...], str]


class QuotaStore(StoreBase):
    def quota_marks(self, ids: Sequence[int]) -> dict[int, QuotaMark]:
        """Per ticket: its quota state and the quota notes it should carry."""
        query = "SELECT ticket_id, state, notes FROM quota WHERE ticket_id IN ({marks})"
        return {
            tid: QuotaMark(state == "exceeded", tuple((str(k), str(t)) for k, t in json.loads(n)))
            for tid, state, n in self._rows_in(query, ids)
        }

    def quota_tickets(self, org_ids: Iterable[int]) -> list[QuotaRow]:
        """What a quota recount reads of the organizations' tickets, deleted ones included:
        (id, organization, status, channel, requester, submitter, the submitter's role,
        created, tags, subject: the customer's page lists what used the quota)."""
        query = (
            "SELECT t.id, t.organization_id, t.status, t.via_channel, t.requester_id, "
            "t.submitter_id, u.role, t.created_at, t.tags, t.subject FROM tickets t "
            "LEFT JOIN users u ON u.id = t.submitter_id WHERE t.organization_id IN ({marks})"
        )
        return [(*row[:8], tags_of(row[8]), row[9] or "") for row in self._rows_in(query, org_ids)]

    def quota_note_keys(self, org_ids: Iterable[int]) -> dict[int, set[str]]:
        """Per ticket of these organizations: the quota note keys posted or being posted."""
        query = (
            "SELECT n.ticket_id, n.key FROM notes n JOIN tickets t ON t.id = n.ticket_id "
            "WHERE t.organization_id IN ({marks}) AND substr(n.key, 1, 6) = 'quota-'"
        )
        out: dict[int, set[str]] = {}
        for tid, key in self._rows_in(query, org_ids):
            out.setdefault(tid, set()).add(key)
        return out

    def put_quota(
        self,
        org_ids: Sequence[int],
        lines: Iterable[tuple[int, int, str, str, int | None, list[tuple[str, str]]]],
        years: Iterable[tuple[int, str, str, int | None, int, int, int]],
        terms: str,
    ) -> None:
        """Replace the ledgers of these organizations, counted under the quota `terms`:
        (ticket, organization, year start, state, position, notes) per ticket,
        (organization, start, end, included, used, grace, exempt) per year."""
        self.db.executemany(
            "INSERT OR REPLACE INTO quota_terms VALUES (?,?)", [(o, terms) for o in org_ids]
        )
        for chunk in _chunks(sorted(set(org_ids))):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM quota WHERE organization_id IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM quota_years WHERE organization_id IN ({marks})", chunk)
        self.db.executemany(
            "INSERT OR REPLACE INTO quota VALUES (?,?,?,?,?,?)",
            [
                (tid, org_id, year, state, pos, json.dumps(notes))
                for tid, org_id, year, state, pos, notes in lines
            ],
        )
        self.db.executemany("INSERT INTO quota_years VALUES (?,?,?,?,?,?,?)", list(years))

    def counted_under_other_terms(self, org_ids: Iterable[int], terms: str) -> set[int]:
        """Those of the organizations whose ledger was last counted under other quota terms
        than `terms`, or never."""
        wanted = set(org_ids)
        query = (
            "SELECT organization_id FROM quota_terms "
            "WHERE digest = ? AND organization_id IN ({marks})"
        )
        return wanted - {r[0] for r in self._rows_in(query, wanted, (terms,))}

    def quota_years(self) -> list[tuple[int, str, str, int | None, int, int, int]]:
        return list(
            self.db.execute("SELECT * FROM quota_years ORDER BY organization_id, year_start")
        )

    def org_note_keys(self, org_id: int, prefix: str) -> set[str]:
        """Keys of notes posted (or being posted) on any ticket of the organization."""
        query = (
            "SELECT DISTINCT n.key FROM notes n JOIN tickets t ON t.id = n.ticket_id "
            "WHERE t.organization_id = ? AND n.key LIKE ?"
        )
        return {r[0] for r in self.db.execute(query, (org_id, prefix + "%"))}

    def quota_line(self, ticket_id: int) -> tuple[str, str, int | None] | None:
        """(quota year start, state, position) of a ticket in its organization's ledger."""
        row = self.db.execute(
            "SELECT year_start, state, position FROM quota WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), row[2])
