"""The poll cycle: gather (export pages into the store), decide (the core), apply (bulk writes).

Per ticket page: the snapshots are stored; the core decides; the intents of
notes are recorded; the writes go out in update_many jobs; their outcomes and
the page's cursor are committed together. A crash anywhere re-runs the page,
and a note whose write had no answer is verified before it is ever sent again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog

from zendesk_sla.config import Config
from zendesk_sla.core.decide import (
    MARKER,
    Decision,
    TicketChange,
    decide,
    diff,
    eligibility,
    quota_exemption,
    ticket_project,
)
from zendesk_sla.core.facts import OrgFacts, Previous, TicketFacts
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.quota import QuotaTicket, QuotaYear, ledger
from zendesk_sla.prefetch import END, _End, read_ahead
from zendesk_sla.store import SENT, Applied, StateStore
from zendesk_sla.timelines import load_orgs, moment, ticket_facts
from zendesk_sla.zendesk.errors import RateLimited, ZendeskError
from zendesk_sla.zendesk.gateway import (
    CONFLICT,
    FAILED,
    OK,
    CursorPage,
    Outcome,
    Submitted,
    TimePage,
    Write,
    ZendeskGateway,
)
from zendesk_sla.zendesk.parse import (
    BadPayload,
    UserRow,
    event_rows,
    org_row,
    ticket_row,
    user_row,
)

SLA_NOTES = ("sla:", "sla-change:")
CLOSED_STATES = ("solved", "closed", "deleted")
TICKETS, EVENTS, USERS, ORGS = "cursor:tickets", "cursor:events", "cursor:users", "cursor:orgs"

log = structlog.get_logger("zendesk_sla.sync")


@dataclass
class Summary:
    kind: str
    dry_run: bool = False
    pages: int = 0
    tickets_seen: int = 0
    skipped_bad: int = 0
    evaluated: int = 0
    changes: int = 0
    written: int = 0
    conflicts: int = 0
    failed: int = 0
    unknown: int = 0
    notes: int = 0
    events: int = 0
    interrupted: bool = False
    error: str | None = None
    cursor: str | None = None
    requests: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FieldMap:
    """Logical names <-> Zendesk field ids and keys, resolved at start-up."""

    ticket_ids: Mapping[str, int]  # logical ticket field -> id
    org_keys: Mapping[str, str]  # logical org field -> key
    authorized_key: str

    @property
    def ticket_names(self) -> dict[str, str]:
        return {str(fid): name for name, fid in self.ticket_ids.items()}


@dataclass
class Batch:
    """A page's writes in flight: finished (outcomes and cursor recorded) before the next one."""

    changes: dict[int, Evaluation]
    submitted: Submitted
    page_cursor: tuple[str, str | None] | None
    at: int


@dataclass
class Evaluation:
    facts: TicketFacts
    decision: Decision
    change: TicketChange | None


