"""The next-reply target: after the first reply, each wait of the customer for the next
one, on the same business clocks (checked against a naive second reading), and what the
decision does with it: a tag for a breach, the due time among the ticket's dues."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.next_reply import customer_waits
from zendesk_sla.core.policy import Policy, Target
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline

from tests.helpers import madrid
from tests.reference_clocks import HOURS, Event
from tests.reference_next_reply import evaluate
from tests.test_clocks_reference import core_timeline, histories, policy

NEXT_REPLY = {"blocker": "2h", "critical": "4h", "major": "1d", "trivial": "2d"}


def with_next_reply(terms: Policy, plan: str) -> Policy:
    targets = {s: Target(int(v[:-1]), v[-1]) for s, v in NEXT_REPLY.items()}
    changed = replace(terms.plans[plan], next_reply=targets, at_risk={}, at_risk_ratio=None)
    return replace(terms, plans={**terms.plans, plan: changed})


def seconds(plan: str, severity: str) -> int:
    amount, unit = int(NEXT_REPLY[severity][:-1]), NEXT_REPLY[severity][-1]
    opening, closing = HOURS[plan]
    return amount * 3600 if unit == "h" else amount * (closing - opening) * 3600


def line(*comments: tuple[str, str]) -> Timeline:
    """A ticket created at 08:00 with its opening comment, then `comments` (time, role)."""
    start = madrid("2026-02-02 08:00")
    roles = {"agent": (True, "agent"), "customer": (True, "end-user"), "note": (False, "agent")}
    out = [Comment(epoch(start), True, "end-user")]
    for at, role in comments:
        public, who = roles[role]
        out.append(Comment(epoch(madrid(f"2026-02-02 {at}")), public, who))
    return Timeline(start, (StatusChange(epoch(start), "new"),), tuple(out))


@pytest.mark.parametrize(
    ("comments", "expected"),
    [
        ([], []),  # no reply yet: the response clock measures
        ([("08:30", "customer")], []),  # before the first reply
        ([("09:00", "agent")], []),  # answered, nobody waits
        ([("09:00", "agent"), ("10:00", "customer")], [("10:00", None)]),
        ([("09:00", "agent"), ("10:00", "customer"), ("10:30", "customer")], [("10:00", None)]),
        ([("09:00", "agent"), ("10:00", "customer"), ("11:00", "note")], [("10:00", None)]),
        (
            [("09:00", "agent"), ("10:00", "customer"), ("12:00", "agent"), ("13:00", "customer")],
            [("10:00", "12:00"), ("13:00", None)],
        ),
    ],
    ids=["none", "before-reply", "answered", "waiting", "two-comments", "a-note", "two-waits"],
)
def test_a_wait_runs_from_the_customer_to_the_next_public_reply(
    comments: list[tuple[str, str]], expected: list[tuple[str, str | None]]
) -> None:
    at = {t: epoch(madrid(f"2026-02-02 {t}")) for t in ("10:00", "12:00", "13:00")}
    want = [(at[s], None if e is None else at[e]) for s, e in expected]
    assert customer_waits(line(*comments)) == want


def test_off_unless_the_plan_sets_it(config_policy: Policy) -> None:
    t = line(("09:00", "agent"), ("10:00", "customer"))
    clocks = sla_clocks(config_policy, "enterprise", "blocker", t, madrid("2026-02-02 18:00"))
    assert clocks.next_reply.state == "none" and clocks.next_reply_breaches == 0


def test_a_late_next_reply_is_a_breach_and_its_due_is_the_next_due(config_policy: Policy) -> None:
    terms = with_next_reply(config_policy, "enterprise")
    t = line(("09:00", "agent"), ("10:00", "customer"))
    clocks = sla_clocks(terms, "enterprise", "blocker", t, madrid("2026-02-02 11:45"))
    assert clocks.next_reply.state == "at_risk"  # 1 h 45 of the 2 h
    assert clocks.next_reply.due == madrid("2026-02-02 12:00")
    assert clocks.next_due == madrid("2026-02-02 12:00")  # the resolution is due later
    late = sla_clocks(terms, "enterprise", "blocker", t, madrid("2026-02-02 12:01"))
    assert late.next_reply.state == "breached" and late.next_reply_breaches == 1


@pytest.fixture
def config_policy() -> Policy:
    return policy()


@st.composite
def conversations(draw: st.DrawFn) -> tuple[datetime, list[Event]]:
    """A first reply, then the customer and the agents taking turns, with pauses (pending,
    hold), solves and reopenings between; minutes apart, or none."""
    created, _ = draw(histories())
    moment = created + timedelta(minutes=draw(st.sampled_from([0, 5, 120, 900])))
    events = [Event(moment, comment="agent")]
    turns = ("customer", "customer", "customer", "agent", "admin", "private", "trigger")
    for _ in range(draw(st.integers(1, 8))):
        moment += timedelta(minutes=draw(st.sampled_from([0, 1, 30, 59, 60, 240, 900, 4000])))
        if draw(st.booleans()):
            events.append(Event(moment, comment=draw(st.sampled_from(turns))))
        else:
            events.append(Event(moment, status=draw(st.sampled_from(STATUSES))))
    return created, events


STATUSES = ("open", "pending", "hold", "solved", "open")


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(histories(), conversations()),
    st.sampled_from(["plus", "standard", "company", "enterprise"]),
    st.sampled_from(["blocker", "critical", "major", "trivial"]),
    st.integers(0, 60 * 24 * 60),
    st.booleans(),
)
def test_the_next_reply_clock_agrees_with_the_naive_reference(
    history: tuple[datetime, list[Event]],
    plan: str,
    severity: str,
    minutes_after: int,
    after_the_last: bool,
) -> None:
    created, events = history
    since = max((e.at for e in events), default=created) if after_the_last else created
    now = since + timedelta(minutes=minutes_after)
    clocks = sla_clocks(
        with_next_reply(policy(), plan), plan, severity, core_timeline(created, events), now
    )
    wait, breaches = evaluate(plan, created, events, now, seconds(plan, severity))
    clock = clocks.next_reply
    assert clocks.next_reply_breaches == breaches
    if wait is None:
        assert clock.state == "none"
        return
    assert (clock.state, clock.elapsed_seconds) == (wait.state, wait.elapsed)
    if wait.state in ("running", "at_risk"):
        assert clock.due == wait.due


def test_a_breached_next_reply_is_tagged_and_its_due_is_the_ticket_s_next_due(
    config_policy: Policy,
) -> None:
    from zendesk_sla.core.facts import OrgFacts
    from zendesk_sla.core.plan_ticket import decide

    from tests.helpers import ticket_facts

    terms = with_next_reply(config_policy, "enterprise")
    t = line(("08:30", "agent"), ("09:00", "customer"))
    facts = ticket_facts(
        t.created_at,
        t,
        priority="urgent",
        subject="Producción caída",
        organization_id=7,
        requester_id=100,
        updated_stamp="2026-02-02T07:00:00Z",
    )
    org = OrgFacts(7, "enterprise", authorized=frozenset({100}), name="Acme")
    waiting = decide(terms, facts, org, None, madrid("2026-02-02 10:40"))
    assert "sla_at_risk" in waiting.tags  # 1 h 40 of the 2 h blocker next reply
    assert waiting.fields["next_due_local"].startswith("2026-02-02 11:00")
    late = decide(terms, facts, org, None, madrid("2026-02-02 11:01"))
    assert "sla_next_reply_breached" in late.tags
    off = decide(config_policy, facts, org, None, madrid("2026-02-02 11:01"))
    assert "sla_next_reply_breached" not in off.tags
