"""Decide one organization's quota (POLICY 8): its ledger, the quota notes, its quota fields.

Given every ticket of the organization, returns the whole plan: each ticket's
place in its quota year, the 80 % / 100 % crossing notes and the exceeded note (each
once a year, on the ticket that crossed: the tickets after it carry the exceeded tag
only), the tickets whose quota state must be re-decided, and the organization's used /
included / remaining fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from zendesk_sla.core.consumption import Page, consumption_page
from zendesk_sla.core.eligibility import eligibility, quota_exemption, ticket_project
from zendesk_sla.core.facts import OrgFacts, TicketFacts
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.quota import QuotaLine, QuotaTicket, QuotaYear, ledger, quota_year
from zendesk_sla.core.stamps import day_text, last_day_text
from zendesk_sla.core.templates import render

QUOTA_FIELDS = ("quota_used", "quota_included", "quota_remaining")  # all or none
QUOTA_YEAR_FIELD = "quota_year"  # optional: which quota year the other three cover
YEAR_PLACEHOLDERS = ("year_start", "year_end")
CROSSING_PLACEHOLDERS = ("percent", "included", "year_start", "year_end", "organization")
EXCEEDED_PLACEHOLDERS = ("used", "included", "year_start", "year_end", "organization")
_NO_NOTES = frozenset({"solved", "closed", "deleted"})  # the past is not re-announced
_FROZEN = frozenset({"closed", "deleted"})  # Zendesk refuses updates to these


@dataclass(frozen=True)
class OrgPlan:
    """The quota decisions for one organization."""

    organization_id: int
    lines: tuple[QuotaLine, ...]
    years: tuple[QuotaYear, ...]
    notes: Mapping[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    changed: frozenset[int] = frozenset()  # tickets whose quota tag or notes must be written
    fields: Mapping[str, int | str | None] | None = None  # logical field -> value; None: as is
    page: Page | None = None  # its consumption page in the support center, when published


def quota_terms(policy: Policy) -> str:
    """A digest of what a quota recount depends on in the contract, every version with
    its date: the plans' support, channels and quotas (POLICY 7, 8), the quota rules,
    the tags, the channel map, the time zone and the texts. Response and resolution
    targets, hours and severity rules are left out: they never move a ledger."""

    def described(terms: Policy) -> tuple[object, ...]:
        plans = sorted(
            (name, plan.has_support, sorted(plan.channels), plan.yearly_tickets)
            for name, plan in terms.plans.items()
        )
        channels = sorted(terms.channel_map.items())
        rules = [asdict(terms.tags), asdict(terms.quota)]
        return (terms.timezone, plans, channels, rules)

    texts = [asdict(policy.texts), asdict(policy.pages) if policy.pages else None]
    versions: list[object] = [described(policy)]
    for effective, terms in policy.later:  # a version that changes no quota term counts as none
        if described(terms) != versions[-1]:
            versions += [effective, described(terms)]
    # Sorted keys: the same YAML written in another order gives the same digest.
    canonical = json.dumps([versions, texts], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def plan_organization(
    policy: Policy,
    org: OrgFacts,
    tickets: Sequence[TicketFacts],
    *,
    today: date,
    posted: Collection[str] = (),
    notes_done: Mapping[int, Collection[str]] | None = None,
    have_fields: Mapping[str, object] | None = None,
) -> OrgPlan:
    """The quota plan of `org` from all its tickets.

    `posted`: quota note keys already posted on any ticket of the organization;
    `notes_done`: per ticket, note keys already posted or being posted;
    `have_fields`: the organization's quota fields now (logical names), or None
    when the account has no quota fields to write; `quota_year`, optional, is
    planned only when `have_fields` names it.
    """
    zone = ZoneInfo(policy.timezone)
    by_id = {t.id: t for t in tickets}
    quota_tickets = [
        QuotaTicket(
            t.id,
            t.created_at.astimezone(zone).date(),
            quota_exemption(policy, t, eligibility(policy.in_force(t.created_at), t, org)),
            ticket_project(policy, t),
            t.created_at.timestamp(),
        )
        for t in tickets
    ]
    lines, years = ledger(
        quota_tickets,
        plan_quota=lambda start: yearly_quota(policy, org.plan, start),
        contract_start=org.contract_start,
        go_lives=org.go_lives,
        bundles=org.bundles,
        grace_months=policy.quota.grace_months,
        warn_ratios=policy.quota.warn_ratios,
    )
    name = org.name or "la organización"
    wanted: dict[int, list[tuple[str, str]]] = {}
    for year in years:
        for ratio, tid in sorted(year.crossings.items()):
            key = f"quota-{round(ratio * 100)}:{year.start.isoformat()}"
            if key not in posted and by_id[tid].status not in _NO_NOTES:
                text = render(
                    policy.quota.crossing_template,
                    {
                        "percent": round(ratio * 100),
                        "included": year.included,
                        "year_start": day_text(year.start),
                        "year_end": last_day_text(year.end),
                        "organization": name,
                    },
                )
                wanted.setdefault(tid, []).append((key, text))
    ends = {y.start: y.end for y in years}
    included = {y.start: y.included for y in years}
    for line in lines:  # once a year, on the ticket that went past (not on each after it)
        key = f"quota-exceeded:{line.year_start.isoformat()}"
        limit = included[line.year_start]
        if line.state != "exceeded" or limit is None or line.position != limit + 1:
            continue
        if key not in posted and by_id[line.ticket_id].status not in _NO_NOTES:
            text = render(
                policy.quota.exceeded_template,
                {
                    "used": line.position,
                    "included": included[line.year_start],
                    "year_start": day_text(line.year_start),
                    "year_end": last_day_text(ends[line.year_start]),
                    "organization": name,
                },
            )
            wanted.setdefault(line.ticket_id, []).append((key, text))
    done = notes_done or {}
    notes: dict[int, tuple[tuple[str, str], ...]] = {}
    changed: set[int] = set()
    exceeded_tag = policy.tags.quota_exceeded
    for line in lines:
        ticket = by_id[line.ticket_id]
        if ticket.status in _FROZEN:
            continue
        pending = tuple(
            n for n in wanted.get(line.ticket_id, ()) if n[0] not in done.get(ticket.id, ())
        )
        if pending:
            notes[line.ticket_id] = pending
        if (line.state == "exceeded") != (exceeded_tag in ticket.tags) or pending:
            changed.add(line.ticket_id)
    fields = None
    if have_fields is not None and org.plan in policy.plans:  # unknown plan: not set up
        every = quota_fields(policy, org, years, today)
        fields = {k: v for k, v in every.items() if k in QUOTA_FIELDS or k in have_fields}
        if all(_same(have_fields.get(k), v) for k, v in fields.items()):
            fields = None
    page = None
    plan = policy.plans.get(org.plan or "")
    if policy.pages is not None and plan is not None and plan.has_support:
        start, _ = quota_year(org.contract_start, today)
        per_year = yearly_quota(policy, org.plan, start)
        now_included = None if per_year is None else per_year + org.bundles.get(start.year, 0)
        shown = policy.texts.plan(org.plan)
        counted = [
            (ln.ticket_id, by_id[ln.ticket_id].subject, _day(by_id[ln.ticket_id], zone))
            for ln in lines
            if ln.state in USING_QUOTA
        ]
        page = consumption_page(
            policy.pages,
            org,
            years,
            now_included,
            today,
            shown,
            counted=counted,
            reader_tag=f"{policy.tags.contact_prefix}{org.id}",
        )
    return OrgPlan(org.id, tuple(lines), tuple(years), notes, frozenset(changed), fields, page)


def yearly_quota(policy: Policy, plan_name: str | None, year_start: date) -> int | None:
    """The plan's tickets per year under the terms in force on the quota year's first day."""
    zone = ZoneInfo(policy.timezone)
    terms = policy.in_force(datetime.combine(year_start, time(0), zone))
    plan = terms.plans.get(plan_name or "")
    return plan.yearly_tickets if plan is not None and plan.has_support else 0


def quota_fields(
    policy: Policy, org: OrgFacts, years: Sequence[QuotaYear], today: date
) -> dict[str, int | str | None]:
    """used / included / remaining of the quota year holding `today`, and its dates.

    A quota year exists from its first day: before its first ticket, it has its
    plan quota plus that year's bundles, and nothing used.
    """
    current = next((y for y in years if y.start <= today < y.end), None)
    if current is not None:
        included, used = current.included, current.used
        start, end = current.start, current.end
    else:
        start, end = quota_year(org.contract_start, today)
        quota = yearly_quota(policy, org.plan, start)
        included = None if quota is None else quota + org.bundles.get(start.year, 0)
        used = 0
    return {
        "quota_used": used,
        "quota_included": included,
        # Never below 0: the customer page says 0 too; the overage is used minus included.
        "quota_remaining": None if included is None else max(included - used, 0),
        QUOTA_YEAR_FIELD: render(
            policy.quota.year_template,
            {"year_start": day_text(start), "year_end": last_day_text(end)},
        ),
    }


USING_QUOTA = ("counted", "exceeded")


def _day(ticket: TicketFacts, zone: ZoneInfo) -> date:
    return ticket.created_at.astimezone(zone).date()


def _same(have: object, want: object) -> bool:
    return ("" if have is None else str(have)) == ("" if want is None else str(want))
