"""Cycles over a whole range: the first run (the initial load), a backfill and a
re-evaluation. Each gathers the range first (a re-evaluation reads the state only),
recounts the quotas once (a re-evaluation: only the ledgers whose quota terms changed),
then decides quietly (POLICY 10: the past is not re-announced) and writes, resumably.
A mixin of `Worker`."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from zendesk_sla.store import StateStore
from zendesk_sla.sync.degraded import read_directory
from zendesk_sla.sync.evaluate import WATCHING_SINCE, Evaluator
from zendesk_sla.sync.gather import EVENTS, TICKETS, Gatherer
from zendesk_sla.sync.summary import Summary

if TYPE_CHECKING:
    from zendesk_sla.config import Config
    from zendesk_sla.sync.apply import Applier, Batch

FIRST_RUN = "first_run:decided"  # set while the initial load is being decided


class RangeCycles:
    """Needs of the mixin, provided by `Worker`."""

    store: StateStore
    config: Config
    gather: Gatherer
    evaluator: Evaluator
    applier: Applier
    stop: threading.Event
    clock: Callable[[], datetime]
    dry_run: bool
    quiet: bool
    touched_orgs: set[int]
    on_progress: Callable[[Summary, int, int], None] | None

    def _start(self) -> int:
        raise NotImplementedError

    def progressed(self) -> None:
        raise NotImplementedError

    def _export(
        self,
        summary: Summary,
        key: str,
        start_time: int,
        until: int | None = None,
        *,
        decide: bool = True,
    ) -> None:
        raise NotImplementedError

    def _quota_pass(self, summary: Summary, *, write: bool = True) -> None:
        raise NotImplementedError

    def _finish_previous(
        self, in_flight: Batch | None, batch: Batch | None, summary: Summary
    ) -> Batch | None:
        raise NotImplementedError

    def _finish(
        self,
        batch: Batch,
        summary: Summary,
        *,
        retry_conflicts: bool = True,
        wait_first: bool = True,
    ) -> None:
        raise NotImplementedError

    def _first_run(self, summary: Summary) -> None:
        """The initial load: gather it all, recount the quotas once, then decide and write.

        Deciding page by page would recount an organization before its later pages
        arrive, so a quota crossing would be noted on a later ticket than the one
        that crossed. A crash resumes where the deciding stopped.
        """
        if self.store.get(FIRST_RUN) is None:
            with self.store.transaction():  # before the cursor moves
                self.store.put(FIRST_RUN, "0")
                self._start_watching()
        self._export(summary, TICKETS, start_time=self._start(), decide=False)
        if self.stop.is_set():
            summary.interrupted = True
            return
        self._quota_pass(summary, write=False)
        self._decide_all(summary, self.store.live_ticket_ids(), FIRST_RUN)
        if not summary.interrupted and not self.dry_run:
            with self.store.transaction():
                self.store.forget([FIRST_RUN])

    def _start_watching(self) -> None:
        """Remember when the worker first looked at this account (POLICY 10: pending time
        before it does not count towards a notice)."""
        if self.store.get(WATCHING_SINCE) is None:
            self.store.put(WATCHING_SINCE, str(int(self.clock().timestamp())))

    def _decide_all(self, summary: Summary, ids: list[int], key: str) -> None:
        """Decide and write stored tickets in id order, recording the last one done in `key`.

        A first run or a backfill: quiet, the past is not re-announced (POLICY 10).
        """
        done = int(self.store.get(key) or 0)
        ids = [i for i in ids if i > done]
        size = self.config.sync.page_size
        in_flight: Batch | None = None
        with self.evaluator.orgs_held():
            for start in range(0, len(ids), size):
                if self.stop.is_set():
                    summary.interrupted = True
                    break
                chunk = ids[start : start + size]
                evaluations = self.evaluator.tickets(chunk, summary, quiet=self.quiet)
                batch = self.applier.submit(evaluations, summary, (key, str(chunk[-1])))
                in_flight = self._finish_previous(in_flight, batch, summary)
                self.progressed()
                if self.on_progress:
                    self.on_progress(summary, 0, 0)
        if in_flight is not None:
            self._finish(in_flight, summary)

    def _reevaluate(self, summary: Summary, everything: bool = False) -> None:
        """Re-decide stored tickets under the contract now loaded, from the state alone: no
        export. Only tickets judged under other terms than those now in force for their
        creation are re-decided (all with `everything`); only those whose tags, fields or
        notes differ are written; closed ones (Zendesk refuses to change them) are
        re-judged in the state only."""
        key = "reevaluate:decided"
        ids = self.store.ticket_ids_between(0, None)
        if everything:
            orgs = set(self.store.all_org_ids())
        else:
            ids = self._judged_under_other_terms(ids)
            orgs = self.store.previous_orgs(ids)
        # A ledger depends on the stored tickets and the quota terms alone: recount those
        # counted under other quota terms (the hourly sweep recounts every one anyway).
        terms = self.evaluator.quota_terms()
        self.touched_orgs |= self.store.counted_under_other_terms(orgs, terms)
        self.quiet = True  # the past is not re-announced; a re-judged due is (sla-terms note)
        try:
            self._quota_pass(summary, write=False)
            self._decide_all(summary, ids, key)
        finally:
            self.quiet = False
        if not summary.interrupted and not self.dry_run:
            with self.store.transaction():
                self.store.forget([key])

    def _judged_under_other_terms(self, ids: list[int]) -> list[int]:
        """Those of `ids` never decided, or decided under other terms than the ones now in
        force for their creation."""
        judged = self.store.judged_under()
        policy = self.config.policy
        starts = [int(start.timestamp()) for start, _ in policy.later]  # in date order
        digests = [policy.digest, *(terms.digest for _, terms in policy.later)]

        def stale(ticket_id: int) -> bool:
            if ticket_id not in judged:
                return True
            created, terms = judged[ticket_id]
            return terms != digests[bisect_right(starts, created)]  # those in force then

        return [i for i in ids if stale(i)]

    def _backfill(self, summary: Summary, since: int, until: int | None) -> None:
        """Gather the whole range first, recount the quotas once, then decide and write."""
        self.quiet = True
        with self.store.transaction():
            self._start_watching()
        try:
            self._backfill_range(summary, since, until)
        finally:
            self.quiet = False

    def _backfill_range(self, summary: Summary, since: int, until: int | None) -> None:
        keys = (
            f"{EVENTS}:backfill:{since}",
            f"{TICKETS}:backfill:{since}",
            f"backfill:{since}:decided",
        )
        now = int(self.clock().timestamp())
        self.touched_orgs |= read_directory(lambda: self.gather.directory(now), self.store, now)
        summary.events += self.gather.events(keys[0], since)
        self._export(summary, keys[1], start_time=since, until=until, decide=False)
        if self.stop.is_set():
            summary.interrupted = True
            return
        self._quota_pass(summary, write=False)
        self._decide_all(summary, self.store.ticket_ids_between(since, until), keys[2])
        if not summary.interrupted and not self.dry_run:
            with self.store.transaction():  # the next backfill of this range starts afresh
                self.store.forget(keys)
