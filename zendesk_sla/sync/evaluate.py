"""Decide, seen from the shell: stored rows in, the core's decisions out.

Loads what the core needs (facts, organizations, past writes, notes, quota
marks) from the store, calls the pure core for each ticket and each touched
organization, and records what was decided. It writes nothing to Zendesk.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

import structlog

from zendesk_sla.config import Config
from zendesk_sla.core.changes import Decision, TicketChange
from zendesk_sla.core.facts import SEVERITY_INPUT, OrgFacts, Previous, TicketFacts
from zendesk_sla.core.pending import observed_keys
from zendesk_sla.core.plan_ticket import decide, diff
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.previous import previous_from_notes, previous_from_ticket
from zendesk_sla.core.text_severity import ticket_text
from zendesk_sla.store import SENT, Applied, StateStore
from zendesk_sla.sync.fields import FieldMap
from zendesk_sla.sync.recount import QuotaRecount
from zendesk_sla.sync.summary import Summary
from zendesk_sla.sync.timelines import load_orgs, moment, ticket_facts
from zendesk_sla.sync.verdicts import TextVerdicts
from zendesk_sla.zendesk.parse import TicketRow

WATCHING_SINCE = "worker:watching_since"  # when the worker first looked at this account

log = structlog.get_logger("zendesk_sla.sync.evaluate")


@dataclass
class Evaluation:
    facts: TicketFacts
    decision: Decision
    change: TicketChange | None
    fingerprint: Callable[[], str] = str  # what others own on the ticket (status, fields, tags)
    held: bool = False  # a change withheld: a refused write waits for its next attempt
    sent: frozenset[str] = frozenset()  # note keys Zendesk is known to show
    before: Applied | None = None  # what the state held for it before this decision
    after: Applied | None = None  # this decision's record


@dataclass(kw_only=True)
class Evaluator(QuotaRecount):
    store: StateStore
    config: Config
    fields: FieldMap
    clock: Callable[[], datetime]
    _held: dict[int, OrgFacts] | None = field(default=None, init=False, repr=False)
    _text: TextVerdicts | None = field(default=None, init=False, repr=False)
    _quota_terms: tuple[Policy, str] | None = field(default=None, init=False, repr=False)

    def tickets(
        self, ids: Sequence[int], summary: Summary, *, quiet: bool = False
    ) -> list[Evaluation]:
        """Decide these tickets from the store; record what was decided.

        `quiet`: a first run or a backfill, where the past is not re-announced.
        """
        store = self.store
        rows = store.tickets(ids)
        before = store.applied_for(list(rows))  # what this state decided before, if anything
        verdicts = self._verdicts()
        # The texts read before: those of tickets that had no SLA are likely not read now.
        verdicts.load(
            ticket_text(r.subject, r.description)
            for r in rows.values()
            if r.id not in before or before[r.id].eligible
        )
        statuses, comments = store.status_changes(list(rows)), store.comments(list(rows))
        roles = store.roles({r.submitter_id for r in rows.values() if r.submitter_id})
        orgs = self.orgs({r.organization_id for r in rows.values() if r.organization_id})
        written = store.written(list(rows))
        known_here = set(before)
        notes = store.notes(list(rows))
        quota = store.quota_marks(list(rows))
        names = store.names(r.requester_id for r in rows.values() if r.requester_id)
        now = self.clock()
        policy = self.config.policy
        waiting = store.backing_off(list(rows), int(now.timestamp()))
        refusals = store.refusals(list(rows))
        stale: list[int] = []
        learned: list[tuple[int, str | None, str | None]] = []  # read back from Zendesk
        watching = store.get(WATCHING_SINCE)
        watching_since = moment(int(watching)) if watching else None
        out: list[Evaluation] = []
        applied: list[Applied] = []
        field_names = self.fields.ticket_names
        for ticket_id in ids:
            row = rows.get(ticket_id)
            if row is None:
                continue
            try:
                requester, language = names.get(row.requester_id or 0, ("", ""))
                facts = ticket_facts(
                    row,
                    statuses.get(ticket_id, ()),
                    comments.get(ticket_id, ()),
                    roles,
                    field_names,
                    requester,
                    language,
                )
                org = orgs.get(row.organization_id) if row.organization_id else None
                prev = written.get(ticket_id)
                known = notes.get(ticket_id, {})
                sent: dict[str, datetime] = {}
                if known:  # most tickets carry no note of the worker's
                    sent = {k: moment(at) for k, (state, at) in known.items() if state == SENT}
                    sent.update(observed_keys(facts, sent))  # notices seen in Zendesk itself
                # What the worker applied: its own record, else what Zendesk shows (its notes,
                # then its plan tag and applied severity field), so a lost state says nothing twice.
                previous = Previous(*prev) if prev else previous_from_notes(sent)
                if previous is None and ticket_id not in known_here:  # a new or lost state
                    previous = previous_from_ticket(policy, facts)
                if prev is None and previous is not None:
                    learned.append((ticket_id, previous.plan, previous.severity))
                fingerprint = partial(self.fingerprint, row)  # computed only when needed
                refusal = refusals.get(ticket_id)
                refused = None
                if refusal is not None and refusal[0] == fingerprint():
                    refused = (refusal[1], refusal[2])
                elif refusal is not None:
                    stale.append(ticket_id)  # someone changed the ticket: try again
                decision = decide(
                    self.config.policy,
                    facts,
                    org,
                    previous,
                    now,
                    sent=sent,
                    quota=quota.get(ticket_id),
                    refused=refused,
                    quiet=quiet,
                    watching_since=watching_since,
                )
                change = diff(decision, facts, self.config.policy, set(known) | set(sent))
                if refused is not None and change is not None:  # only what the worker owns
                    change = replace(change, fields={}, status=None)
            except Exception as exc:  # one ticket the core cannot decide never stops the cycle
                summary.skipped_bad += 1
                log.warning(
                    "ticket_skipped",
                    ticket_id=ticket_id,
                    error_type=type(exc).__name__,
                    error=str(exc)[:300],
                )
                continue
            change = self._writable(change)
            held = change is not None and ticket_id in waiting
            summary.evaluated += 1
            terms = policy.in_force(facts.created_at).digest
            record = _applied(row.id, row.organization_id, row.created_at, decision, terms)
            out.append(
                Evaluation(
                    facts,
                    decision,
                    None if held else change,
                    fingerprint,
                    held,
                    frozenset(sent),
                    before.get(ticket_id),
                    record,
                )
            )
            if record != before.get(ticket_id):  # an unchanged record is not written again
                applied.append(record)
        with store.transaction():
            store.record_applied(applied, int(now.timestamp()))
            store.learn_written(learned)
            store.forget_refusals(stale)
            verdicts.save()
        return out

    def _verdicts(self) -> TextVerdicts:
        rules = self.config.policy.severity.text
        if self._text is None or self._text.rules is not rules:  # a reloaded YAML
            self._text = TextVerdicts(self.store, rules)
        return self._text

    def fingerprint(self, row: TicketRow) -> str:
        """Status, fields and tags the worker does not own: when they change, an agent acted."""
        owned_fields = {str(i) for i in self.fields.ticket_ids.values()}
        owned_fields -= {str(self.fields.ticket_ids.get(SEVERITY_INPUT, ""))}
        tags = self.config.policy.tags
        theirs = {
            "status": row.status,
            "fields": {k: v for k, v in sorted(row.custom_fields.items()) if k not in owned_fields},
            "tags": sorted(t for t in row.tags if not tags.is_owned(t)),
        }
        digest = hashlib.sha256(json.dumps(theirs, sort_keys=True, default=str).encode())
        return digest.hexdigest()[:16]

    def orgs(self, org_ids: Iterable[int]) -> dict[int, OrgFacts]:
        held = self._held
        if held is None:
            return load_orgs(self.store, self.config, org_ids)
        wanted = set(org_ids)
        held.update(load_orgs(self.store, self.config, wanted - held.keys()))
        return {oid: held[oid] for oid in wanted if oid in held}

    @contextmanager
    def orgs_held(self) -> Iterator[None]:
        """Read each organization once while a whole range is decided from the state: it
        was gathered before the deciding starts, so it does not change meanwhile."""
        self._held = {}
        try:
            yield
        finally:
            self._held = None

    def _writable(self, change: TicketChange | None) -> TicketChange | None:
        """Drop field writes whose Zendesk field does not exist (setup not run yet)."""
        if change is None or all(name in self.fields.ticket_ids for name in change.fields):
            return change
        fields = {k: v for k, v in change.fields.items() if k in self.fields.ticket_ids}
        if not (change.add_tags or change.remove_tags or fields or change.notes or change.status):
            return None
        return replace(change, fields=fields)


def _applied(
    ticket_id: int, org_id: int | None, created: int, decision: Decision, terms: str
) -> Applied:
    clocks = decision.clocks
    return Applied(
        ticket_id=ticket_id,
        organization_id=org_id,
        plan=decision.plan,
        severity=decision.severity.severity if decision.severity else None,
        eligible=decision.eligible,
        response_state=clocks.response.state if clocks else None,
        resolution_state=clocks.resolution.state if clocks else None,
        response_due=decision.fields.get("response_due"),
        resolution_due=decision.fields.get("resolution_due"),
        created_at=created,
        reason="; ".join(decision.reasons) or None,
        next_at=int(decision.next_at.timestamp()) if decision.next_at else None,
        terms=terms,
    )