@dataclass
class Worker:
    gateway: ZendeskGateway
    store: StateStore
    config: Config
    fields: FieldMap
    worker_user_id: int | None
    clock: Callable[[], datetime]
    dry_run: bool = False
    on_change: Callable[[Evaluation], None] | None = None
    on_progress: Callable[[Summary, int], None] | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    settle_seconds: float = 600.0
    touched_orgs: set[int] = field(default_factory=set)

    @property
    def policy(self) -> Policy:
        return self.config.policy

    def _now_epoch(self) -> int:
        return int(self.clock().timestamp())

    def _start(self) -> int:
        lookback = self.config.sync.initial_lookback_days
        return 0 if lookback == 0 else max(self._now_epoch() - lookback * 86400, 0)

    # -- cycles ---------------------------------------------------------------------------
    def run_cycle(self) -> Summary:
        """One live poll: directory, events, changed tickets, then retries of failed writes."""
        return self._cycle("poll", self._poll)

    def run_sweep(self) -> Summary:
        """Re-evaluate every live ticket so at-risk and breached states appear on time."""
        return self._cycle("sweep", self._sweep)

    def run_backfill(self, since: int, until: int | None) -> Summary:
        return self._cycle("backfill", lambda s: self._backfill(s, since, until))

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
        except RateLimited as exc:
            ok, summary.error = False, str(exc)
            log.warning("rate_limit_budget_spent", kind=kind, error=str(exc))
        except ZendeskError as exc:
            ok, summary.error = False, str(exc)
            log.error("zendesk_error", kind=kind, error=str(exc))
        summary.seconds = round(time.monotonic() - started, 3)
        summary.requests = session.meter.total() - before
        summary.cursor = self.store.get(TICKETS) if kind != "backfill" else None
        if not self.dry_run:
            self.store.cycle_finished(cycle_id, ok and not summary.interrupted, summary.as_dict())
        log.info("cycle", **summary.as_dict())
        return summary

    def _poll(self, summary: Summary) -> None:
        self.sync_directory()
        summary.events += self.sync_events(EVENTS, self._start())
        self.verify_uncertain_notes()
        self._export(summary, TICKETS, start_time=self._start())
        dirty = self.store.dirty_ids()
        if dirty and not self.stop.is_set():
            self._refresh_and_apply(dirty, summary)
        self._quota_pass(summary)

    def _sweep(self, summary: Summary) -> None:
        self.touched_orgs |= set(self.store.all_org_ids())  # quota years roll over with time
        self._quota_pass(summary)
        ids = self.store.live_ticket_ids()
        for start in range(0, len(ids), 1000):
            if self.stop.is_set():
                summary.interrupted = True
                return
            chunk = ids[start : start + 1000]
            evaluations = self.evaluate(chunk, summary)
            changed = [e.facts.id for e in evaluations if e.change]
            if changed:
                self._refresh_and_apply(changed, summary)

    def _backfill(self, summary: Summary, since: int, until: int | None) -> None:
        """Gather the whole range first, recount the quotas once, then decide and write."""
        keys = (
            f"{EVENTS}:backfill:{since}",
            f"{TICKETS}:backfill:{since}",
            f"backfill:{since}:decided",
        )
        self.sync_directory()
        summary.events += self.sync_events(keys[0], since)
        self._export(summary, keys[1], start_time=since, until=until, decide=False)
        if self.stop.is_set():
            summary.interrupted = True
            return
        self._quota_pass(summary, write=False)
        done = int(self.store.get(keys[2]) or 0)
        ids = [i for i in self.store.ticket_ids_between(since, until) if i > done]
        in_flight: Batch | None = None
        for start in range(0, len(ids), self.config.sync.page_size):
            if self.stop.is_set():
                summary.interrupted = True
                break
            chunk = ids[start : start + self.config.sync.page_size]
            batch = self._submit(self.evaluate(chunk, summary), summary, (keys[2], str(chunk[-1])))
            if in_flight is not None:
                self._finish(in_flight, summary, wait_first=False)
            in_flight = batch
            if self.on_progress:
                self.on_progress(summary, 0)
        if in_flight is not None:
            self._finish(in_flight, summary)
        if not summary.interrupted and not self.dry_run:
            with self.store.transaction():  # the next backfill of this range starts afresh
                self.store.forget(keys)

    # -- gather -----------------------------------------------------------------------------
    def sync_directory(self) -> None:
        for key, fetch, parse, put in (
            (
                USERS,
                self.gateway.user_page,
                lambda d: user_row(d, self.fields.authorized_key),
                self.store.put_users,
            ),
            (ORGS, self.gateway.org_page, org_row, self.store.put_orgs),
        ):
            start = int(self.store.get(key) or 0)
            while True:
                page = fetch(start)
                rows = _parse_all(page.items, parse, "directory")
                with self.store.transaction():
                    put(rows)
                    self.store.put(key, str(page.end_time))
                # New contacts or organization data change quota ledgers.
                for r in rows:
                    org_id = r.organization_id if isinstance(r, UserRow) else r.id
                    if org_id:
                        self.touched_orgs.add(org_id)
                if page.end_of_stream or page.end_time <= start:
                    break
                start = page.end_time

    def sync_events(self, key: str, default_start: int) -> int:
        def following(page: TimePage, start: int) -> int | _End:
            if page.end_of_stream:
                return END
            # Zendesk repeats the last timestamp's events on the next page; a page made of
            # one timestamp only would loop forever, so step past it.
            return page.end_time if page.end_time > start else start + 1

        count = 0
        first = int(self.store.get(key) or default_start)
        for page in read_ahead(self.gateway.event_page, first, following):
            parsed = _parse_all(page.items, lambda d: event_rows(d, self.worker_user_id), "event")
            rows = [row for rows in parsed for row in rows]
            with self.store.transaction():
                self.store.put_events(rows)
                self.store.put(key, str(page.end_time))
            count += len(page.items)
            if self.stop.is_set():
                break
        return count

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
        size = self.config.sync.page_size

        def fetch(cursor: str | None) -> CursorPage:
            return self.gateway.ticket_page(
                cursor=cursor, start_time=None if cursor else start_time, per_page=size
            )

        def following(page: CursorPage, _cursor: str | None) -> str | _End | None:
            return END if page.end_of_stream or not page.items else page.after_cursor

        in_flight: Batch | None = None
        for page in read_ahead(fetch, self.store.get(key), following):
            if self.stop.is_set():
                summary.interrupted = True
                break
            summary.pages += 1
            rows = _parse_all(page.items, ticket_row, "ticket")
            summary.skipped_bad += len(page.items) - len(rows)
            if until is not None:
                rows = [r for r in rows if r.generated_timestamp <= until]
            summary.tickets_seen += len(rows)
            ids = [r.id for r in rows]
            moved = self.store.previous_orgs(ids)
            with self.store.transaction():
                self.store.put_tickets(rows)
                if not decide and page.after_cursor:
                    self.store.put(key, page.after_cursor)
            orgs = {r.organization_id for r in rows if r.organization_id} | moved
            if not decide:
                self.touched_orgs |= orgs
            else:
                # The page's tickets, and any other ticket whose quota state they change.
                others = self._recount(orgs) - set(ids)
                live = [r.id for r in rows if r.status != "deleted"] + sorted(others)
                # This page's jobs run on Zendesk while the next page is read and decided.
                batch = self._submit(
                    self.evaluate(live, summary), summary, (key, page.after_cursor)
                )
                if in_flight is not None:
                    self._finish(in_flight, summary, wait_first=False)
                in_flight = batch
            if self.on_progress:
                self.on_progress(summary, max((r.generated_timestamp for r in rows), default=0))
            if until is not None and len(rows) < len(page.items):
                break
        if in_flight is not None:
            self._finish(in_flight, summary)

    def verify_uncertain_notes(self) -> None:
        """A note whose write got no answer is looked for in the ticket before it is resent."""
        now = self._now_epoch()
        for ticket_id, keys in self.store.uncertain_notes().items():
            ages = self.store.db.execute(
                "SELECT min(at) FROM notes WHERE ticket_id = ? AND state = 'pending'", (ticket_id,)
            ).fetchone()[0]
            if now - int(ages) < self.settle_seconds:
                continue
            bodies = "\n".join(self.gateway.comment_bodies(ticket_id))
            found = [k for k in keys if MARKER.format(key=k) in bodies]
            with self.store.transaction():
                self.store.note_sent(ticket_id, found, now)
                self.store.note_dropped(ticket_id, [k for k in keys if k not in found])
            log.info(
                "notes_verified",
                ticket_id=ticket_id,
                found=found,
                resend=[k for k in keys if k not in found],
            )

    # -- decide ----------------------------------------------------------------------------------
    def evaluate(self, ids: Sequence[int], summary: Summary) -> list[Evaluation]:
        rows = self.store.tickets(ids)
        events = self.store.events(list(rows))
        authors = {e.author_id for evs in events.values() for e in evs if e.author_id}
        roles = self.store.roles(authors)
        org_ids = {r.organization_id for r in rows.values() if r.organization_id}
        orgs = self.orgs(org_ids)
        written = self.store.written(list(rows))
        notes = self.store.notes(list(rows))
        quota = self.store.quota_marks(list(rows))
        names = self.store.names(r.requester_id for r in rows.values() if r.requester_id)
        now = self.clock()
        out: list[Evaluation] = []
        applied: list[Applied] = []
        field_names = self.fields.ticket_names
        for ticket_id in ids:
            row = rows.get(ticket_id)
            if row is None:
                continue
            try:
                requester = names.get(row.requester_id or 0, "")
                facts = ticket_facts(row, events.get(ticket_id, []), roles, field_names, requester)
                org = orgs.get(row.organization_id) if row.organization_id else None
                prev = written.get(ticket_id)
                known = notes.get(ticket_id, {})
                sent = {k: moment(at) for k, (state, at) in known.items() if state == SENT}
                decision = decide(
                    self.policy,
                    facts,
                    org,
                    Previous(*prev) if prev else None,
                    now,
                    sent=sent,
                    quota=quota.get(ticket_id),
                )
                change = diff(decision, facts, self.policy, known.keys())
            except (ValueError, KeyError, TypeError) as exc:
                summary.skipped_bad += 1
                log.warning("ticket_skipped", ticket_id=ticket_id, error=str(exc))
                continue
            change = self._writable(change)
            summary.evaluated += 1
            out.append(Evaluation(facts, decision, change))
            applied.append(_applied(row.id, row.organization_id, row.created_at, decision))
        with self.store.transaction():
            self.store.record_applied(applied, int(now.timestamp()))
        return out

    def orgs(self, org_ids: Iterable[int]) -> dict[int, OrgFacts]:
        return load_orgs(self.store, self.config, org_ids)

    def _writable(self, change: TicketChange | None) -> TicketChange | None:
        """Drop field writes whose Zendesk field does not exist (setup not run yet)."""
        if change is None or all(name in self.fields.ticket_ids for name in change.fields):
            return change
        fields = {k: v for k, v in change.fields.items() if k in self.fields.ticket_ids}
        if not (change.add_tags or change.remove_tags or fields or change.notes or change.status):
            return None
        return TicketChange(
            change.ticket_id,
            change.updated_stamp,
            change.add_tags,
            change.remove_tags,
            fields,
            change.notes,
            change.status,
        )

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

    def _recount(self, org_ids: Iterable[int]) -> set[int]:
        """Recount these organizations' quotas; the tickets whose quota state must change."""
        out: set[int] = set()
        org_fields: dict[int, dict[str, Any]] = {}
        for org in self.orgs(org_ids).values():
            out |= self._recount_org(org, org_fields)
        self._write_org_fields(org_fields)
        return out

    def _recount_org(self, org: OrgFacts, org_fields: dict[int, dict[str, Any]]) -> set[int]:
        policy, tags = self.policy, self.policy.tags
        rows = self.store.tickets(self.store.org_ticket_ids([org.id]))
        zone = ZoneInfo(policy.timezone)
        facts = {
            tid: ticket_facts(row, [], {}, self.fields.ticket_names) for tid, row in rows.items()
        }
        quota_tickets = []
        for tid, fact in facts.items():
            found = eligibility(policy, fact, org)
            quota_tickets.append(
                QuotaTicket(
                    tid,
                    fact.created_at.astimezone(zone).date(),
                    quota_exemption(policy, fact, found),
                    ticket_project(policy, fact),
                )
            )
        plan = policy.plans.get(org.plan or "")
        lines, years = ledger(
            quota_tickets,
            plan_quota=plan.yearly_tickets if plan is not None and plan.has_support else 0,
            contract_start=org.contract_start,
            go_lives=org.go_lives,
            bundles=org.bundles,
            grace_months=policy.quota.grace_months,
            warn_ratios=policy.quota.warn_ratios,
        )
        notes: dict[int, list[tuple[str, str]]] = {}
        posted = self.store.org_note_keys(org.id, "quota-")
        for year in years:
            for ratio, tid in sorted(year.crossings.items()):
                key = f"quota-{round(ratio * 100)}:{year.start.isoformat()}"
                if key not in posted and facts[tid].status not in ("solved", "closed", "deleted"):
                    notes.setdefault(tid, []).append((key, _crossing_text(ratio, year)))
        for line in lines:
            if line.state == "exceeded" and facts[line.ticket_id].status not in CLOSED_STATES:
                key = f"quota-exceeded:{line.year_start.isoformat()}"
                notes.setdefault(line.ticket_id, []).append((key, _exceeded_text(org, line.reason)))
        done = self.store.notes(list(notes))
        changed = set()
        for line in lines:
            fact = facts[line.ticket_id]
            if fact.status in ("closed", "deleted"):
                continue
            pending = [
                n for n in notes.get(line.ticket_id, []) if n[0] not in done.get(fact.id, {})
            ]
            notes[line.ticket_id] = pending
            if (line.state == "exceeded") != (tags.quota_exceeded in fact.tags) or pending:
                changed.add(line.ticket_id)
        with self.store.transaction():
            self.store.put_quota(
                org.id,
                [
                    (
                        ln.ticket_id,
                        ln.year_start.isoformat(),
                        ln.state,
                        ln.position,
                        notes.get(ln.ticket_id) or [],
                    )
                    for ln in lines
                ],
                [
                    (y.start.isoformat(), y.end.isoformat(), y.included, y.used, y.grace, y.exempt)
                    for y in years
                ],
            )
        wanted = self._org_fields(org, years)
        if wanted:
            org_fields[org.id] = wanted
        return changed

    def _org_fields(self, org: OrgFacts, years: list[QuotaYear]) -> dict[str, Any] | None:
        """used / included / remaining of the current quota year, when they differ from Zendesk."""
        keys = self.fields.org_keys
        if not {"quota_used", "quota_included", "quota_remaining"} <= set(keys):
            return None
        today = self.clock().astimezone(ZoneInfo(self.policy.timezone)).date()
        current = next((y for y in years if y.start <= today < y.end), None)
        plan = self.policy.plans.get(org.plan or "")
        included = current.included if current else (plan.yearly_tickets if plan else None)
        used = current.used if current else 0
        wanted = {
            keys["quota_used"]: used,
            keys["quota_included"]: included,
            keys["quota_remaining"]: None if included is None else included - used,
        }
        row = self.store.orgs([org.id]).get(org.id)
        have = row.fields if row else {}
        return None if all(_same(have.get(k), v) for k, v in wanted.items()) else wanted

    def _write_org_fields(self, org_fields: dict[int, dict[str, Any]]) -> None:
        if not org_fields:
            return
        if self.dry_run:
            for org_id, fields in org_fields.items():
                log.info("org_fields_planned", organization_id=org_id, fields=fields)
            return
        outcomes = self.gateway.update_organizations(org_fields)
        with self.store.transaction():
            for outcome in outcomes:
                if outcome.result == OK:
                    self.store.put_org_fields(outcome.ticket_id, org_fields[outcome.ticket_id])
                else:
                    self.touched_orgs.add(outcome.ticket_id)  # retried next cycle
                    log.warning(
                        "org_fields_not_written",
                        organization_id=outcome.ticket_id,
                        detail=outcome.detail[:300],
                    )

    # -- apply ----------------------------------------------------------------------------------
    def _refresh_and_apply(self, ids: Sequence[int], summary: Summary) -> None:
        """Re-read tickets from Zendesk, re-decide and write (retries, sweeps, conflicts)."""
        fresh = _parse_all(self.gateway.tickets(list(ids)), ticket_row, "ticket")
        with self.store.transaction():
            self.store.put_tickets(fresh)
            self.store.clear_dirty(set(ids) - {r.id for r in fresh})
        live = [r.id for r in fresh if r.status != "deleted"]
        evaluations = self.evaluate(live, summary)
        with self.store.transaction():  # nothing left to write: the retry is over
            self.store.clear_dirty(e.facts.id for e in evaluations if e.change is None)
        self._apply(evaluations, summary, page_cursor=None, retry_conflicts=False)

    def _apply(
        self,
        evaluations: list[Evaluation],
        summary: Summary,
        page_cursor: tuple[str, str | None] | None,
        retry_conflicts: bool = True,
    ) -> None:
        batch = self._submit(evaluations, summary, page_cursor)
        if batch is not None:
            self._finish(batch, summary, retry_conflicts=retry_conflicts)

    def _submit(
        self,
        evaluations: list[Evaluation],
        summary: Summary,
        page_cursor: tuple[str, str | None] | None,
    ) -> Batch | None:
        """Record the notes' intents, then queue the writes; `_finish` records the outcomes."""
        changes = [e for e in evaluations if e.change is not None]
        summary.changes += len(changes)
        for evaluation in changes:
            if self.on_change:
                self.on_change(evaluation)
        if self.dry_run:
            if page_cursor and page_cursor[1]:
                self.store.put(page_cursor[0], page_cursor[1])
            return None
        now = self._now_epoch()
        with self.store.transaction():  # intents are durable before any write leaves
            for e in changes:
                assert e.change is not None
                self.store.note_intent(e.facts.id, [n.key for n in e.change.posted], now)
        writes = [self._to_write(e.change) for e in changes if e.change]
        submitted = self.gateway.submit(writes) if writes else Submitted()
        return Batch({e.facts.id: e for e in changes}, submitted, page_cursor, now)

    def _finish(
        self,
        batch: Batch,
        summary: Summary,
        *,
        retry_conflicts: bool = True,
        wait_first: bool = True,
    ) -> None:
        outcomes = self.gateway.collect(batch.submitted, wait_first=wait_first)
        conflicts: list[int] = []
        with self.store.transaction():  # outcomes and the page's cursor: together or not at all
            for outcome in outcomes:
                self._record(batch.changes[outcome.ticket_id], outcome, summary, batch.at)
                if outcome.result == CONFLICT:
                    conflicts.append(outcome.ticket_id)
            if batch.page_cursor and batch.page_cursor[1]:
                self.store.put(batch.page_cursor[0], batch.page_cursor[1])
        if conflicts and retry_conflicts and not self.stop.is_set():
            log.info("conflicts_replanned", tickets=len(conflicts))
            self._refresh_and_apply(conflicts, summary)

    def _record(self, evaluation: Evaluation, outcome: Outcome, summary: Summary, now: int) -> None:
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
            # The SLA applied is "written" once its note is posted (one comment per update:
            # a public notice may have taken this update's comment).
            held_back = any(
                n.key.startswith(SLA_NOTES) for n in change.notes if n not in change.posted
            )
            if decision.severity is not None and not held_back:
                self.store.record_written(
                    ticket_id, decision.plan, decision.severity.severity, tags, custom
                )
            else:
                self.store.record_snapshot(ticket_id, tags, custom)
            if change.status:
                self.store.set_status(ticket_id, change.status)
            self.store.note_sent(ticket_id, keys, now)
            self.store.clear_dirty([ticket_id])
            return
        if outcome.result == CONFLICT:
            summary.conflicts += 1
        elif outcome.result == FAILED:
            summary.failed += 1
        else:
            summary.unknown += 1
        if outcome.result in (CONFLICT, FAILED):
            self.store.note_dropped(ticket_id, keys)  # certainly not posted
        self.store.mark_dirty([ticket_id], f"{outcome.result}: {outcome.detail}"[:500], now)
        log.warning(
            "write_not_applied",
            ticket_id=ticket_id,
            result=outcome.result,
            detail=outcome.detail[:300],
        )

    def _to_write(self, change: TicketChange) -> Write:
        return Write(
            ticket_id=change.ticket_id,
            updated_stamp=change.updated_stamp,
            add_tags=change.add_tags,
            remove_tags=change.remove_tags,
            custom_fields={self.fields.ticket_ids[k]: v for k, v in change.fields.items()},
            comment=change.comment,
            status=change.status,
        )


def _applied(ticket_id: int, org_id: int | None, created: int, decision: Decision) -> Applied:
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
    )


def _same(have: Any, want: Any) -> bool:
    return ("" if have is None else str(have)) == ("" if want is None else str(want))


def _crossing_text(ratio: float, year: QuotaYear) -> str:
    return (
        f"Cuota de tickets: este ticket alcanza el {round(ratio * 100)} % de los "
        f"{year.included} tickets incluidos en el año de contrato que empezó el "
        f"{year.start:%d/%m/%Y}."
    )


def _exceeded_text(org: OrgFacts, position: str) -> str:
    return (
        f"Cuota de tickets superada ({position}) para {org.name or 'la organización'}. "
        "Proponga al cliente pasar a un plan superior o contratar una bolsa de tickets."
    )


def _parse_all(items: Iterable[Any], parse: Callable[[Any], Any], what: str) -> list[Any]:
    rows = []
    for item in items:
        try:
            rows.append(parse(item))
        except BadPayload as exc:
            ident = item.get("id") if isinstance(item, dict) else None
            log.warning("bad_payload_skipped", kind=what, id=ident, error=str(exc))
    return rows
