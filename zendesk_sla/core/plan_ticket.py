"""Decide one ticket: its wanted state under the contract, and the smallest change to get there.

`decide` returns the wanted state (owned tags, owned fields, notes); `diff`
turns it into the smallest `TicketChange` against what the ticket holds now.
Tags the worker does not own are never removed; notes already posted are
never planned again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from zendesk_sla.core.changes import Decision, Note, TicketChange
from zendesk_sla.core.classification import SeverityDecision, classify
from zendesk_sla.core.clocks import Clock, SlaClocks, sla_clocks
from zendesk_sla.core.eligibility import (
    CLOSED,
    Eligibility,
    eligibility,
    quota_exemption,
    ticket_project,
)
from zendesk_sla.core.escalation import next_level_at, reached
from zendesk_sla.core.explain import iso_z, local_stamp
from zendesk_sla.core.facts import (
    APPLIED_SEVERITY,
    NEXT_DUE_LOCAL,
    OWNED_FIELDS,
    RESOLUTION_DUE,
    RESPONSE_DUE,
    SEVERITY_INPUT,
    OrgFacts,
    Previous,
    QuotaMark,
    TicketFacts,
)
from zendesk_sla.core.pending import pending_step
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.quota import in_grace
from zendesk_sla.core.stamps import day_text, time_stamp
from zendesk_sla.core.templates import render
from zendesk_sla.core.text_severity import ticket_text
from zendesk_sla.core.transitions import next_transition

REFUSED_PLACEHOLDERS = ("reason",)
INFORMATIVE = ("sla:", "no-plan")  # notes that tell, where no agent must act
HAND_OVER = "write-refused:"  # the note that leaves a ticket to an agent (POLICY 10)


def hands_over(notes: Collection[Note]) -> bool:
    """These notes leave the ticket to an agent (a refused write, POLICY 10)."""
    return any(n.key.startswith(HAND_OVER) for n in notes)


def decide(
    policy: Policy,
    ticket: TicketFacts,
    org: OrgFacts | None,
    previous: Previous | None,
    now: datetime,
    *,
    sent: Mapping[str, datetime] | None = None,
    quota: QuotaMark | None = None,
    refused: tuple[str, int] | None = None,
    quiet: bool = False,
    watching_since: datetime | None = None,
) -> Decision:
    """The wanted state: SLA (sections 2-7), quota tags (8) and pending closure (9).

    `refused`: (what Zendesk answered, since when) while a write it refused is left to an
    agent (POLICY 10): the worker asks for no status change and posts no notice; the ticket
    carries the refused tag and one internal note saying what was refused.
    `quiet` (a first run or a backfill, POLICY 10): no note that only informs ("SLA
    applied", "no support plan"); notes go only where an agent must act.
    The ticket is judged by the contract terms in force when it was created.
    """
    policy = policy.in_force(ticket.created_at)
    tags = policy.tags
    found = eligibility(policy, ticket, org)
    base = _sla(policy, ticket, found, previous, now)
    extra: set[str] = set()
    exemption = quota_exemption(policy, ticket, found)
    if exemption is None and org is not None:
        local = ticket.created_at.astimezone(ZoneInfo(policy.timezone)).date()
        months = policy.quota.grace_months
        if in_grace(local, org.go_lives, months, ticket_project(policy, ticket)):
            extra.add(tags.quota_grace)
        else:
            extra.add(tags.quota_counted)
            if quota is not None and quota.exceeded:
                extra.add(tags.quota_exceeded)
    step = pending_step(
        ticket, policy.pending, tags, sent or {}, now, policy.timezone, watching_since
    )
    notes = base.notes
    if quiet:
        notes = tuple(n for n in notes if not n.key.startswith(INFORMATIVE))
    if quota is not None and ticket.status not in CLOSED:
        notes = (*notes, *(Note(key, text) for key, text in quota.notes))
    step_tags = step.tags
    if refused is not None:
        reason, since = refused
        if step.solve:  # the close is what was refused: the notice stands, no closing
            step_tags = (step.tags - {tags.closed_no_response}) | {tags.pending_notice}
        text = render(policy.refused.note_template, {"reason": reason})
        notes = (*notes, Note(f"{HAND_OVER}{since}", text))
        extra.add(tags.write_refused)
    elif step.notice is not None:
        notes = (*notes, Note(step.notice[0], step.notice[1], public=True))
    calendar = policy.calendars.get(base.plan or "") if base.clocks else None
    level_at = next_level_at(policy.escalation, base.clocks, calendar, now, ticket.timeline)
    return Decision(
        ticket_id=ticket.id,
        plan=base.plan,
        eligible=base.eligible,
        tags=base.tags | extra | step_tags,
        fields=base.fields,
        notes=notes,
        status="solved" if step.solve and refused is None else None,
        severity=base.severity,
        clocks=base.clocks,
        reasons=base.reasons,
        next_at=next_transition(calendar, base.clocks, (step.next_at, level_at), now),
    )


class _Sla(NamedTuple):
    """The SLA part of a decision (sections 2-7), before quota and pending closure."""

    plan: str | None
    eligible: bool
    tags: frozenset[str]
    fields: Mapping[str, str | None]
    notes: tuple[Note, ...]
    severity: SeverityDecision | None = None
    clocks: SlaClocks | None = None
    reasons: tuple[str, ...] = ()


def _sla(
    policy: Policy,
    ticket: TicketFacts,
    found: Eligibility,
    previous: Previous | None,
    now: datetime,
) -> _Sla:
    tags = policy.tags
    cleared = dict.fromkeys(OWNED_FIELDS)
    if not found.eligible or found.plan is None:
        return _Sla(found.plan, False, found.tags, cleared, found.notes, reasons=found.reasons)
    plan = policy.plans[found.plan]
    wanted = set(found.tags)
    notes = list(found.notes)
    severity = classify(
        policy.severity,
        field_value=ticket.fields.get(SEVERITY_INPUT),
        tags=ticket.tags,
        priority=ticket.priority,
        text=ticket_text(ticket.subject, ticket.description),
        tag_prefix=tags.severity_input_prefix,
    )
    third_party = tags.third_party in ticket.tags
    clocks = sla_clocks(
        policy, plan.name, severity.severity, ticket.timeline, now, third_party=third_party
    )
    wanted.add(f"{tags.severity_prefix}{severity.severity}")
    if severity.review:
        wanted.add(tags.severity_review)
    wanted |= _state_tags(policy, clocks)
    day = policy.calendars[plan.name].day_length()
    wanted |= reached(policy.escalation, clocks, day, tags.escalation_prefix)
    fields = {
        APPLIED_SEVERITY: severity.severity,
        RESPONSE_DUE: iso_z(clocks.response.due),
        RESOLUTION_DUE: iso_z(clocks.resolution.due),
        NEXT_DUE_LOCAL: local_stamp(policy.timezone, clocks.next_due),
    }
    if ticket.status not in CLOSED:
        notes.extend(_sla_note(policy, plan.name, severity, clocks, previous))
        moved = any(_differs(ticket.fields.get(k), v) for k, v in fields.items())
        if policy.effective is not None and ticket.created_at < policy.effective and moved:
            notes.append(_terms_note(policy, plan.name, severity.severity, clocks))
    return _Sla(plan.name, True, frozenset(wanted), fields, tuple(notes), severity, clocks)


def _state_tags(policy: Policy, clocks: SlaClocks) -> set[str]:
    tags = policy.tags
    out = set()
    if clocks.response.state == "breached":
        out.add(tags.response_breached)
    if clocks.response.state == "over_target":
        out.add(tags.response_over_target)
    if clocks.resolution.state == "breached":
        out.add(tags.resolution_breached)
    if clocks.next_reply_breaches:
        out.add(tags.next_reply_breached)
    if "at_risk" in (c.state for c in clocks.all):
        out.add(tags.at_risk)
    return out


def _due_text(policy: Policy, clock: Clock) -> str:
    texts = policy.texts
    if clock.state == "none":
        return render(texts.due_none, {})
    if clock.state == "exempt":
        return render(texts.due_exempt, {})
    if clock.due is None:
        status = texts.state_names.get(clock.state, clock.state)
        return render(texts.due_paused, {"status": status})
    local = clock.due.astimezone(ZoneInfo(policy.timezone))
    at = render(
        texts.due_at,
        {"date": day_text(local), "time": time_stamp(local), "timezone": policy.timezone},
    )
    return at + (texts.best_effort if clock.best_effort else "")


def _why(policy: Policy, severity: SeverityDecision) -> str:
    texts = policy.texts
    if severity.source == "text" and severity.chance is not None:
        # A model is never certain: 99.6 % reads "99 %", not "100 %".
        chance = f"{min(99, max(1, round(severity.chance * 100)))} %"
        return render(texts.why_model, {"phrases": severity.detail, "chance": chance})
    template, values = {
        "field": (texts.why_field, {"value": severity.detail}),
        "tag": (texts.why_tag, {"tag": severity.detail}),
        "priority": (texts.why_priority, {"priority": severity.detail}),
        "text": (texts.why_text, {"phrases": severity.detail}),
    }.get(severity.source, (texts.why_default, {}))
    return render(template, values)


def _terms_note(policy: Policy, plan: str, severity: str, clocks: SlaClocks) -> Note:
    """A lead asked to judge this older ticket by newer terms: its dues moved, say so once."""
    assert policy.effective is not None
    texts = policy.texts
    since = day_text(policy.effective)  # local midnight of the version's first day
    if policy.description:
        terms = render(texts.terms_named, {"description": policy.description, "since": since})
    else:
        terms = render(texts.terms_dated, {"since": since})
    values = {
        "terms": terms,
        "plan": policy.texts.plan(plan),
        "severity": policy.texts.severity(severity),
        "response": _due_text(policy, clocks.response),
        "resolution": _due_text(policy, clocks.resolution),
    }
    key = f"sla-terms:{policy.effective.date().isoformat()}:{plan}:{severity}"
    return Note(key, render(policy.texts.sla_terms, values))


def _sla_note(
    policy: Policy,
    plan: str,
    severity: SeverityDecision,
    clocks: SlaClocks,
    previous: Previous | None,
) -> list[Note]:
    known = (previous.plan, previous.severity) if previous is not None else (None, None)
    if known == (plan, severity.severity):
        return []  # nothing new to say (the texts below are built only when needed)
    texts = policy.texts
    values = {
        "plan": texts.plan(plan),
        "severity": texts.severity(severity.severity),
        "why": _why(policy, severity),
        "response": _due_text(policy, clocks.response),
        "resolution": _due_text(policy, clocks.resolution),
        "review": texts.review if severity.review else "",
    }
    if previous is None or known == (None, None):
        body = render(texts.sla_applied, values)
        return [Note(f"sla:{plan}:{severity.severity}", body)]
    key = f"sla-change:{previous.plan}:{previous.severity}>{plan}:{severity.severity}"
    body = render(
        texts.sla_changed,
        {
            **values,
            "previous_plan": texts.plan(previous.plan),
            "previous_severity": texts.severity(previous.severity),
        },
    )
    return [Note(key, body)]


def _norm(value: object) -> str:
    return "" if value is None else str(value)


def _differs(held: object, wanted: object) -> bool:
    return held != wanted and _norm(held) != _norm(wanted)


def diff(
    decision: Decision,
    ticket: TicketFacts,
    policy: Policy,
    notes_done: Collection[str] = (),
) -> TicketChange | None:
    """The smallest change from what `ticket` holds to `decision`; None when nothing differs."""
    if ticket.status == "closed":  # Zendesk refuses updates to closed tickets
        return None
    add = tuple(sorted(decision.tags - ticket.tags))
    remove = tuple(sorted(t for t in ticket.tags - decision.tags if policy.tags.is_owned(t)))
    fields = {
        name: value
        for name, value in decision.fields.items()
        if _differs(ticket.fields.get(name), value)
    }
    notes = tuple(n for n in decision.notes if n.key not in notes_done)
    status = decision.status if decision.status and decision.status != ticket.status else None
    if not (add or remove or fields or notes or status):
        return None
    return TicketChange(ticket.id, ticket.updated_stamp, add, remove, fields, notes, status)
