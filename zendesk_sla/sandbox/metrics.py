"""Ticket metric sets, as Zendesk embeds them in the ticket export (`include=metric_sets`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from zendesk_sla.sandbox.model import Json, Ticket, iso

if TYPE_CHECKING:
    from zendesk_sla.sandbox.account import Account


def metric_set(account: Account, ticket: Ticket) -> Json:
    """The ticket's metric set as `include=metric_sets` embeds it (times in minutes)."""
    audits = account.audits_by_ticket.get(ticket.id, [])
    replies = [
        a.timestamp
        for a in audits
        for c in a.comments()
        if c["public"]
        and a.timestamp > ticket.created_at
        and account.users.get(c["author_id"], None) is not None
        and account.users[c["author_id"]].role != "end-user"
    ]
    solved = [a.timestamp for a in audits for c in a.children if c.get("status") == "solved"]
    reopens = sum(
        1
        for a in audits
        for c in a.children
        if c.get("event_type") == "Change" and c.get("previous_value") == "solved"
    )

    def minutes(value: int | None) -> Json:
        span = None if value is None else max(value - ticket.created_at, 0) // 60
        return {"calendar": span, "business": span}

    return {
        "url": f"/api/v2/ticket_metrics/{ticket.id + 5_000_000_000}.json",
        "id": ticket.id + 5_000_000_000,
        "ticket_id": ticket.id,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "group_stations": 0,
        "assignee_stations": 1 if ticket.assignee_id else 0,
        "reopens": reopens,
        "replies": len(replies),
        "assignee_updated_at": None,
        "requester_updated_at": iso(ticket.created_at),
        "status_updated_at": iso(ticket.updated_at),
        "initially_assigned_at": None,
        "assigned_at": None,
        "solved_at": iso(solved[-1]) if solved else None,
        "latest_comment_added_at": iso(ticket.updated_at),
        "reply_time_in_minutes": minutes(replies[0] if replies else None),
        "first_resolution_time_in_minutes": minutes(solved[0] if solved else None),
        "full_resolution_time_in_minutes": minutes(solved[-1] if solved else None),
        "agent_wait_time_in_minutes": {"calendar": None, "business": None},
        "requester_wait_time_in_minutes": {"calendar": None, "business": None},
        "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
        "custom_status_updated_at": iso(ticket.updated_at),
        "generated_timestamp": ticket.generated_timestamp,
    }
