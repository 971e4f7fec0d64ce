"""Decide: what a ticket should look like under the contract, and the change that gets it there.

`decide` returns the wanted state (owned tags, owned fields, notes); `diff`
turns it into the smallest `TicketChange` against what the ticket holds now.
Tags the worker does not own are never removed; notes already posted are
never planned again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from zendesk_sla.core.classification import SeverityDecision, classify
from zendesk_sla.core.clocks import Clock, SlaClocks, sla_clocks
from zendesk_sla.core.explain import iso_z
from zendesk_sla.core.facts import (
    APPLIED_SEVERITY,
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

MARKER = "[zendesk-sla:{key}]"
MERGED_TAG = "closed_by_merge"  # Zendesk tags a ticket merged into another with this
CLOSED = frozenset({"solved", "closed"})


@dataclass(frozen=True)
class Note:
    """A comment the worker posts once per ticket, identified by `key`."""

    key: str
    body: str
    public: bool = False

    @property
    def text(self) -> str:
        return f"{self.body}\n\n{MARKER.format(key=self.key)}"


@dataclass(frozen=True)
class Decision:
    ticket_id: int
    plan: str | None
    eligible: bool  # False: no SLA (no plan, out of scope, unauthorized, channel)
    tags: frozenset[str]
    fields: Mapping[str, str | None]
    notes: tuple[Note, ...] = ()
    status: str | None = None
    severity: SeverityDecision | None = None
    clocks: SlaClocks | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class TicketChange:
    """The write for one ticket: only what differs from what Zendesk holds now."""

    ticket_id: int
    updated_stamp: str
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    fields: Mapping[str, str | None] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()
    status: str | None = None

    @property
    def posted(self) -> tuple[Note, ...]:
        """Zendesk takes one comment per update: a public notice alone, else all private notes."""
        public = tuple(n for n in self.notes if n.public)
        return public[:1] if public else self.notes

    @property
    def comment(self) -> tuple[str, bool] | None:
        """(body, public) of this update's comment."""
        notes = self.posted
        if not notes:
            return None
        return "\n\n---\n\n".join(n.text for n in notes), notes[0].public


