"""What the worker decided and wrote per ticket (plan, severity, clock states, due times)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from zendesk_sla.store.schema import Applied
from zendesk_sla.store.tickets import TicketStore


class AppliedStore(TicketStore):
    def record_applied(self, rows: Iterable[Applied], now: int) -> None:
        """Record decisions; `evaluated_at` is when a ticket's record last changed."""
        self.db.executemany(
            "INSERT INTO applied(ticket_id, organization_id, plan, severity, eligible, "
            "response_state, resolution_state, response_due, resolution_due, created_at, "
            "evaluated_at, reason, next_at, terms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(ticket_id) DO UPDATE SET reason=excluded.reason, "
            "organization_id=excluded.organization_id, plan=excluded.plan, "
            "severity=excluded.severity, eligible=excluded.eligible, "
            "response_state=excluded.response_state, resolution_state=excluded.resolution_state, "
            "response_due=excluded.response_due, resolution_due=excluded.resolution_due, "
            "created_at=excluded.created_at, evaluated_at=excluded.evaluated_at, "
            "next_at=excluded.next_at, terms=excluded.terms",
            [
                (
                    a.ticket_id,
                    a.organization_id,
                    a.plan,
                    a.severity,
                    int(a.eligible),
                    a.response_state,
                    a.resolution_state,
                    a.response_due,
                    a.resolution_due,
                    a.created_at,
                    now,
                    a.reason,
                    a.next_at,
                    a.terms,
                )
                for a in rows
            ],
        )

    def written(self, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
        query = (
            "SELECT ticket_id, written_plan, written_severity FROM applied "
            "WHERE ticket_id IN ({marks}) AND (written_plan IS NOT NULL "
            "OR written_severity IS NOT NULL)"
        )
        return {tid: (plan, severity) for tid, plan, severity in self._rows_in(query, ids)}

    def learn_written(self, rows: Iterable[tuple[int, str | None, str | None]]) -> None:
        """What Zendesk shows the worker applied, where this state had no record of it."""
        self.db.executemany(
            "UPDATE applied SET written_plan = ?, written_severity = ? "
            "WHERE ticket_id = ? AND written_plan IS NULL AND written_severity IS NULL",
            [(plan, severity, tid) for tid, plan, severity in rows],
        )

    def applied_for(self, ids: Sequence[int]) -> dict[int, Applied]:
        """What this state decided before for those of `ids` it has decided."""
        query = (
            "SELECT ticket_id, organization_id, plan, severity, eligible, response_state, "
            "resolution_state, response_due, resolution_due, created_at, reason, next_at, "
            "terms FROM applied WHERE ticket_id IN ({marks})"
        )
        return {r[0]: _applied(r) for r in self._rows_in(query, ids)}

    def record_written(self, rows: Iterable[tuple[int, str | None, str | None]]) -> None:
        """After confirmed writes: the plan and severity each ticket now shows."""
        self.db.executemany(
            "UPDATE applied SET written_plan = ?, written_severity = ? WHERE ticket_id = ?",
            [(plan, severity, ticket_id) for ticket_id, plan, severity in rows],
        )

    def transitions_due(self, now: int) -> list[int]:
        """Live tickets whose next time-driven change has come."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT a.ticket_id FROM applied a JOIN tickets t ON t.id = a.ticket_id "
                "WHERE a.next_at <= ? AND t.status NOT IN ('closed', 'deleted') "
                "ORDER BY a.next_at",
                (now,),
            )
        ]

    def judged_under(self) -> dict[int, tuple[int, str | None]]:
        """Every decided ticket: (created_at, the digest of the terms that judged it)."""
        return {
            r[0]: (r[1], r[2])
            for r in self.db.execute("SELECT ticket_id, created_at, terms FROM applied")
        }

    def forget_transitions(self, ids: Sequence[int]) -> None:
        self.db.executemany(
            "UPDATE applied SET next_at = NULL WHERE ticket_id = ?", [(i,) for i in ids]
        )

    def next_transition(self) -> int | None:
        """The earliest time-driven change among live tickets (epoch), if any."""
        row = self.db.execute(
            "SELECT min(a.next_at) FROM applied a JOIN tickets t ON t.id = a.ticket_id "
            "WHERE a.next_at IS NOT NULL AND t.status NOT IN ('closed', 'deleted')"
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def previous_orgs(self, ids: Sequence[int]) -> set[int]:
        """Organizations the worker last saw these tickets in (a ticket may move)."""
        query = (
            "SELECT organization_id FROM applied WHERE organization_id IS NOT NULL "
            "AND ticket_id IN ({marks})"
        )
        return {r[0] for r in self._rows_in(query, ids)}

    def applied_rows(self) -> list[Applied]:
        """Every decided ticket Zendesk still has."""
        return [
            _applied(r)
            for r in self.db.execute(
                "SELECT ticket_id, a.organization_id, plan, severity, eligible, response_state, "
                "resolution_state, response_due, resolution_due, a.created_at, reason, next_at, "
                "terms FROM applied "
                "a LEFT JOIN tickets t ON t.id = a.ticket_id WHERE coalesce(t.status, '') != "
                "'deleted' ORDER BY ticket_id"
            )
        ]


def _applied(r: Sequence[Any]) -> Applied:
    return Applied(
        r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12]
    )
