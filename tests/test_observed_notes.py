"""What the worker is seen to have posted, read back from Zendesk's ticket events."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.facts import Previous, TicketFacts
from zendesk_sla.core.pending import observed_keys
from zendesk_sla.core.previous import previous_from_notes
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline
from zendesk_sla.zendesk.parse import event_rows, worker_notes

from tests.helpers import madrid, ticket_facts

WORKER = 900


def audit(children: list[dict[str, Any]], at: int = 1_780_000_000) -> dict[str, Any]:
    return {
        "id": 5,
        "ticket_id": 77,
        "timestamp": at,
        "created_at": "2026-05-28T20:26:40Z",
        "updater_id": WORKER,
        "via": "Web service",
        "event_type": "Audit",
        "child_events": children,
    }


def comment(body: str, public: bool, author: int = WORKER, cid: int = 1) -> dict[str, Any]:
    return {
        "id": cid,
        "event_type": "Comment",
        "type": "Comment",
        "author_id": author,
        "body": body,
        "public": public,
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}},
    }


def tags(added: list[str]) -> dict[str, Any]:
    return {"id": 9, "event_type": "Change", "tags": ["vip", *added], "previous_value": ["vip"]}


def seen(data: dict[str, Any]) -> list[tuple[int, str, int]]:
    return worker_notes(data, WORKER, "sla_pending_notice", "sla_closed_no_response")


def test_an_internal_note_is_known_by_its_key() -> None:
    body = "SLA aplicado. Plan enterprise.\n\n[zendesk-sla:sla:enterprise:major]"
    assert seen(audit([comment(body, False)])) == [(77, "sla:enterprise:major", 1_780_000_000)]


def test_a_public_notice_is_known_by_its_author_and_the_tag_added_with_it() -> None:
    data = audit([comment("Hola Ana: ...", True), tags(["sla_pending_notice"])])
    assert seen(data) == [(77, "seen:pending-notice:1780000000", 1_780_000_000)]


def test_a_public_closing_is_known_by_the_closing_tag() -> None:
    data = audit([comment("Hola Ana: ...", True), tags(["sla_closed_no_response"])])
    assert seen(data)[0][1].startswith("seen:pending-close:")


def test_someone_elses_public_comment_with_the_tag_is_not_the_workers() -> None:
    data = audit([comment("Hola", True, author=123), tags(["sla_pending_notice"])])
    assert seen(data) == []


def test_a_public_comment_of_the_worker_without_the_tag_is_not_a_notice() -> None:
    assert seen(audit([comment("Hola", True)])) == []


def test_a_child_event_without_an_id_is_skipped_alone() -> None:
    bad = {"event_type": "Change", "status": "open", "previous_value": "new"}
    skipped: list[str] = []
    rows = event_rows(audit([bad, comment("hola", True, author=5, cid=2)]), WORKER, skipped)
    assert [r.kind for r in rows] == ["comment"]
    assert len(skipped) == 1 and "child_events.id" in skipped[0]


PENDING_AT = madrid("2026-03-02 10:00")


def pending_ticket(*extra: Comment) -> TicketFacts:
    created = madrid("2026-03-01 10:00")
    return ticket_facts(
        created,
        Timeline(
            created,
            (StatusChange(epoch(created), "new"), StatusChange(epoch(PENDING_AT), "pending")),
            (Comment(epoch(created), True, "end-user"), *extra),
        ),
        id=77,
        status="pending",
    )


def test_a_seen_notice_is_keyed_by_the_pending_period_it_was_posted_in() -> None:
    notice = PENDING_AT + timedelta(days=7)
    keys = observed_keys(
        pending_ticket(), {f"seen:pending-notice:{int(notice.timestamp())}": notice}
    )
    assert keys == {f"pending-notice:{int(PENDING_AT.timestamp())}": notice}


def test_a_customer_reply_before_the_notice_starts_its_period() -> None:
    reply = PENDING_AT + timedelta(days=2)
    notice = PENDING_AT + timedelta(days=9)
    ticket = pending_ticket(Comment(epoch(reply), True, "end-user"))
    keys = observed_keys(ticket, {"seen:pending-notice:x": notice})
    assert keys == {f"pending-notice:{int(reply.timestamp())}": notice}


def test_a_seen_closing_belongs_to_the_period_it_ended() -> None:
    closing = PENDING_AT + timedelta(days=10)
    ticket = replace(
        pending_ticket(),
        status="solved",
        timeline=replace(
            pending_ticket().timeline,
            statuses=(*pending_ticket().timeline.statuses, StatusChange(epoch(closing), "solved")),
        ),
    )
    keys = observed_keys(ticket, {"seen:pending-close:x": closing})
    assert keys == {f"pending-close:{int(PENDING_AT.timestamp())}": closing}


def test_the_newest_sla_note_on_the_ticket_says_what_was_applied() -> None:
    notes = {
        "sla:enterprise:major": madrid("2026-03-01 10:00"),
        "sla-change:enterprise:major>enterprise:blocker": madrid("2026-03-02 10:00"),
        "quota-80:2026-01-01": madrid("2026-03-03 10:00"),
    }
    assert previous_from_notes(notes) == Previous("enterprise", "blocker")
    assert previous_from_notes({}) is None
