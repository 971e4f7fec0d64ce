"""What the state keeps of confirmed writes until the export brings the tickets back."""

from __future__ import annotations

from pathlib import Path

from zendesk_sla.store import StateStore
from zendesk_sla.store.schema import Applied
from zendesk_sla.zendesk.parse import TicketRow


def ticket(ticket_id: int, tags: tuple[str, ...], fields: dict[str, object]) -> TicketRow:
    return TicketRow(
        ticket_id, "open", None, "s", "d", "web", 1, 2, tags, fields, 100, 200, 200, "z"
    )


def test_confirmed_writes_are_mirrored_in_the_snapshot_and_fields_merge(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3")
    with store.transaction():
        store.put_tickets([ticket(1, ("vip",), {"10": "theirs", "11": "old"}), ticket(2, (), {})])
        store.record_snapshots(
            [
                (1, ["sla_plan_company", "vip"], {"11": "2026-12-01T09:00:00Z", "12": "major"}),
                (2, ["sla_no_support_plan"], {}),
                (3, ["lost"], {"11": "x"}),  # not in the state: nothing to mirror
            ]
        )
    rows = store.tickets([1, 2, 3])
    assert rows[1].tags == ("sla_plan_company", "vip")
    assert rows[1].custom_fields == {"10": "theirs", "11": "2026-12-01T09:00:00Z", "12": "major"}
    assert rows[2].tags == ("sla_no_support_plan",)
    assert set(rows) == {1, 2}
    store.close()


def test_the_plan_and_severity_a_write_showed_are_remembered(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3")
    with store.transaction():
        store.record_applied(
            [Applied(t, 1, "company", "major", True, None, None, None, None, 100) for t in (1, 2)],
            150,
        )
        store.record_written([(1, "company", "major")])
    assert store.written([1, 2]) == {1: ("company", "major")}
    store.close()
