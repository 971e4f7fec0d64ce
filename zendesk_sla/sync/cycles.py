"""The cycles: poll, sweep and backfill, each as gather -> decide -> apply.

A poll gathers the directory and events, then the ticket export page by
page: each page is stored, decided by the core and written while the next
page is read; its cursor is recorded with its outcomes. Organizations whose
quota may have changed are recounted and their tickets re-decided. A sweep
re-decides every live ticket so time-based states appear; a backfill gathers
a whole range first, recounts quotas once, then decides and writes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from zendesk_sla.account.consumption_page import Publisher
from zendesk_sla.config import Config
from zendesk_sla.core.consumption import Page
from zendesk_sla.store import StateStore
from zendesk_sla.sync.apply import Applier, Batch
from zendesk_sla.sync.degraded import degraded, read_directory
from zendesk_sla.sync.evaluate import Evaluation, Evaluator
from zendesk_sla.sync.fields import FieldMap
from zendesk_sla.sync.gather import EVENTS, TICKETS, Gatherer
from zendesk_sla.sync.ranges import FIRST_RUN, RangeCycles
from zendesk_sla.sync.recount import Quotas
from zendesk_sla.sync.summary import Summary
from zendesk_sla.zendesk.errors import RateLimited, Stopped, ZendeskError
from zendesk_sla.zendesk.gateway import ZendeskGateway
from zendesk_sla.zendesk.parse import ticket_row

log = structlog.get_logger("zendesk_sla.sync.cycles")


@dataclass(kw_only=True)
class Worker(RangeCycles):
    gateway: ZendeskGateway
    store: StateStore
    config: Config
    fields: FieldMap
    worker_user_id: int | None
    clock: Callable[[], datetime]
    dry_run: bool = False
    on_change: Callable[[Evaluation], None] | None = None
    on_evaluated: Callable[[Evaluation], None] | None = None
    on_progress: Callable[[Summary, int, int], None] | None = None  # (summary, position, start)
    # Organization-level changes (quota fields, consumption pages), for a dry run's report.
    on_quotas: Callable[[Quotas, list[Page]], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    settle_seconds: float = 600.0
    touched_orgs: set[int] = field(default_factory=set)
    quiet: bool = False  # a first run or a backfill: no note that only informs (POLICY 10)
    last_progress: float | None = None  # wall time of the last page recorded (for health)

    def __post_init__(self) -> None:
        self.gather = Gatherer(
            gateway=self.gateway,
            store=self.store,
            authorized_key=self.fields.authorized_key,
            worker_user_id=self.worker_user_id,
            tags=self.config.policy.tags,
            org_keys=self.fields.org_keys,
            stop=self.stop,
            on_page=self.progressed,
        )
        self.evaluator = Evaluator(
            store=self.store, config=self.config, fields=self.fields, clock=self.clock
        )
        self.applier = Applier(
            gateway=self.gateway,
            store=self.store,
            fields=self.fields,
            clock=self.clock,
            dry_run=self.dry_run,
            on_change=self.on_change,
            stop=self.stop,
            settle_seconds=self.settle_seconds,
            worker_user_id=self.worker_user_id,
            refused_rules=self.config.policy.refused,
            on_evaluated=self.on_evaluated,
        )
        self.publisher = Publisher(self.gateway, self.store, self.config.policy.pages)

    def reconfigure(self, config: Config) -> None:
        """A reloaded contract file: the next decision reads it (the daemon, between cycles)."""
        self.config = config
        self.evaluator = Evaluator(
            store=self.store, config=config, fields=self.fields, clock=self.clock
        )
        self.applier.refused_rules = config.policy.refused
        self.gather.tags = config.policy.tags
        self.publisher = Publisher(self.gateway, self.store, self.config.policy.pages)

    def progressed(self) -> None:
        """A page was recorded: the worker is alive and moving (readiness, not success)."""
        self.last_progress = time.time()

    def _start(self) -> int:
        lookback = self.config.sync.initial_lookback_days
        now = int(self.clock().timestamp())
        return 0 if lookback == 0 else max(now - lookback * 86400, 0)

    # -- cycles ---------------------------------------------------------------------------
    def run_cycle(self) -> Summary:
        """One live poll: directory, events, changed tickets, then retries of failed writes."""
        return self._cycle("poll", self._poll)

    def run_sweep(self) -> Summary:
        """Re-evaluate every live ticket so at-risk and breached states appear on time."""
        return self._cycle("sweep", self._sweep)

    def run_backfill(self, since: int, until: int | None) -> Summary:
        return self._cycle("backfill", lambda s: self._backfill(s, since, until))

    def run_transitions(self) -> Summary:
        """Re-decide the tickets whose time-driven change has come: at risk, breach, the
        pending notice, the close. The daemon runs it at the earliest such moment."""
        return self._cycle("transitions", self._transitions)

    def next_transition(self) -> datetime | None:
        """The earliest moment a live ticket changes with time alone (None: no such ticket)."""
        at = self.store.next_transition()
        return None if at is None else datetime.fromtimestamp(at, UTC)

    def run_reevaluate(self, everything: bool = False) -> Summary:
        """Re-decide the stored history under the loaded contract, with no export: the
        tickets whose terms changed, or all of them."""
        return self._cycle("reevaluate", lambda s: self._reevaluate(s, everything))

    def _cycle(self, kind: str, body: Callable[[Summary], None]) -> Summary:
        summary = Summary(kind, dry_run=self.dry_run)
        started = time.monotonic()
        session = self.gateway.session
        session.new_cycle()
        before = session.meter.total()
        cycle_id = self.store.cycle_started(kind) if not self.dry_run else 0
        ok = True
        try:
            body(summary)
        except Stopped:  # asked to stop during a wait: what was recorded stays recorded
            summary.interrupted = True
        except RateLimited as exc:
            ok, summary.error = False, str(exc)
            log.warning("rate_limit_budget_spent", kind=kind, error=str(exc))
        except ZendeskError as exc:
            ok, summary.error = False, str(exc)
            log.error("zendesk_error", kind=kind, error=str(exc))
        summary.degraded = degraded(self.store)
        summary.seconds = round(time.monotonic() - started, 3)
        summary.requests = session.meter.total() - before
        summary.cursor = (
            self.store.get(TICKETS) if kind in ("poll", "sweep", "transitions") else None
        )
        if not self.dry_run:
            self.store.cycle_finished(cycle_id, ok and not summary.interrupted, summary.as_dict())
        log.info("cycle", **summary.as_dict())
        return summary

    def _poll(self, summary: Summary) -> None:
        now = int(self.clock().timestamp())
        self.touched_orgs |= read_directory(lambda: self.gather.directory(now), self.store, now)
        summary.events += self.gather.events(EVENTS, self._start())
        self.applier.verify_uncertain_notes()
        first = self.store.get(TICKETS) is None or self.store.get(FIRST_RUN) is not None
        self.quiet = first  # the whole first cycle: the past is not re-announced
        try:
            if first:
                self._first_run(summary)
            else:
                self._export(summary, TICKETS, start_time=self._start())
            dirty = self.store.dirty_ids(due_by=int(self.clock().timestamp()))
            if dirty and not self.stop.is_set():
                self._refresh_and_apply(dirty, summary)
            self._quota_pass(summary)
        finally:
            self.quiet = False

    def _sweep(self, summary: Summary) -> None:
        now = int(self.clock().timestamp())
        read_directory(lambda: self.gather.refresh_memberships(now), self.store, now)
        self.touched_orgs |= set(self.store.all_org_ids())  # quota years roll over with time
        self._quota_pass(summary)
        ids = self.store.live_ticket_ids()
        for start in range(0, len(ids), 1000):
            if self.stop.is_set():
                summary.interrupted = True
                return
            chunk = ids[start : start + 1000]
            evaluations = self.evaluator.tickets(chunk, summary)
            changed = [e.facts.id for e in evaluations if e.change]
            if changed:
                self._refresh_and_apply(changed, summary)

    def _transitions(self, summary: Summary) -> None:
        now = int(self.clock().timestamp())
        ids = self.store.transitions_due(now)
        for start in range(0, len(ids), 1000):
            if self.stop.is_set():
                summary.interrupted = True
                return
            self._refresh_and_apply(ids[start : start + 1000], summary)
        # A ticket Zendesk no longer returned (deleted) or could not decide waits for the
        # next poll or sweep, instead of waking the daemon again at once.
        with self.store.transaction():
            self.store.forget_transitions(self.store.transitions_due(now))

    def _export(
        self,
        summary: Summary,
        key: str,
        start_time: int,
        until: int | None = None,
        *,
        decide: bool = True,
    ) -> None:
        """Read the ticket export from the saved cursor; with `decide`, apply each page."""
        in_flight: Batch | None = None
        for page in self.gather.ticket_pages(key, start_time, self.config.sync.page_size):
            if self.stop.is_set():
                summary.interrupted = True
                break
            summary.pages += 1
            rows = self.gather.parse(page.items, ticket_row, "ticket")
            summary.skipped_bad += len(page.items) - len(rows)
            if until is not None:
                rows = [r for r in rows if r.generated_timestamp <= until]
            summary.tickets_seen += len(rows)
            ids = [r.id for r in rows]
            moved = self.store.previous_orgs(ids)
            cursor = (key, page.after_cursor) if not decide and page.after_cursor else None
            self.gather.store_tickets(rows, cursor)
            orgs = {r.organization_id for r in rows if r.organization_id} | moved
            if not decide:
                self.touched_orgs |= orgs
            else:
                # The page's tickets, and any other ticket whose quota state they change.
                others = self._recount(orgs) - set(ids)
                live = [r.id for r in rows if r.status != "deleted"] + sorted(others)
                # This page's jobs run on Zendesk while the next page is read and decided.
                evaluations = self.evaluator.tickets(live, summary)
                batch = self.applier.submit(evaluations, summary, (key, page.after_cursor))
                in_flight = self._finish_previous(in_flight, batch, summary)
            self.progressed()
            if self.on_progress:
                position = max((r.generated_timestamp for r in rows), default=0)
                self.on_progress(summary, position, start_time)
            if until is not None and len(rows) < len(page.items):
                break
        if in_flight is not None:
            self._finish(in_flight, summary)

    # -- quota ------------------------------------------------------------------------------------
    def _quota_pass(self, summary: Summary, *, write: bool = True) -> None:
        """Recount the organizations touched outside the export; re-decide what changed."""
        org_ids = sorted(self.touched_orgs)
        self.touched_orgs = set()
        for start in range(0, len(org_ids), 200):
            if self.stop.is_set():
                summary.interrupted = True
                return
            changed = sorted(self._recount(org_ids[start : start + 200]))
            for chunk in range(0, len(changed), 1000) if write else ():
                self._refresh_and_apply(changed[chunk : chunk + 1000], summary)

    def _recount(self, org_ids: set[int] | Sequence[int]) -> set[int]:
        """Recount quotas and write the organization fields; the tickets to re-decide."""
        quotas = self.evaluator.quotas(org_ids)
        if self.on_quotas is not None:
            self.on_quotas(quotas, self.publisher.stale(quotas.pages))
        self.touched_orgs |= self.applier.org_fields(quotas.org_fields)  # retried next cycle
        if quotas.pages and not self.dry_run:
            self.publisher.publish(quotas.pages)
        return quotas.changed

    # -- apply ----------------------------------------------------------------------------------
    def _refresh_and_apply(self, ids: Sequence[int], summary: Summary) -> None:
        """Re-read tickets from Zendesk, re-decide and write (retries, sweeps, conflicts)."""
        fresh = self.gather.refresh(list(ids))
        live = [r.id for r in fresh if r.status != "deleted"]
        evaluations = self.evaluator.tickets(live, summary, quiet=self.quiet)
        with self.store.transaction():  # nothing left to write: the retry is over
            self.store.clear_dirty(
                e.facts.id for e in evaluations if e.change is None and not e.held
            )
        batch = self.applier.submit(evaluations, summary, None)
        if batch is not None:
            self._finish(batch, summary, retry_conflicts=False)

    def _finish_previous(
        self, in_flight: Batch | None, batch: Batch | None, summary: Summary
    ) -> Batch | None:
        if in_flight is not None:
            self._finish(in_flight, summary, wait_first=False)
        return batch

    def _finish(
        self,
        batch: Batch,
        summary: Summary,
        *,
        retry_conflicts: bool = True,
        wait_first: bool = True,
    ) -> None:
        conflicts = self.applier.finish(batch, summary, wait_first=wait_first)
        if conflicts and retry_conflicts and not self.stop.is_set():
            log.info("conflicts_replanned", tickets=len(conflicts))
            self._refresh_and_apply(conflicts, summary)
