"""Random histories, exported in the documented shape and in the audit shape, read back
through the parser and the state into the clocks: the clocks are the same (issue 25.4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.store import StateStore
from zendesk_sla.sync.timelines import timeline
from zendesk_sla.zendesk.parse import TicketRow, UserRow, event_rows

from tests.reference_clocks import Event
from tests.test_clocks_reference import histories, policy

TICKET, REQUESTER = 42, 3
AUTHORS = {"agent": (1, True), "admin": (2, True), "private": (1, False)}
AUTHORS |= {"trigger": (1, True), "customer": (REQUESTER, True)}


def child(event: Event, number: int, shape: str, previous: str) -> dict[str, Any]:
    if event.status is not None:
        if shape == "export":
            change = {"event_type": "Change", "status": event.status}
        else:
            change = {"type": "Change", "field_name": "status", "value": event.status}
        return {"id": number, **change, "previous_value": previous}
    assert event.comment is not None
    author, public = AUTHORS[event.comment]
    channel = "rule" if event.comment == "trigger" else "web"
    kind = {"event_type": "Comment"} if shape == "export" else {"type": "Comment"}
    return {
        "id": number,
        **kind,
        "author_id": author,
        "public": public,
        "body": "text",
        "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
    }


def export(created: datetime, events: list[Event], shape: str) -> list[dict[str, Any]]:
    """The history as `ticket_events` items: one audit per event, the opening one first."""
    opening = {"id": 1, "event_type": "Comment", "author_id": REQUESTER, "public": True}
    if shape == "audit":
        opening = {"id": 1, "type": "Comment", "author_id": REQUESTER, "public": True}
    items = [{"id": 100, "ticket_id": TICKET, "timestamp": epoch(created), "via": "Web form"}]
    items[0]["child_events"] = [opening]
    status = "new"
    for number, event in enumerate(events, start=2):
        items.append(
            {
                "id": 100 + number,
                "ticket_id": TICKET,
                "timestamp": epoch(event.at),
                "via": "Rule" if event.comment == "trigger" else "Web form",
                "child_events": [child(event, number, shape, status)],
            }
        )
        status = event.status or status
    return items


def clocks_read(created: datetime, events: list[Event], shape: str, now: datetime) -> Any:
    store = StateStore(":memory:")
    try:
        roles = [UserRow(1, "agent", None, None), UserRow(2, "admin", None, None)]
        store.put_users([*roles, UserRow(REQUESTER, "end-user", None, None)])
        rows = [r for item in export(created, events, shape) for r in event_rows(item, 999)]
        store.put_events(rows)
        status = next((e.status for e in reversed(events) if e.status), "new")
        last = epoch(events[-1].at) if events else epoch(created)
        row = TicketRow(
            TICKET, status, None, "", "", "web", None, REQUESTER, (), {},
            epoch(created), last, last, "",
        )  # fmt: skip
        line = timeline(
            row,
            store.status_changes([TICKET]).get(TICKET, []),
            store.comments([TICKET]).get(TICKET, []),
        )
        return line, sla_clocks(policy(), "company", "critical", line, now)
    finally:
        store.close()


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(-600, 30 * 24 * 60))
def test_the_audit_shape_gives_the_export_shapes_clocks(
    history: tuple[datetime, list[Event]], minutes_after: int
) -> None:
    created, events = history
    now = created + timedelta(minutes=minutes_after)
    documented_line, documented = clocks_read(created, events, "export", now)
    audit_line, audit = clocks_read(created, events, "audit", now)
    assert audit_line == documented_line
    assert audit == documented
    # The status changes were read at all: as many as the history has, plus the opening.
    assert len(documented_line.statuses) >= sum(1 for e in events if e.status)
