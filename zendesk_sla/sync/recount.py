"""Quota recounts, seen from the shell: the organizations' tickets in, their ledgers out.

Reads what a recount needs (a slim row per ticket, the quota notes already posted,
the organizations' quota fields), calls the pure core per organization, and records
the ledgers with the quota terms that counted them. A mixin of `Evaluator`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from zendesk_sla.config import Config
from zendesk_sla.core.consumption import Page
from zendesk_sla.core.facts import OrgFacts, TicketFacts
from zendesk_sla.core.plan_org import (
    QUOTA_FIELDS,
    QUOTA_YEAR_FIELD,
    OrgPlan,
    plan_organization,
    quota_terms,
)
from zendesk_sla.core.policy import Policy
from zendesk_sla.store import StateStore
from zendesk_sla.sync.fields import FieldMap
from zendesk_sla.sync.timelines import quota_facts


@dataclass(frozen=True)
class Quotas:
    changed: set[int]  # tickets to re-decide
    org_fields: dict[int, dict[str, Any]]  # organization id -> field key -> value
    pages: list[Page]  # consumption pages, as they should read now
    # For a dry run's report: organization id -> (name, {field: (now, planned)}).
    field_changes: dict[int, tuple[str, dict[str, tuple[object, object]]]] = field(
        default_factory=dict
    )


class QuotaRecount:
    """Needs of the mixin, provided by `Evaluator`."""

    store: StateStore
    config: Config
    fields: FieldMap
    clock: Callable[[], datetime]
    _quota_terms: tuple[Policy, str] | None

    def orgs(self, org_ids: Iterable[int]) -> dict[int, OrgFacts]:
        raise NotImplementedError

    def quotas(self, org_ids: Iterable[int]) -> Quotas:
        """Recount quotas: the tickets to re-decide, the organization fields to write, the
        consumption pages to publish."""
        store = self.store
        out = Quotas(set(), {}, [])
        orgs = self.orgs(org_ids)
        tickets: dict[int, list[TicketFacts]] = {oid: [] for oid in orgs}
        for row in store.quota_tickets(orgs):
            tickets[row[1]].append(quota_facts(row))
        done = store.quota_note_keys(orgs)
        keys = self.fields.org_keys
        stored = store.orgs(orgs) if set(QUOTA_FIELDS) <= set(keys) else None
        policy = self.config.policy
        today = self.clock().astimezone(ZoneInfo(policy.timezone)).date()
        plans: list[OrgPlan] = []
        with store.transaction():
            for org in orgs.values():
                facts = sorted(tickets[org.id], key=lambda f: f.id)
                have = None
                if stored is not None:
                    found = stored.get(org.id)
                    fields = found.fields if found else {}
                    wanted = (*QUOTA_FIELDS, QUOTA_YEAR_FIELD)
                    have = {k: fields.get(keys[k]) for k in wanted if k in keys}
                notes = {f.id: done[f.id] for f in facts if f.id in done}
                plan = plan_organization(
                    policy,
                    org,
                    facts,
                    today=today,
                    posted=set().union(*notes.values()),
                    notes_done=notes,
                    have_fields=have,
                )
                plans.append(plan)
                out.changed.update(plan.changed)
                if plan.fields is not None:
                    out.org_fields[org.id] = {keys[k]: v for k, v in plan.fields.items()}
                    was = have or {}
                    moved: dict[str, tuple[object, object]] = {
                        k: (was.get(k), v) for k, v in plan.fields.items()
                    }
                    out.field_changes[org.id] = (org.name or str(org.id), moved)
                if plan.page is not None:
                    out.pages.append(plan.page)
            self._record_quota(list(orgs), plans)
        return out

    def _record_quota(self, org_ids: list[int], plans: list[OrgPlan]) -> None:
        self.store.put_quota(
            org_ids,
            [
                (
                    ln.ticket_id,
                    plan.organization_id,
                    ln.year_start.isoformat(),
                    ln.state,
                    ln.position,
                    list(plan.notes.get(ln.ticket_id, ())),
                )
                for plan in plans
                for ln in plan.lines
            ],
            [
                (
                    plan.organization_id,
                    y.start.isoformat(),
                    y.end.isoformat(),
                    y.included,
                    y.used,
                    y.grace,
                    y.exempt,
                )
                for plan in plans
                for y in plan.years
            ],
            self.quota_terms(),
        )

    def quota_terms(self) -> str:
        """The digest of the quota terms now loaded (see `quota_terms`)."""
        policy = self.config.policy
        if self._quota_terms is None or self._quota_terms[0] is not policy:  # a reloaded YAML
            self._quota_terms = (policy, quota_terms(policy))
        return self._quota_terms[1]
