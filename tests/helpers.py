"""Small builders for tests: local Madrid times, timelines and ticket facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.facts import TicketFacts
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline

MADRID = ZoneInfo("Europe/Madrid")


def madrid(text: str) -> datetime:
    """`2026-02-02 10:00` as an aware Madrid time."""
    return datetime.fromisoformat(text).replace(tzinfo=MADRID)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=UTC)


def timeline(created: str, *statuses: tuple[str, str], replies: tuple[str, ...] = ()) -> Timeline:
    """A ticket created (status new) at `created`, then each (time, status), agent replies."""
    start = madrid(created)
    changes = [StatusChange(epoch(start), "new")] + [
        StatusChange(epoch(madrid(t)), s) for t, s in statuses
    ]
    comments = [Comment(epoch(start), True, "end-user")] + [
        Comment(epoch(madrid(t)), True, "agent") for t in replies
    ]
    return Timeline(start, tuple(changes), tuple(comments))


def ticket_facts(
    created: datetime, timeline: Timeline | None = None, **changes: object
) -> TicketFacts:
    """A ticket by email, created (status new) at `created`; `changes` sets any other fact."""
    base = TicketFacts(
        id=1,
        status="new",
        tags=frozenset(),
        fields={},
        priority=None,
        subject="",
        description="",
        via_channel="email",
        organization_id=None,
        requester_id=None,
        created_at=created,
        updated_stamp="",
        timeline=timeline or Timeline(created, (StatusChange(epoch(created), "new"),), ()),
    )
    return replace(base, **changes)  # type: ignore[arg-type]
