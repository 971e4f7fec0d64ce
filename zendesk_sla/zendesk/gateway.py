"""The worker's view of Zendesk, on zenpy: export pages, reads, batched writes with job polling.

Export pages are fetched one at a time (through zenpy's session, so auth,
base URL and the transport's retry layers apply) because the worker must
record each page before it moves its cursor; zenpy's generators hide page
boundaries. Writes go through zenpy's `tickets.update` (update_many, at most
100 per job) and the job statuses are polled together with show_many.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Organization
from zenpy.lib.exception import APIException

from zendesk_sla.zendesk.content import ContentWriter
from zendesk_sla.zendesk.errors import (
    Kind,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Transient,
    ZendeskError,
    classify_status,
    describe,
    is_web_page,
    validation_messages,
)
from zendesk_sla.zendesk.jobs import (
    CONFLICT,
    FAILED,
    MAX_JOB,
    NOT_SENT,
    OK,
    REFUSED,
    UNKNOWN,
    JobWriter,
    Outcome,
    Submitted,
    Write,
    submit_result,
)
from zendesk_sla.zendesk.transport import ZendeskSession


@dataclass(frozen=True)
class CursorPage:
    items: list[dict[str, Any]]
    after_cursor: str | None
    end_of_stream: bool


@dataclass(frozen=True)
class TimePage:
    items: list[dict[str, Any]]
    end_time: int
    end_of_stream: bool


class ZendeskGateway(JobWriter, ContentWriter):
    def __init__(
        self,
        client: Zenpy,
        session: ZendeskSession,
        base_url: str,
        *,
        job_poll_interval: float = 1.0,
        job_poll_timeout: float = 120.0,
        max_jobs_in_flight: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.job_poll_interval = job_poll_interval
        self.job_poll_timeout = job_poll_timeout
        self.max_jobs_in_flight = max_jobs_in_flight
        self.sleep = sleep
        self._flying: set[str] = set()  # our jobs queued or running on Zendesk
        self._done: dict[str, Any] = {}  # finished while making room, not yet collected

    # -- raw reads -----------------------------------------------------------------------
    def _url(self, path: str, params: dict[str, Any]) -> str:
        url = f"{self.base_url}/api/v2/{path}.json"
        return f"{url}?{urlencode(params)}" if params else url

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._get_url(self._url(path, params), path)

    def _get_url(self, url: str, path: str | None = None) -> dict[str, Any]:
        path = path or url
        response = self.session.get(url)
        kind = classify_status(response.status_code)
        if kind is not Kind.OK:
            raise Rejected(f"GET {path}: {describe(response)}")
        try:
            data = response.json()
        except ValueError:
            if is_web_page(response):  # a login or landing page: not the API at all
                raise Rejected(f"GET {path}: {describe(response)}") from None
            raise Transient(f"GET {path}: body is not JSON") from None
        if not isinstance(data, dict):
            raise Rejected(f"GET {path}: unexpected body")
        return data

    def probe(self, path: str, params: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """A GET whose refusal is an answer, not an error (the account check): status,
        JSON body (None when it is not JSON) and headers. No answer at all raises."""
        response = self.session.get(self._url(path, params))
        try:
            body = response.json()
        except ValueError:
            body = None
        return response.status_code, body, dict(response.headers)

    def ticket_page(
        self, *, cursor: str | None = None, start_time: int | None = None, per_page: int = 1000
    ) -> CursorPage:
        params: dict[str, Any] = {"per_page": per_page, "include": "metric_sets"}
        if cursor is not None:
            params["cursor"] = cursor
        else:
            params["start_time"] = start_time or 0
        data = self._get("incremental/tickets/cursor", params)
        items = data.get("tickets") or []
        return CursorPage(list(items), data.get("after_cursor"), bool(data.get("end_of_stream")))

    def _time_page(self, path: str, key: str, start_time: int, extra: dict[str, Any]) -> TimePage:
        data = self._get(path, {"start_time": start_time, **extra})
        end_time = data.get("end_time")
        return TimePage(
            list(data.get(key) or []),
            int(end_time) if isinstance(end_time, int) else start_time,
            bool(data.get("end_of_stream")),
        )

    def event_page(self, start_time: int, per_page: int = 1000) -> TimePage:
        extra = {"include": "comment_events", "per_page": per_page}
        return self._time_page("incremental/ticket_events", "ticket_events", start_time, extra)

    def user_page(self, start_time: int) -> TimePage:
        return self._time_page("incremental/users", "users", start_time, {})

    def org_page(self, start_time: int) -> TimePage:
        return self._time_page("incremental/organizations", "organizations", start_time, {})

    def tickets(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), MAX_JOB):
            chunk = ",".join(str(i) for i in ids[start : start + MAX_JOB])
            out += self._get("tickets/show_many", {"ids": chunk}).get("tickets") or []
        return out

    def _all(self, path: str, key: str) -> list[dict[str, Any]]:
        """Every item of a list endpoint, read by cursor (`page[size]=100`, `links.next`
        while `meta.has_more`): Zendesk refuses offset pages past 100. An endpoint that
        answers with offset keys instead is followed by `next_page`."""
        items: list[dict[str, Any]] = []
        data = self._get(path, {"page[size]": 100})
        for _ in range(100_000):
            items += [i for i in data.get(key) or [] if isinstance(i, dict)]
            links, meta = data.get("links"), data.get("meta")
            if isinstance(meta, dict) and "has_more" in meta:
                more = meta.get("has_more")
                following = links.get("next") if more and isinstance(links, dict) else None
            else:
                following = data.get("next_page")
            if not following:
                return items
            data = self._get_url(str(following))
        raise Rejected(f"GET {path}: more than 100,000 pages")

    def user_memberships(self, user_id: int) -> list[dict[str, Any]]:
        """A user's organization memberships (users carry only their default organization)."""
        return self._all(f"users/{user_id}/organization_memberships", "organization_memberships")

    def memberships(self) -> list[dict[str, Any]]:
        """Every organization membership of the account (a page of 100 per request)."""
        return self._all("organization_memberships", "organization_memberships")

    def comments(self, ticket_id: int) -> list[dict[str, Any]]:
        """All of a ticket's comments, oldest first (every page)."""
        return self._all(f"tickets/{ticket_id}/comments", "comments")

    def me(self) -> dict[str, Any]:
        user = self._get("users/me", {}).get("user")
        if not isinstance(user, dict):
            raise Rejected("GET users/me: no user")
        return user

    # -- fields (setup) ---------------------------------------------------------------------
    def fields(self, kind: str) -> list[dict[str, Any]]:
        return self._all(f"{kind}_fields", f"{kind}_fields")

    def create_field(self, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/api/v2/{kind}_fields.json"
        response = self.session.post(url, json={f"{kind}_field": spec})
        if classify_status(response.status_code) is not Kind.OK:
            raise Rejected(f"POST {kind}_fields: {describe(response)}")
        return dict(response.json()[f"{kind}_field"])

    def update_ticket(self, write: Write) -> Outcome:
        """One ticket in a single update, with `safe_update`: a 409 means an agent changed it
        since it was read (re-read and re-decide), a 422 that Zendesk refused the change."""
        url = f"{self.base_url}/api/v2/tickets/{write.ticket_id}.json"
        try:
            response = self.session.put(url, json={"ticket": write.changes()})
        except OutcomeUnknown as exc:
            return Outcome(write.ticket_id, UNKNOWN, str(exc))
        except (Transient, RateLimited) as exc:  # a 503 may have been applied: verify first
            return Outcome(write.ticket_id, UNKNOWN, str(exc))
        kind = classify_status(response.status_code)
        if kind is Kind.OK:
            return Outcome(write.ticket_id, OK)
        if kind is Kind.CONFLICT:
            return Outcome(write.ticket_id, CONFLICT, describe(response))
        if kind is Kind.REJECTED:
            return Outcome(
                write.ticket_id, FAILED, f"TicketUpdateFailed: {validation_messages(response)}"
            )
        return Outcome(write.ticket_id, UNKNOWN, describe(response))

    def update_organizations(self, fields: dict[int, dict[str, Any]]) -> list[Outcome]:
        """Organization fields in update_many jobs; an outcome per organization (by its id)."""
        submitted = Submitted()
        orgs = sorted(fields)
        for start in range(0, len(orgs), MAX_JOB):
            chunk = orgs[start : start + MAX_JOB]
            updates = [Organization(id=o, organization_fields=fields[o]) for o in chunk]
            try:
                job = self.client.organizations.update(updates)
                submitted.in_flight[str(job.id)] = [Write(o, "") for o in chunk]
            except (APIException, requests.RequestException, ZendeskError) as exc:
                submitted.outcomes += [Outcome(o, submit_result(exc), str(exc)) for o in chunk]
        return submitted.outcomes + self._await(submitted.in_flight, True)

    # -- writes ---------------------------------------------------------------------------


__all__ = [
    "CONFLICT",
    "FAILED",
    "NOT_SENT",
    "OK",
    "REFUSED",
    "UNKNOWN",
    "CursorPage",
    "Outcome",
    "Submitted",
    "TimePage",
    "Write",
    "ZendeskGateway",
]
