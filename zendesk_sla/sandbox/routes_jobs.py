"""Job statuses: one job, or show_many; Zendesk's progress messages."""

from __future__ import annotations

import time

from zendesk_sla.sandbox.model import Json
from zendesk_sla.sandbox.routing import (
    Reply,
    Routes,
    json_reply,
)


class JobRoutes(Routes):
    def show_job(self, _query: dict[str, str], _body: Json, job_id: str) -> Reply:
        job = self.account.poll(job_id)
        return json_reply(
            200,
            {
                "job_status": job.to_json(
                    self.base_url, _job_message(job.status, self.account.now())
                )
            },
        )

    def show_jobs(self, query: dict[str, str], _body: Json) -> Reply:
        jobs = [
            self.account.poll(j) for j in query.get("ids", "").split(",") if j in self.account.jobs
        ]
        return json_reply(
            200,
            {
                "job_statuses": [
                    j.to_json(self.base_url, _job_message(j.status, self.account.now()))
                    for j in jobs
                ]
            },
        )


def _job_message(status: str, now: int) -> str | None:
    if status == "working":
        return "Updating tickets"
    if status in ("completed", "failed"):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(now))
        return f"{status.capitalize()} at {stamp}"
    return None
