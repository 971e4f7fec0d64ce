"""Pending closure (POLICY.md section 9): notice, wait, solve; a customer reply voids it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.facts import TicketFacts
from zendesk_sla.core.pending import PendingStep, pending_step
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline

from tests.helpers import madrid, ticket_facts

PENDING_AT = madrid("2026-03-02 10:00")
PERIOD = int(PENDING_AT.timestamp())


def pending_ticket(*, customer_reply: datetime | None = None) -> TicketFacts:
    created = madrid("2026-03-02 09:00")
    comments = [
        Comment(epoch(created), True, "end-user"),
        Comment(epoch(PENDING_AT), True, "agent"),
    ]
    if customer_reply:
        comments.append(Comment(epoch(customer_reply), True, "end-user"))
    timeline = Timeline(
        created,
        (StatusChange(epoch(created), "new"), StatusChange(epoch(PENDING_AT), "pending")),
        tuple(comments),
    )
    return ticket_facts(
        created,
        timeline,
        status="pending",
        subject="Duda",
        organization_id=1,
        requester_id=2,
        updated_stamp="2026-03-02T09:00:00Z",
        requester_name="Ana",
    )


def step(
    policy: Policy, ticket: TicketFacts, now: datetime, sent: dict[str, datetime]
) -> PendingStep:
    return pending_step(ticket, policy.pending, policy.tags, sent, now, policy.timezone)


def test_no_notice_before_seven_days(policy: Policy) -> None:
    result = step(policy, pending_ticket(), PENDING_AT + timedelta(days=7, seconds=-1), {})
    assert result.notice is None


def test_notice_after_seven_days_names_the_closing_date(policy: Policy) -> None:
    result = step(policy, pending_ticket(), PENDING_AT + timedelta(days=7), {})
    key, text = result.notice
    assert key == f"pending-notice:{PERIOD}"
    assert "Hola Ana" in text
    assert "12/03/2026" in text  # 9 March + 3 days
    assert result.solve is False
    assert "sla_pending_notice" in result.tags


def test_waits_close_after_days_from_the_notice(policy: Policy) -> None:
    notice_at = PENDING_AT + timedelta(days=7, hours=5)
    sent = {f"pending-notice:{PERIOD}": notice_at}
    early = step(policy, pending_ticket(), notice_at + timedelta(days=3, seconds=-1), sent)
    assert early.solve is False
    due = step(policy, pending_ticket(), notice_at + timedelta(days=3), sent)
    assert due.solve is True
    assert due.notice[0] == f"pending-close:{PERIOD}"
    assert "sla_closed_no_response" in due.tags


def test_a_customer_reply_voids_the_notice(policy: Policy) -> None:
    notice_at = PENDING_AT + timedelta(days=7)
    reply = notice_at + timedelta(days=1)
    sent = {f"pending-notice:{PERIOD}": notice_at}
    ticket = pending_ticket(customer_reply=reply)
    later = step(policy, ticket, notice_at + timedelta(days=4), sent)
    assert later.solve is False
    assert later.notice is None
    renewed = step(policy, ticket, reply + timedelta(days=7), sent)
    assert renewed.notice[0] == f"pending-notice:{int(reply.timestamp())}"


def test_never_solved_without_a_confirmed_notice(policy: Policy) -> None:
    result = step(policy, pending_ticket(), PENDING_AT + timedelta(days=60), {})
    assert result.solve is False


def test_a_ticket_not_pending_gets_nothing(policy: Policy) -> None:
    ticket = pending_ticket()
    reopened = replace(ticket, status="open")
    assert step(policy, reopened, PENDING_AT + timedelta(days=30), {}).tags == frozenset()


@pytest.mark.parametrize(
    ("locale", "greeting"),
    [
        ("es", "Hola Ana"),
        ("en-US", "Hello Ana"),
        ("EN-gb", "Hello Ana"),
        ("pt-BR", "Olá Ana"),
        ("fr", "Hola Ana"),  # no French text: the contract's own language
        ("", "Hola Ana"),  # a requester the state has no language for
    ],
)
def test_the_customer_reads_the_notice_and_the_closing_in_their_language(
    policy: Policy, locale: str, greeting: str
) -> None:
    ticket = replace(pending_ticket(), requester_locale=locale)
    _, notice = step(policy, ticket, PENDING_AT + timedelta(days=7), {}).notice
    assert notice.startswith(greeting)
    notice_at = PENDING_AT + timedelta(days=7)
    sent = {f"pending-notice:{PERIOD}": notice_at}
    _, closing = step(policy, ticket, notice_at + timedelta(days=3), sent).notice
    assert closing.startswith(greeting)
    assert "12/03/2026" in notice and "09/03/2026" in closing


def test_check_config_refuses_a_translation_with_a_wrong_placeholder(tmp_path: Path) -> None:
    import yaml
    from zendesk_sla.config import ConfigError, load_config

    from tests.conftest import CONFIG

    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["pending_closure"]["translations"]["en"]["closing"] = "Hello {requester}, bye"
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "pending_closure.translations.en.closing" in str(err.value)
    assert "requester" in str(err.value)
