"""Apply: the core's changes written to Zendesk in bulk jobs, and their outcomes recorded.

Note intents are recorded before any write leaves; writes go out in
update_many jobs; outcomes (and the page's cursor) are recorded together. A
note whose write got no answer is looked for in the ticket before it is ever
sent again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog

from zendesk_sla.core.changes import MARKER, TicketChange
from zendesk_sla.core.pending import CLOSING, NOTICE
from zendesk_sla.core.plan_ticket import hands_over
from zendesk_sla.core.policy import RefusedRules
from zendesk_sla.store import StateStore
from zendesk_sla.sync.degraded import org_writes_due, record_job_outcomes, record_org_outcomes
from zendesk_sla.sync.evaluate import Evaluation
from zendesk_sla.sync.fields import FieldMap
from zendesk_sla.sync.summary import Summary
from zendesk_sla.zendesk.errors import in_zendesks_words
from zendesk_sla.zendesk.gateway import (
    CONFLICT,
    FAILED,
    NOT_SENT,
    OK,
    REFUSED,
    Outcome,
    Submitted,
    Write,
    ZendeskGateway,
)

SLA_NOTES = ("sla:", "sla-change:")
PUBLIC_KEYS = (NOTICE, CLOSING)  # notes posted as public comments, without their key

log = structlog.get_logger("zendesk_sla.sync.apply")


@dataclass
class Batch:
    """A page's writes in flight: finished (outcomes and cursor recorded) before the next one."""

    changes: dict[int, Evaluation]
    submitted: Submitted
    page_cursor: tuple[str, str | None] | None
    at: int


@dataclass
class Written:
    """What a batch's confirmed writes leave to record, in one statement each."""

    sent: list[tuple[int, str, int]] = field(default_factory=list)  # notes now in Zendesk
    applied: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    snapshots: list[tuple[int, list[str], dict[str, Any]]] = field(default_factory=list)


