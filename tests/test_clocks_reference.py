"""The core's clocks agree with a naive reading of POLICY.md on thousands of random timelines.

Timelines mix pending and hold spells, replies alone or with a status change
in the same instant, trigger comments, private notes, customer comments,
silent solves, reopens, closes, a third-party tag, every plan and severity
(a severity change recomputes from creation, so each severity is a case), and
`now` anywhere, before, inside or long after the history.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.config import load_config
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.policy import Policy, Target
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline

from tests.conftest import CONFIG
from tests.reference_clocks import HOURS, Event, evaluate

STATUSES = ("open", "pending", "hold", "solved", "open", "solved")
COMMENTS = ("agent", "admin", "private", "trigger", "customer")
ROLES = {
    "agent": (True, "agent", False),
    "admin": (True, "admin", False),
    "private": (False, "agent", False),
    "trigger": (True, "agent", True),
    "customer": (True, "end-user", False),
}
START = datetime(2025, 1, 1, tzinfo=UTC)


@cache
def policy() -> Policy:
    return load_config(CONFIG).policy


def _spec(value: float | str) -> float | Target:
    if isinstance(value, float):
        return value
    return Target(int(value[:-1]), "h" if value.endswith("h") else "d")


def core_timeline(created: datetime, events: list[Event]) -> Timeline:
    statuses = [StatusChange(epoch(created), "new")]
    statuses += [StatusChange(epoch(e.at), e.status) for e in events if e.status is not None]
    comments = [Comment(epoch(created), True, "end-user")]
    for e in events:
        if e.comment is not None:
            public, role, automated = ROLES[e.comment]
            comments.append(Comment(epoch(e.at), public, role, automated=automated))
    return Timeline(created, tuple(statuses), tuple(comments))


@st.composite
def histories(draw: st.DrawFn) -> tuple[datetime, list[Event]]:
    created = START + timedelta(minutes=draw(st.integers(0, 3 * 365 * 24 * 60)))
    moment, events = created, []
    closed = False
    for _ in range(draw(st.integers(0, 8))):
        moment += timedelta(minutes=draw(st.sampled_from([0, 1, 30, 59, 60, 240, 900, 4000])))
        if closed:
            break
        kind = draw(st.sampled_from(["status", "comment", "both"]))
        status = draw(st.sampled_from((*STATUSES, "closed"))) if kind != "comment" else None
        comment = draw(st.sampled_from(COMMENTS)) if kind != "status" else None
        if kind == "both":  # a reply and a status change in the same instant
            events.append(Event(moment, comment=comment))
            events.append(Event(moment, status=status))
        else:
            events.append(Event(moment, status=status, comment=comment))
        closed = status == "closed"
    return created, events


@settings(max_examples=1500, deadline=None)
@given(
    histories(),
    st.sampled_from(["plus", "standard", "company", "enterprise"]),
    st.sampled_from(["blocker", "critical", "major", "trivial"]),
    st.integers(-600, 60 * 24 * 60),
    st.booleans(),
    st.sampled_from([None, 0.5, 0.9]),  # the plan's own at-risk threshold, or the 0.75
    st.sampled_from([None, 0.4, "1h", "1d"]),  # the severity's own: a share or a time before
)
def test_core_clocks_agree_with_the_naive_reference(
    history: tuple[datetime, list[Event]],
    plan: str,
    severity: str,
    minutes_after: int,
    third_party: bool,
    plan_ratio: float | None,
    severity_spec: float | str | None,
) -> None:
    created, events = history
    now = created + timedelta(minutes=minutes_after)
    terms = policy()
    at_risk = {} if severity_spec is None else {severity: _spec(severity_spec)}
    plans = {
        **terms.plans,
        plan: replace(terms.plans[plan], at_risk_ratio=plan_ratio, at_risk=at_risk),
    }
    clocks = sla_clocks(
        replace(terms, plans=plans),
        plan,
        severity,
        core_timeline(created, events),
        now,
        third_party=third_party,
    )
    for kind, clock in (("response", clocks.response), ("resolution", clocks.resolution)):
        ratio = 0.75 if plan_ratio is None else plan_ratio
        before = None
        if isinstance(severity_spec, float):
            ratio = severity_spec
        elif isinstance(severity_spec, str):  # a time before the due: 1h, or a plan's day
            opening, closing = HOURS[plan]
            before = 3600 if severity_spec == "1h" else (closing - opening) * 3600
        expected = evaluate(
            plan,
            severity,
            kind,
            created,
            events,
            now,
            third_party=third_party,
            at_risk_ratio=ratio,
            at_risk_before=before,
        )
        got = (clock.state, clock.due, clock.elapsed_seconds if clock.state != "none" else 0)
        if clock.state == "exempt":
            got = ("exempt", None, 0)
        assert got == (expected.state, expected.due, expected.elapsed), kind