@dataclass(frozen=True)
class Eligibility:
    """Whether the contract's SLA applies to a ticket, and if not, why (POLICY 1, 5, 7)."""

    plan: str | None
    reasons: tuple[str, ...]
    tags: frozenset[str]
    notes: tuple[Note, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons


def eligibility(policy: Policy, ticket: TicketFacts, org: OrgFacts | None) -> Eligibility:
    tags = policy.tags
    plan_name = org.plan if org else None
    plan = policy.plans.get(plan_name) if plan_name else None
    if plan is None or not plan.has_support:
        reason = "no support plan" if plan_name is None else f"plan {plan_name} has no support"
        if plan_name and plan is None:
            reason = f"unknown plan {plan_name!r}"
        no_plan = _once(ticket, "no-plan", f"Sin SLA: {reason}. Solo documentación.")
        return Eligibility(plan_name, (reason,), frozenset({tags.no_support_plan}), tuple(no_plan))
    wanted = {f"{tags.plan_prefix}{plan.name}"}
    reasons: list[str] = []
    notes: list[Note] = []
    contract_channel = policy.channel_map.get(ticket.via_channel)
    if contract_channel is not None and contract_channel not in plan.channels:
        wanted.add(tags.channel_not_in_plan)
        reasons.append(f"channel {contract_channel} is not in plan {plan.name}")
        notes += _once(
            ticket,
            "channel",
            (
                f"Canal no incluido en el plan {plan.name}: el ticket llegó por {contract_channel} "
                f"(canales del plan: {', '.join(sorted(plan.channels)) or 'ninguno'}). Sin SLA."
            ),
        )
    if org is not None and org.set_up and ticket.requester_id not in org.authorized:
        wanted.add(tags.unauthorized_contact)
        reasons.append("requester is not an authorized contact")
        notes += _once(
            ticket,
            "unauthorized",
            (
                "El solicitante no es un contacto autorizado de la organización: el ticket no "
                "tiene SLA ni consume cuota. Confirme con el cliente quién puede abrir incidencias."
            ),
        )
    if tags.out_of_scope in ticket.tags:
        reasons.append("out of scope (project adjustment or configuration)")
    return Eligibility(plan.name, tuple(reasons), frozenset(wanted), tuple(notes))


def quota_exemption(policy: Policy, ticket: TicketFacts, found: Eligibility) -> str | None:
    """Why a ticket uses no quota (POLICY 8), or None when it counts."""
    if not found.eligible:
        return found.reasons[0]
    if ticket.status == "deleted":
        return "deleted or spam"
    if MERGED_TAG in ticket.tags:
        return "merged into another ticket"
    return None


def ticket_project(policy: Policy, ticket: TicketFacts) -> str | None:
    prefix = policy.tags.project_prefix
    return next((t[len(prefix) :] for t in sorted(ticket.tags) if t.startswith(prefix)), None)


def decide(
    policy: Policy,
    ticket: TicketFacts,
    org: OrgFacts | None,
    previous: Previous | None,
    now: datetime,
    *,
    sent: Mapping[str, datetime] | None = None,
    quota: QuotaMark | None = None,
) -> Decision:
    """The wanted state: SLA (sections 2-7), quota tags (8) and pending closure (9)."""
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
    step = pending_step(ticket, policy.pending, tags, sent or {}, now, policy.timezone)
    notes = base.notes
    if quota is not None and ticket.status not in CLOSED:
        notes = (*notes, *(Note(key, text) for key, text in quota.notes))
    if step.notice is not None:
        notes = (*notes, Note(step.notice[0], step.notice[1], public=True))
    return replace(
        base,
        tags=base.tags | extra | step.tags,
        notes=notes,
        status="solved" if step.solve else None,
    )


def _sla(
    policy: Policy,
    ticket: TicketFacts,
    found: Eligibility,
    previous: Previous | None,
    now: datetime,
) -> Decision:
    tags = policy.tags
    cleared = dict.fromkeys(OWNED_FIELDS)
    if not found.eligible or found.plan is None:
        return Decision(
            ticket.id, found.plan, False, found.tags, cleared, found.notes, reasons=found.reasons
        )
    plan = policy.plans[found.plan]
    wanted = set(found.tags)
    notes = list(found.notes)
    severity = classify(
        policy.severity,
        field_value=ticket.fields.get(SEVERITY_INPUT),
        tags=ticket.tags,
        priority=ticket.priority,
        text=f"{ticket.subject}\n{ticket.description}",
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
    fields = {
        APPLIED_SEVERITY: severity.severity,
        RESPONSE_DUE: iso_z(clocks.response.due),
        RESOLUTION_DUE: iso_z(clocks.resolution.due),
    }
    if ticket.status not in CLOSED:
        notes.extend(_sla_note(policy, plan.name, severity, clocks, previous))
    return Decision(
        ticket.id,
        plan.name,
        True,
        frozenset(wanted),
        fields,
        tuple(notes),
        severity=severity,
        clocks=clocks,
    )


def _state_tags(policy: Policy, clocks: SlaClocks) -> set[str]:
    tags = policy.tags
    out = set()
    if clocks.response.state == "breached":
        out.add(tags.response_breached)
    if clocks.response.state == "over_target":
        out.add(tags.response_over_target)
    if clocks.resolution.state == "breached":
        out.add(tags.resolution_breached)
    if "at_risk" in (clocks.response.state, clocks.resolution.state):
        out.add(tags.at_risk)
    return out


def _once(ticket: TicketFacts, key: str, body: str) -> list[Note]:
    return [] if ticket.status in CLOSED else [Note(key, body)]


def _due_text(policy: Policy, clock: Clock) -> str:
    if clock.state == "none":
        return "sin objetivo en este plan"
    if clock.state == "exempt":
        return "no aplica (depende de un tercero)"
    if clock.due is None:
        return f"en pausa ({clock.state})"
    local = clock.due.astimezone(ZoneInfo(policy.timezone))
    effort = " (best effort)" if clock.best_effort else ""
    return f"{local:%d/%m/%Y %H:%M} ({policy.timezone}){effort}"


def _sla_note(
    policy: Policy,
    plan: str,
    severity: SeverityDecision,
    clocks: SlaClocks,
    previous: Previous | None,
) -> list[Note]:
    lines = [
        f"Plan {plan}, severidad {severity.severity} ({severity.reason}).",
        f"Respuesta: {_due_text(policy, clocks.response)}.",
        f"Resolución: {_due_text(policy, clocks.resolution)}.",
    ]
    if severity.review:
        lines.append("Revise la severidad: las palabras clave sugieren una más alta.")
    if previous is None or (previous.plan is None and previous.severity is None):
        return [Note(f"sla:{plan}:{severity.severity}", "SLA aplicado. " + " ".join(lines))]
    if (previous.plan, previous.severity) == (plan, severity.severity):
        return []
    key = f"sla-change:{previous.plan}:{previous.severity}>{plan}:{severity.severity}"
    head = (
        f"SLA recalculado desde la creación del ticket (antes: plan {previous.plan}, "
        f"severidad {previous.severity}). "
    )
    return [Note(key, head + " ".join(lines))]


def _norm(value: object) -> str:
    return "" if value is None else str(value)


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
    remove = tuple(
        sorted(t for t in ticket.tags if policy.tags.is_owned(t) and t not in decision.tags)
    )
    fields = {
        name: value
        for name, value in decision.fields.items()
        if _norm(ticket.fields.get(name)) != _norm(value)
    }
    notes = tuple(n for n in decision.notes if n.key not in notes_done)
    status = decision.status if decision.status and decision.status != ticket.status else None
    if not (add or remove or fields or notes or status):
        return None
    return TicketChange(ticket.id, ticket.updated_stamp, add, remove, fields, notes, status)
