"""The account's job queue: update_many jobs queued, run a slice at a time, polled.

A mixin of `Account`: jobs run in a background thread in the order they
were queued, with Zendesk's per-item results and statuses.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from typing import Any

from zendesk_sla.sandbox.errors import ApiError, invalid, not_found, too_many_jobs
from zendesk_sla.sandbox.model import Json, Ticket
from zendesk_sla.sandbox.records import Job, Organization

MAX_BATCH = 100


class JobQueue:
    """Needs of the mixin, provided by `Account`."""

    lock: threading.RLock
    jobs: dict[str, Job]
    job_queue_limit: int = 30  # Zendesk: 30 queued or running jobs per account
    peak_active_jobs: int = 0
    job_delay_seconds: float
    tickets: dict[int, Ticket]
    organizations: dict[int, Organization]
    _queue: deque[str]
    _jobs_ready: threading.Condition

    def now(self) -> int:
        raise NotImplementedError

    def update_ticket(self, ticket_id: int, changes: Json, author_id: int | None) -> Any:
        raise NotImplementedError

    def update_organization(self, org_id: int, changes: Json) -> Organization:
        raise NotImplementedError

    def enqueue(self, items: list[Json], author_id: int | None, kind: str = "ticket") -> Job:
        if len(items) > MAX_BATCH:
            raise ApiError(
                400,
                {
                    "error": "TooManyValues",
                    "description": f"Parameter  cannot specify more than {MAX_BATCH} values",
                    "max_count": MAX_BATCH,
                },
            )
        active = sum(1 for j in self.jobs.values() if j.status in ("queued", "working"))
        if active >= self.job_queue_limit:
            raise too_many_jobs()
        self.peak_active_jobs = max(self.peak_active_jobs, active + 1)
        seed = f"{self.now()}:{len(self.jobs)}:{id(items)}".encode()
        digest = hashlib.md5(seed, usedforsecurity=False).hexdigest()
        job = Job("V3-" + digest, time.monotonic(), items, author_id=author_id, kind=kind)
        self.jobs[job.id] = job
        self._queue.append(job.id)
        self._jobs_ready.notify()
        return job

    def poll(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise not_found()
        return job

    def run_jobs(self, stop: threading.Event) -> None:
        """The account's job queue: runs queued jobs in order, in slices, until `stop`."""
        while not stop.is_set():
            with self.lock:
                job = self._next_job()
                if job is None:
                    continue
                job.status = "working"
            for start in range(0, len(job.items), 20):
                with self.lock:  # agents' edits can land between slices, as on Zendesk
                    self._run_slice(job, start, 20)
            with self.lock:
                job.status = "completed"

    def _next_job(self) -> Job | None:
        now = time.monotonic()
        for stale in [j for j in self.jobs.values() if now - j.created_real > 3600]:
            del self.jobs[stale.id]  # Zendesk keeps job statuses for an hour
        if not self._queue:
            self._jobs_ready.wait(0.1)
            return None
        job = self.jobs.get(self._queue[0])
        if job is None:
            self._queue.popleft()
            return None
        wait = job.created_real + self.job_delay_seconds - now
        if wait > 0:
            self._jobs_ready.wait(wait)
            return None
        self._queue.popleft()
        return job

    def _run_slice(self, job: Job, start: int, size: int) -> None:
        results = job.results if job.results is not None else []
        for index in range(start, min(start + size, len(job.items))):
            item = job.items[index]
            ticket_id = item.get("id")
            try:
                if not isinstance(ticket_id, int):
                    raise invalid("id", "Id: cannot be blank")
                if job.kind == "organization":
                    self.update_organization(ticket_id, item)
                else:
                    self.update_ticket(ticket_id, item, job.author_id)
                # Zendesk's successful results carry the id, not the index.
                results.append(
                    {"id": ticket_id, "action": "update", "status": "Updated", "success": True}
                )
            except ApiError as exc:
                results.append(
                    {
                        "id": ticket_id,
                        "index": index,
                        "error": _job_error(job.kind, exc.status),
                        "details": _details(exc.body),
                        "success": False,
                    }
                )
            job.done = index + 1
        # Nothing promises the results' order: the sandbox gives them newest first.
        job.results = results if job.done < len(job.items) else results[::-1]


def _details(body: Json) -> str:
    """A job result's `details`: the validation messages, else the error's description."""
    found = body.get("details")
    if isinstance(found, dict):
        messages = [
            str(item.get("description"))
            for items in found.values()
            if isinstance(items, list)
            for item in items
            if isinstance(item, dict) and item.get("description")
        ]
        if messages:
            return "; ".join(messages)
    return str(body.get("description", ""))


def _job_error(kind: str, status: int) -> str:
    if status == 409:
        return "UpdateConflict"
    return "OrganizationUpdateFailed" if kind == "organization" else "TicketUpdateFailed"
