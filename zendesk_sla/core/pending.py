"""Closing tickets pending on the customer (POLICY.md section 9): notice, wait, solve.

A pending period starts when the ticket goes to pending, or at the customer's
last reply if that is later (a reply voids a notice). Its notice and its
closing comment are keyed by the period's start, so a period never gets two
notices; a ticket is solved only once its notice was confirmed posted at
least `close_after` earlier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from zendesk_sla.core.calendar import epoch, from_epoch
from zendesk_sla.core.facts import TicketFacts
from zendesk_sla.core.policy import PendingRules, Tags
from zendesk_sla.core.stamps import day_text
from zendesk_sla.core.templates import render

NOTICE, CLOSING = "pending-notice", "pending-close"
NOTICE_PLACEHOLDERS = ("requester_name", "pending_since", "close_on")
CLOSING_PLACEHOLDERS = ("requester_name", "notice_on")


class PendingStep(NamedTuple):
    tags: frozenset[str] = frozenset()
    notice: tuple[str, str] | None = None  # (note key, public text)
    solve: bool = False
    next_at: datetime | None = None  # when the next step (notice, close) falls due


def pending_since(ticket: TicketFacts) -> datetime | None:
    """Start of the current pending period, or None when the ticket is not pending."""
    if ticket.status != "pending":
        return None
    since = next((c.at for c in reversed(ticket.timeline.statuses) if c.status == "pending"), None)
    if since is None:
        return None
    reply = ticket.timeline.last_customer_comment()
    return from_epoch(max(since, reply) if reply else since)


SEEN_NOTICE, SEEN_CLOSING = "seen:pending-notice", "seen:pending-close"


def observed_keys(ticket: TicketFacts, seen: Mapping[str, datetime]) -> dict[str, datetime]:
    """Public comments the worker is seen to have posted, keyed as `pending_step` keys them.

    A notice or a closing carries no key the customer could read; the worker knows it
    by its author and the tag added in the same update (`seen:pending-notice:<at>`).
    Its period is the pending period the ticket was in when it was posted.
    """
    out: dict[str, datetime] = {}
    for key, at in seen.items():
        kind = (
            NOTICE
            if key.startswith(SEEN_NOTICE)
            else CLOSING
            if key.startswith(SEEN_CLOSING)
            else None
        )
        if kind is None:
            continue
        # A closing solves the ticket in the same update: its period is the one just before.
        moment = at if kind == NOTICE else at - timedelta(seconds=1)
        timeline = ticket.timeline.until(epoch(moment))
        before = replace(ticket, status=timeline.status_at(epoch(moment)), timeline=timeline)
        since = pending_since(before)
        if since is not None:
            out[f"{kind}:{int(since.timestamp())}"] = at
    return out


def pending_step(
    ticket: TicketFacts,
    rules: PendingRules,
    tags: Tags,
    sent: Mapping[str, datetime],
    now: datetime,
    timezone: str,
    watching_since: datetime | None = None,
) -> PendingStep:
    """The next pending-closure step. `watching_since`: when the worker started watching
    this account; unless `notify_existing_pending`, time pending before it does not count
    (POLICY 10: a ticket pending for months gets no notice the minute the worker starts)."""
    closed_before = frozenset(
        {tags.closed_no_response} if any(k.startswith(CLOSING) for k in sent) else set()
    )
    since = pending_since(ticket)
    if since is None:
        return PendingStep(closed_before)
    period = int(since.timestamp())
    notice_key, closing_key = f"{NOTICE}:{period}", f"{CLOSING}:{period}"
    zone = ZoneInfo(timezone)
    name = ticket.requester_name or "cliente"
    notice_template, closing_template = rules.texts(ticket.requester_locale)
    notice_at = sent.get(notice_key)
    if notice_at is None:
        counted_from = since
        if watching_since is not None and not rules.notify_existing_pending:
            counted_from = max(since, watching_since)
        notify_at = counted_from + timedelta(seconds=rules.notify_after_seconds)
        if now < notify_at:
            return PendingStep(closed_before, next_at=notify_at)
        close_on = now + timedelta(seconds=rules.close_after_seconds)
        text = render(
            notice_template,
            {
                "requester_name": name,
                "pending_since": day_text(since.astimezone(zone)),
                "close_on": day_text(close_on.astimezone(zone)),
            },
        )
        return PendingStep(closed_before | {tags.pending_notice}, notice=(notice_key, text))
    close_at = notice_at + timedelta(seconds=rules.close_after_seconds)
    if now < close_at:
        return PendingStep(closed_before | {tags.pending_notice}, next_at=close_at)
    text = render(
        closing_template,
        {"requester_name": name, "notice_on": day_text(notice_at.astimezone(zone))},
    )
    return PendingStep(
        closed_before | {tags.closed_no_response}, notice=(closing_key, text), solve=True
    )
