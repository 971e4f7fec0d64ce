"""Writes to Zendesk as update_many jobs: at most 100 tickets a job, at most N of our jobs
queued or running at once, their statuses polled together, one outcome per ticket."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from zenpy import Zenpy
from zenpy.lib.exception import APIException

from zendesk_sla.zendesk.errors import (
    Kind,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    ZendeskError,
    classify_status,
    describe,
)
from zendesk_sla.zendesk.transport import ZendeskSession

MAX_JOB = 100

# OK: applied. CONFLICT: an agent changed the ticket since it was read. FAILED: Zendesk
# refused this ticket's change. REFUSED: Zendesk refused the whole request that carried it
# (a 4xx other than 409 and 429: rights, size, shape); not applied, retried as a refusal.
# NOT_SENT: certainly not applied, for a passing reason (the rate limit, no connection).
# UNKNOWN: no answer; maybe applied.
OK, CONFLICT, FAILED, UNKNOWN = "ok", "conflict", "failed", "unknown"
NOT_SENT, REFUSED = "not_sent", "refused"


@dataclass(frozen=True)
class Write:
    """One ticket update as Zendesk takes it (field ids already resolved)."""

    ticket_id: int
    updated_stamp: str
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    custom_fields: dict[int, Any] = field(default_factory=dict)
    comment: tuple[str, bool] | None = None  # (body, public)
    status: str | None = None
    alone: bool = False  # sent as a single update even when unguarded (a hand-over)

    @property
    def single(self) -> bool:
        """Sent by itself (PUT tickets/{id}), not in an update_many job."""
        return self.alone or self.guarded

    @property
    def guarded(self) -> bool:
        """A status change or a comment the customer reads depends on the ticket as it was
        read: such an update goes alone, with `safe_update` (documented for single updates),
        so a reply or an agent's edit in between stops it. The worker's own tags, fields and
        internal notes are merged by Zendesk and go in bulk, unguarded."""
        return bool(self.status) or (self.comment is not None and self.comment[1])

    def changes(self) -> dict[str, Any]:
        """The update's body."""
        changes: dict[str, Any] = {}
        if self.guarded:
            changes.update(safe_update=True, updated_stamp=self.updated_stamp)
        if self.add_tags:
            changes["additional_tags"] = list(self.add_tags)
        if self.remove_tags:
            changes["remove_tags"] = list(self.remove_tags)
        if self.custom_fields:
            # zenpy's encoder drops the time from datetimes: values are always pre-formatted text.
            changes["custom_fields"] = [
                {"id": fid, "value": value} for fid, value in sorted(self.custom_fields.items())
            ]
        if self.comment is not None:
            changes["comment"] = {"body": self.comment[0], "public": self.comment[1]}
        if self.status:
            changes["status"] = self.status
        return changes


@dataclass(frozen=True)
class Outcome:
    ticket_id: int
    result: str  # ok, conflict, failed, unknown
    detail: str = ""


@dataclass
class Submitted:
    """Jobs queued on Zendesk (by job id), and the outcomes already known at submission."""

    in_flight: dict[str, list[Write]] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)