@dataclass(kw_only=True)
class Applier:
    gateway: ZendeskGateway
    store: StateStore
    fields: FieldMap
    clock: Callable[[], datetime]
    dry_run: bool = False
    on_change: Callable[[Evaluation], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    settle_seconds: float = 600.0
    worker_user_id: int | None = None
    refused_rules: RefusedRules = field(default_factory=RefusedRules)
    on_evaluated: Callable[[Evaluation], None] | None = None  # every decision (a dry run's report)

    def _now_epoch(self) -> int:
        return int(self.clock().timestamp())

    def submit(
        self,
        evaluations: list[Evaluation],
        summary: Summary,
        page_cursor: tuple[str, str | None] | None,
    ) -> Batch | None:
        """Record the notes' intents, then queue the writes; `finish` records the outcomes."""
        changes = [e for e in evaluations if e.change is not None]
        summary.changes += len(changes)
        if self.on_evaluated:
            for evaluation in evaluations:
                self.on_evaluated(evaluation)
        for evaluation in changes:
            if self.on_change:
                self.on_change(evaluation)
        if self.dry_run:
            if page_cursor and page_cursor[1]:
                self.store.put(page_cursor[0], page_cursor[1])
            return None
        now = self._now_epoch()
        with self.store.transaction():  # intents are durable before any write leaves
            self.store.note_intents(
                ((e.facts.id, n.key) for e in changes if e.change for n in e.change.posted), now
            )
        writes = [self._to_write(e.change) for e in changes if e.change]
        # A close or a notice depends on the ticket as read: a single update with
        # safe_update. A hand-over goes alone too (the bulk request may be what Zendesk
        # refuses). Everything else is the worker's own and goes in bulk jobs.
        bulk = [w for w in writes if not w.single]
        submitted = self.gateway.submit(bulk) if bulk else Submitted()
        submitted.outcomes += [self.gateway.update_ticket(w) for w in writes if w.single]
        return Batch({e.facts.id: e for e in changes}, submitted, page_cursor, now)

    def finish(self, batch: Batch, summary: Summary, *, wait_first: bool = True) -> list[int]:
        """Record a batch's outcomes and its page's cursor; the tickets that conflicted."""
        outcomes = self.gateway.collect(batch.submitted, wait_first=wait_first)
        conflicts: list[int] = []
        done = Written()  # bookkept for the whole batch at once
        with self.store.transaction():  # outcomes and the page's cursor: together or not at all
            for outcome in outcomes:
                self._record(batch.changes[outcome.ticket_id], outcome, summary, batch.at, done)
                if outcome.result == CONFLICT:
                    conflicts.append(outcome.ticket_id)
            self.store.notes_seen(done.sent)
            self.store.record_written(done.applied)
            self.store.record_snapshots(done.snapshots)
            self.store.clear_dirty(o.ticket_id for o in outcomes if o.result == OK)
            in_jobs = {w.ticket_id for ws in batch.submitted.in_flight.values() for w in ws}
            record_job_outcomes(self.store, batch.at, in_jobs, outcomes)
            if batch.page_cursor and batch.page_cursor[1]:
                self.store.put(batch.page_cursor[0], batch.page_cursor[1])
        failed = [o for o in outcomes if o.result not in (OK, FAILED, REFUSED)]
        if failed:  # one line per batch, not one per ticket (a 409 storm is hundreds)
            by_result: dict[str, int] = {}
            for outcome in failed:
                by_result[outcome.result] = by_result.get(outcome.result, 0) + 1
            log.warning(
                "writes_not_applied",
                counts=by_result,
                tickets=[o.ticket_id for o in failed[:10]],
                first_detail=failed[0].detail[:200],
                retried="next cycle" if not conflicts else "conflicts re-read now",
            )
        return conflicts

    def _record(
        self,
        evaluation: Evaluation,
        outcome: Outcome,
        summary: Summary,
        now: int,
        done: Written,
    ) -> None:
        change = evaluation.change
        assert change is not None
        keys = [n.key for n in change.posted]
        ticket_id = outcome.ticket_id
        if outcome.result == OK:
            summary.written += 1
            summary.notes += len(keys)
            decision, facts = evaluation.decision, evaluation.facts
            tags = sorted((facts.tags | set(change.add_tags)) - set(change.remove_tags))
            custom = {str(self.fields.ticket_ids[k]): v for k, v in change.fields.items()}
            # The SLA applied is "written" only once its note is in Zendesk: this update
            # carried it, or it was seen there before. A note left out of this update (one
            # comment per update, or an earlier write whose answer never came) keeps it
            # planned until Zendesk shows it.
            posted = {n.key for n in change.posted}
            held_back = any(
                n.key.startswith(SLA_NOTES) and n.key not in posted and n.key not in evaluation.sent
                for n in decision.notes
            )
            if decision.severity is not None and not held_back:
                done.applied.append((ticket_id, decision.plan, decision.severity.severity))
            done.snapshots.append((ticket_id, tags, custom))
            if change.status:
                self.store.set_status(ticket_id, change.status)
            done.sent += [(ticket_id, key, now) for key in keys]
            return
        if outcome.result == CONFLICT:
            summary.conflicts += 1
        elif outcome.result in (FAILED, NOT_SENT, REFUSED):
            summary.failed += 1
        else:
            summary.unknown += 1
        if outcome.result == REFUSED:
            summary.refused_requests += 1
        if outcome.result in (CONFLICT, FAILED, NOT_SENT, REFUSED):
            self.store.note_dropped(ticket_id, keys)  # certainly not posted
        if outcome.result in (FAILED, REFUSED):
            self._refused(evaluation, outcome, summary, now)
            return
        self.store.mark_dirty([ticket_id], f"{outcome.result}: {outcome.detail}"[:500], now)

    def _refused(
        self, evaluation: Evaluation, outcome: Outcome, summary: Summary, now: int
    ) -> None:
        """Zendesk refused the write: try again later, a bounded number of times, then hand
        the ticket to an agent (tag and note) until someone changes it (POLICY 10)."""
        rules = self.refused_rules
        ticket_id = outcome.ticket_id
        reason = in_zendesks_words(outcome.detail)
        if hands_over(evaluation.decision.notes):
            # The hand-over itself was refused: it stays handed over, tried again only
            # after the longest wait, so a refusal that lasts costs a few requests a day.
            wait = rules.wait_after(rules.max_attempts)
            self.store.count_refusal(ticket_id, reason, now, now + wait)
            log.warning(
                "hand_over_refused", ticket_id=ticket_id, retry_in_seconds=wait, reason=reason
            )
            return
        attempts = self.store.attempts(ticket_id) + 1
        wait = rules.wait_after(attempts)
        self.store.count_refusal(ticket_id, reason, now, now + wait)
        if attempts >= rules.max_attempts:
            self.store.refuse(ticket_id, evaluation.fingerprint(), reason, now)
            summary.handed_off += 1
            log.warning(
                "write_refused_handed_to_agent",
                ticket_id=ticket_id,
                attempts=attempts,
                reason=reason,
            )
            return
        log.warning(
            "write_refused",
            ticket_id=ticket_id,
            attempt=attempts,
            retry_in_seconds=wait,
            reason=reason,
        )

    def _to_write(self, change: TicketChange) -> Write:
        return Write(
            alone=hands_over(change.notes),
            ticket_id=change.ticket_id,
            updated_stamp=change.updated_stamp,
            add_tags=change.add_tags,
            remove_tags=change.remove_tags,
            custom_fields={self.fields.ticket_ids[k]: v for k, v in change.fields.items()},
            comment=change.comment,
            status=change.status,
        )

    def org_fields(self, org_fields: dict[int, dict[str, Any]]) -> set[int]:
        """Write organizations' quota fields; the organizations whose write must be retried
        (all of them while a refused request waits out its back-off)."""
        if not org_fields:
            return set()
        if self.dry_run:
            for org_id, fields in org_fields.items():
                log.info("org_fields_planned", organization_id=org_id, fields=fields)
            return set()
        now = self._now_epoch()
        if not org_writes_due(self.store, now):
            return set(org_fields)
        retry: set[int] = set()
        outcomes = self.gateway.update_organizations(org_fields)
        with self.store.transaction():
            for outcome in outcomes:
                if outcome.result == OK:
                    self.store.put_org_fields(outcome.ticket_id, org_fields[outcome.ticket_id])
                else:
                    retry.add(outcome.ticket_id)
                    log.warning(
                        "org_fields_not_written",
                        organization_id=outcome.ticket_id,
                        detail=outcome.detail[:300],
                    )
            record_org_outcomes(self.store, now, outcomes, self.refused_rules)
        return retry

    def verify_uncertain_notes(self) -> None:
        """A note whose write got no answer is looked for in the ticket before it is resent.

        An internal note is known by its key at its end; a public notice (which carries no
        key) by a public comment of the worker's user made since the write was attempted.
        """
        now = self._now_epoch()
        for ticket_id, keys in self.store.uncertain_notes().items():
            since = self.store.oldest_intent(ticket_id)
            if now - since < self.settle_seconds:
                continue
            comments = self.gateway.comments(ticket_id)
            bodies = "\n".join(str(c.get("body") or "") for c in comments if not c.get("public"))
            public = [
                c
                for c in comments
                if c.get("public")
                and c.get("author_id") == self.worker_user_id
                and _epoch(c.get("created_at")) >= since - 60
            ]
            found = [
                k
                for k in keys
                if MARKER.format(key=k) in bodies or (k.startswith(PUBLIC_KEYS) and public)
            ]
            with self.store.transaction():
                self.store.notes_seen((ticket_id, k, now) for k in found)
                self.store.note_dropped(ticket_id, [k for k in keys if k not in found])
            log.info(
                "notes_verified",
                ticket_id=ticket_id,
                found=found,
                resend=[k for k in keys if k not in found],
            )


def _epoch(value: Any) -> int:
    try:
        return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0
