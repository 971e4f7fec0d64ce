"""Status changes and added tags are read in both shapes Zendesk writes them (issue 25.4):
the `ticket_events` export's documented shape and the ticket audit's recorded one. An event
the worker cannot read is named, never silently dropped."""

from __future__ import annotations

from typing import Any

import pytest
from zendesk_sla.core.pending import SEEN_NOTICE
from zendesk_sla.zendesk.parse import event_rows, worker_notes

WORKER = 900


def audit(*children: dict[str, Any]) -> dict[str, Any]:
    """One ticket event as the export gives it (ZENDESK_API_NOTES 2.3), these children inside."""
    return {
        "id": 7001,
        "ticket_id": 42,
        "timestamp": 1_764_000_000,
        "via": "Web form",
        "child_events": [{"id": 8000 + i, **c} for i, c in enumerate(children)],
    }


@pytest.mark.parametrize(
    "change",
    [
        # The export, as documented: the field by name, with or without its extras.
        {"event_type": "Change", "status": "solved", "previous_value": "open"},
        {"status": "solved"},
        # The ticket audit, as recorded (2017 and 2023 bodies in the API notes).
        {"type": "Change", "field_name": "status", "value": "solved", "previous_value": "new"},
        {"event_type": "Change", "field_name": "status", "value": "solved"},
    ],
    ids=["export", "export-bare", "audit", "audit-event_type"],
)
def test_a_status_change_is_read_in_either_shape(change: dict[str, Any]) -> None:
    (row,) = event_rows(audit(change), WORKER)
    assert (row.ticket_id, row.kind, row.status, row.at) == (42, "status", "solved", 1_764_000_000)


def test_other_field_changes_are_not_status_changes() -> None:
    other = {"type": "Change", "field_name": "subject", "value": "new", "previous_value": "old"}
    custom = {"type": "Change", "field_name": "360001", "value": "blocker"}
    assert event_rows(audit(other, custom), WORKER) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"type": "Change", "field_name": "status", "value": None},
        {"type": "Change", "field_name": "status"},
        {"event_type": "Change", "status": ""},
        {"event_type": "Change", "status": ["solved"]},
    ],
)
def test_a_status_change_without_a_status_is_named_and_the_rest_kept(
    broken: dict[str, Any],
) -> None:
    comment = {"event_type": "Comment", "public": True, "author_id": 5, "body": "hola"}
    skipped: list[str] = []
    rows = event_rows(audit(broken, comment), WORKER, skipped)
    assert [r.kind for r in rows] == ["comment"]
    (line,) = skipped
    assert line.startswith("ticket 42 event 7001: status change without a status")


@pytest.mark.parametrize(
    "tags_change",
    [
        {"event_type": "Change", "tags": ["a", "sla_pending_notice"], "previous_value": ["a"]},
        {"event_type": "Change", "added_tags": ["sla_pending_notice"], "removed_tags": []},
        {
            "type": "Change",
            "field_name": "tags",
            "value": ["a", "sla_pending_notice"],
            "previous_value": ["a"],
        },
        {
            "type": "Change",
            "field_name": "tags",
            "value": "a sla_pending_notice",
            "previous_value": "a",
        },
    ],
    ids=["export", "export-added", "audit", "audit-text"],
)
def test_the_worker_knows_its_public_notice_by_the_tag_it_added_in_either_shape(
    tags_change: dict[str, Any],
) -> None:
    notice = {"type": "Comment", "public": True, "author_id": WORKER, "body": "Aviso"}
    seen = worker_notes(audit(notice, tags_change), WORKER, "sla_pending_notice", "sla_closed")
    assert seen == [(42, f"{SEEN_NOTICE}:1764000000", 1_764_000_000)]


def test_a_public_comment_with_no_tag_of_the_worker_is_no_notice() -> None:
    notice = {"type": "Comment", "public": True, "author_id": WORKER, "body": "Aviso"}
    other = {"type": "Change", "field_name": "tags", "value": ["a", "b"], "previous_value": ["a"]}
    assert worker_notes(audit(notice, other), WORKER, "sla_pending_notice", "sla_closed") == []
