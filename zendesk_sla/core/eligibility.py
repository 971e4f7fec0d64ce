"""Whether the contract applies to a ticket (POLICY 1, 5, 7, 8): plan, contacts, channels, quota.

The reasons a ticket gets no SLA, the notes that tell the agent why, and
why a ticket uses no quota.
"""

from __future__ import annotations

from typing import NamedTuple

from zendesk_sla.core.changes import Note
from zendesk_sla.core.facts import OrgFacts, TicketFacts
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.templates import render

MERGED_TAG = "closed_by_merge"  # Zendesk tags a ticket merged into another with this

CLOSED = frozenset({"solved", "closed"})


class Eligibility(NamedTuple):
    """Whether the contract's SLA applies to a ticket, and if not, why (POLICY 1, 5, 7)."""

    plan: str | None
    reasons: tuple[str, ...]
    tags: frozenset[str]
    notes: tuple[Note, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons


def eligibility(policy: Policy, ticket: TicketFacts, org: OrgFacts | None) -> Eligibility:
    tags, texts = policy.tags, policy.texts
    plan_name = org.plan if org else None
    plan = policy.plans.get(plan_name) if plan_name else None
    if plan_name and plan is None:
        # POLICY 10: a plan value that is not configured means the organization is not set
        # up (reported to the lead), never that it has no support.
        reason = f"organization not set up: unknown plan {plan_name!r}"
        return Eligibility(plan_name, (reason,), frozenset({tags.org_not_set_up}), ())
    if plan is None or not plan.has_support:
        reason = "no support plan" if plan_name is None else f"plan {plan_name} has no support"
        text = (
            render(texts.no_plan, {})
            if plan_name is None
            else render(texts.no_support, {"plan": texts.plan(plan_name)})
        )
        no_plan = _once(ticket, "no-plan", text)
        return Eligibility(plan_name, (reason,), frozenset({tags.no_support_plan}), tuple(no_plan))
    wanted = {f"{tags.plan_prefix}{plan.name}"}
    reasons: list[str] = []
    notes: list[Note] = []
    # POLICY 7: every Zendesk channel is mapped to a contract channel or is outside every
    # plan; a ticket an agent opened on the customer's behalf is registered by Athento.
    contract_channel = policy.channel_map.get(ticket.via_channel)
    if not ticket.created_by_agent and (
        contract_channel is None or contract_channel not in plan.channels
    ):
        wanted.add(tags.channel_not_in_plan)
        shown = contract_channel or ticket.via_channel
        reasons.append(f"channel {shown} is not in plan {plan.name}")
        notes += _once(
            ticket,
            "channel",
            render(
                texts.channel,
                {
                    "plan": texts.plan(plan.name),
                    "channel": texts.channel_names.get(shown, shown),
                    "plan_channels": ", ".join(
                        texts.channel_names.get(c, c) for c in sorted(plan.channels)
                    )
                    or "-",
                },
            ),
        )
    if org is not None and org.set_up and ticket.requester_id not in org.authorized:
        wanted.add(tags.unauthorized_contact)
        reasons.append("requester is not an authorized contact")
        notes += _once(
            ticket,
            "unauthorized",
            render(texts.unauthorized, {}),
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


def _once(ticket: TicketFacts, key: str, body: str) -> list[Note]:
    return [] if ticket.status in CLOSED else [Note(key, body)]
