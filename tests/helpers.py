"""Small builders for tests: local Madrid times and timelines."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

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
    changes = [StatusChange(start, "new")] + [StatusChange(madrid(t), s) for t, s in statuses]
    comments = [Comment(start, True, "end-user")] + [
        Comment(madrid(t), True, "agent") for t in replies
    ]
    return Timeline(start, tuple(changes), tuple(comments))
