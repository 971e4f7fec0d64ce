"""A ticket's history as the state gives it back to the clocks."""

from __future__ import annotations

from pathlib import Path

from zendesk_sla.core.timeline import Comment, StatusChange
from zendesk_sla.store import StateStore
from zendesk_sla.zendesk.parse import EventRow, UserRow


def test_changes_and_comments_come_back_in_order_with_their_authors_roles(
    tmp_path: Path,
) -> None:
    store = StateStore(tmp_path / "state.sqlite3")
    with store.transaction():
        store.put_users([UserRow(7, "agent", None, None), UserRow(8, "end-user", 1, True)])
        store.put_events(
            [
                EventRow(1, 13, 300, "status", "pending"),
                EventRow(1, 11, 100, "status", "open"),
                EventRow(1, 12, 100, "comment", public=True, author_id=8),
                EventRow(1, 14, 200, "comment", public=True, author_id=7),
                EventRow(1, 15, 250, "comment", public=False, author_id=7, automated=True),
                EventRow(1, 16, 260, "comment", public=True, author_id=99),  # not in the state
                EventRow(1, 17, 270, "comment", public=True),  # no author
                EventRow(1, 18, 280, "status", None),  # an audit with no status value
                EventRow(2, 21, 500, "status", "solved"),
            ]
        )
    assert store.status_changes([1, 2, 3]) == {
        1: [StatusChange(100, "open"), StatusChange(300, "pending")],
        2: [StatusChange(500, "solved")],
    }
    assert store.comments([1, 2, 3]) == {
        1: [
            Comment(100, True, "end-user", False, 8),
            Comment(200, True, "agent", False, 7),
            Comment(250, False, "agent", True, 7),
            Comment(260, True, "end-user", False, 99),  # an unknown author reads as a customer
            Comment(270, True, "end-user", False, None),
        ]
    }
    store.close()