class JobWriter:
    """Needs of the mixin, provided by `ZendeskGateway`."""

    client: Zenpy
    session: ZendeskSession
    base_url: str
    job_poll_interval: float
    job_poll_timeout: float
    max_jobs_in_flight: int
    sleep: Callable[[float], None]
    _flying: set[str]
    _done: dict[str, Any]

    def write(self, writes: Sequence[Write]) -> list[Outcome]:
        """Apply `writes` in update_many jobs; every ticket gets an outcome, none is lost."""
        outcomes: list[Outcome] = []
        wave = MAX_JOB * self.max_jobs_in_flight
        for start in range(0, len(writes), wave):
            outcomes += self.collect(self.submit(writes[start : start + wave]))
        return outcomes

    def submit(self, writes: Sequence[Write]) -> Submitted:
        """Queue `writes` as jobs of at most 100 tickets; `collect` waits for their results."""
        submitted = Submitted()
        limited = ""
        for start in range(0, len(writes), MAX_JOB):
            batch = list(writes[start : start + MAX_JOB])
            if limited:
                submitted.outcomes += [Outcome(w.ticket_id, NOT_SENT, limited) for w in batch]
                continue
            try:
                self._make_room()
                job_id = self._update_many(batch)
                submitted.in_flight[job_id] = batch
                self._flying.add(job_id)
            except RateLimited as exc:
                limited = str(exc)
                submitted.outcomes += [Outcome(w.ticket_id, NOT_SENT, limited) for w in batch]
            except (APIException, requests.RequestException, ZendeskError) as exc:
                result = submit_result(exc)
                submitted.outcomes += [Outcome(w.ticket_id, result, str(exc)) for w in batch]
        return submitted

    def _update_many(self, batch: list[Write]) -> str:
        """One update_many job, its payload written directly (building zenpy's ticket
        objects cost more than all the rest of a backfill's writing); the job's id."""
        url = f"{self.base_url}/api/v2/tickets/update_many.json"
        payload = {"tickets": [{"id": w.ticket_id, **w.changes()} for w in batch]}
        response = self.session.put(url, json=payload)
        kind = classify_status(response.status_code)
        if kind is Kind.TRANSIENT:  # a 500 after the job may have been queued
            raise OutcomeUnknown(f"PUT tickets/update_many: {describe(response)}")
        if kind is not Kind.OK:
            raise Rejected(f"PUT tickets/update_many: {describe(response)}")
        return str(response.json()["job_status"]["id"])

    def _job_statuses(self, job_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The jobs' statuses as Zendesk sends them (zenpy's objects for 100 results a job
        cost more than the request)."""
        url = f"{self.base_url}/api/v2/job_statuses/show_many.json"
        response = self.session.get(url, params={"ids": ",".join(job_ids)})
        if classify_status(response.status_code) is not Kind.OK:
            raise Rejected(f"GET job_statuses/show_many: {describe(response)}")
        return list(response.json().get("job_statuses") or [])

    def _make_room(self) -> None:
        """Zendesk runs at most 30 jobs per account, shared with other apps: keep at most
        `max_jobs_in_flight` of ours queued or running; finished ones wait in `_done`."""
        interval = self.job_poll_interval
        deadline = time.monotonic() + self.job_poll_timeout
        while len(self._flying) >= self.max_jobs_in_flight and time.monotonic() < deadline:
            for status in self._job_statuses(sorted(self._flying)):
                if status["status"] in ("completed", "failed"):
                    self._flying.discard(str(status["id"]))
                    self._done[str(status["id"])] = status
            if len(self._flying) >= self.max_jobs_in_flight:
                self.sleep(interval)
                interval = min(interval * 2, max(self.job_poll_interval, 2.0))

    def collect(self, submitted: Submitted, *, wait_first: bool = True) -> list[Outcome]:
        """Outcomes of submitted jobs; `wait_first=False` when they have had time to run."""
        return submitted.outcomes + self._await(submitted.in_flight, wait_first)

    def _await(self, in_flight: dict[str, list[Write]], wait_first: bool) -> list[Outcome]:
        outcomes: list[Outcome] = []
        deadline = time.monotonic() + self.job_poll_timeout
        pending = dict(in_flight)
        for job_id in [j for j in pending if j in self._done]:  # finished while making room
            outcomes += job_outcomes(pending.pop(job_id), self._done.pop(job_id))
        wait = wait_first and bool(pending)
        interval = self.job_poll_interval
        while pending:
            if wait:
                self.sleep(interval)
                # Jobs take a while: back off so that polling costs few requests.
                interval = min(interval * 2, max(self.job_poll_interval, 2.0))
            wait = True
            try:
                statuses = self._job_statuses(list(pending))
            except (ZendeskError, requests.RequestException) as exc:
                statuses = []
                if time.monotonic() > deadline or isinstance(exc, RateLimited):
                    break
            for status in statuses:
                job_id = str(status["id"])
                batch = pending.get(job_id)
                if batch is None or status["status"] not in ("completed", "failed"):
                    continue
                del pending[job_id]
                self._flying.discard(job_id)
                outcomes += job_outcomes(batch, status)
            if time.monotonic() > deadline:
                break
        for job_id, batch in pending.items():
            self._flying.discard(job_id)  # given up on: no longer counted as ours
            outcomes += [Outcome(w.ticket_id, UNKNOWN, "job did not finish in time") for w in batch]
        return outcomes


def submit_result(exc: Exception) -> str:
    """The outcome of every write a failed job request carried."""
    if isinstance(exc, OutcomeUnknown):
        return UNKNOWN
    if isinstance(exc, Rejected):
        return REFUSED
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if isinstance(status, int) and status >= 500:
        return UNKNOWN  # the job may exist: notes are verified before they are sent again
    if isinstance(status, int) and classify_status(status) is Kind.REJECTED:
        return REFUSED  # zenpy's exception for a refused organizations update_many
    return NOT_SENT


def job_outcomes(batch: list[Write], status: dict[str, Any]) -> list[Outcome]:
    """An outcome per write. Results are matched by ticket id (Zendesk's successful results
    carry `id` and no `index`, in no promised order); by `index` only where the id is missing."""
    raw = status.get("results")
    if isinstance(raw, dict):  # `{"success": true}` for the whole job (API notes 2.6)
        whole = OK if status.get("status") == "completed" and raw.get("success") else UNKNOWN
        detail = "" if whole == OK else f"job {status.get('status')}: results {raw}"[:200]
        return [Outcome(w.ticket_id, whole, detail) for w in batch]
    results = [r for r in raw or [] if isinstance(r, dict)]
    by_id: dict[int, dict[str, Any]] = {}
    by_index: dict[int, dict[str, Any]] = {}
    for result in results:
        ident, index = result.get("id"), result.get("index")
        if isinstance(ident, int) and not isinstance(ident, bool):
            by_id[ident] = result
        elif isinstance(index, int):
            by_index[index] = result
    outcomes = []
    for index, write in enumerate(batch):
        found = by_id.get(write.ticket_id, by_index.get(index))
        if found is None:
            message = f"job {status.get('status')}: no result"
            outcomes.append(Outcome(write.ticket_id, NOT_SENT, message))
        elif found.get("success", False):
            outcomes.append(Outcome(write.ticket_id, OK))
        else:
            error = str(found.get("error") or "")
            details = str(found.get("details") or "")
            kind = CONFLICT if "Conflict" in error or "outdated" in details else FAILED
            outcomes.append(Outcome(write.ticket_id, kind, f"{error}: {details}"))
    return outcomes
