"""The sandbox HTTP server: the Zendesk Support API on loopback, for zenpy and the worker.

Routes requests onto an `Account`, with Zendesk's auth, rate limits (and their
headers), error bodies and pagination URLs, plus fault injection for tests.
Control endpoints under `/sandbox/` (stats, clock, faults) are not Zendesk's.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

from zendesk_sla.sandbox.account import (
    MAX_PAGE,
    Account,
    ApiError,
    Page,
    conflict,
    not_found,
    time_page,
)
from zendesk_sla.sandbox.model import Audit, Json, iso

RATE_LIMIT_BODY = b"Number of allowed API requests per minute exceeded"
AUTH_ERROR: Json = {"error": "Couldn't authenticate you"}


@dataclass
class Faults:
    """Share of requests to /api/ that fail on purpose (0.0 to 1.0 each)."""

    error_rate: float = 0.0  # 500 or 503
    drop_rate: float = 0.0  # connection closed with no response
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    conflict_rate: float = 0.0  # 409 on ticket writes
    throttle_rate: float = 0.0  # 429 with Retry-After, whatever the budget
    seed: int = 0


@dataclass
class RateLimits:
    per_minute: int = 700  # 0 = unlimited
    incremental_per_minute: int = 10  # Zendesk's separate bucket for /incremental/
    window_seconds: float = 60.0
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def take(self, bucket: str, limit: int) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until reset) for one request in `bucket`."""
        now = time.monotonic()
        start, used = self._windows.get(bucket, (now, 0))
        if now - start >= self.window_seconds:
            start, used = now, 0
        reset = self.window_seconds - (now - start)
        if limit and used >= limit:
            self._windows[bucket] = (start, used)
            return False, 0, reset
        used += 1
        self._windows[bucket] = (start, used)
        return True, max(limit - used, 0) if limit else 1_000_000, reset


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Route = tuple[str, re.Pattern[str], Callable[..., Reply]]


class Sandbox:
    """Everything the HTTP layer needs: the account, credentials, limits, faults, stats."""

    def __init__(
        self,
        account: Account,
        *,
        email: str = "worker@athento.example",
        token: str = "sandbox-token",
        bearer: str | None = "sandbox-oauth",
        limits: RateLimits | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.account = account
        self.credentials = {f"{email}/token": token}
        self.bearer = bearer
        self.limits = limits or RateLimits()
        self.faults = faults or Faults()
        self.stats: Counter[str] = Counter()
        self.base_url = ""
        self.routes: list[Route] = []
        self._route("GET", r"incremental/tickets/cursor", self.export_tickets)
        self._route("GET", r"incremental/tickets", self.export_tickets_by_time)
        self._route("GET", r"incremental/ticket_events", self.export_events)
        self._route("GET", r"incremental/users/cursor", self.export_users_cursor)
        self._route("GET", r"incremental/users", self.export_users)
        self._route("GET", r"incremental/organizations", self.export_organizations)
        self._route("PUT", r"tickets/update_many", self.update_many)
        self._route("GET", r"tickets/show_many", self.show_tickets)
        self._route("GET", r"tickets/(\d+)/comments", self.ticket_comments)
        self._route("GET", r"tickets/(\d+)", self.show_ticket)
        self._route("PUT", r"tickets/(\d+)", self.update_ticket)
        self._route("GET", r"job_statuses/show_many", self.show_jobs)
        self._route("GET", r"job_statuses/([\w-]+)", self.show_job)
        self._route("GET", r"users/me", self.me)
        self._route("GET", r"users/show_many", self.show_users)
        self._route("GET", r"users/(\d+)", self.show_user)
        self._route("GET", r"organizations/show_many", self.show_organizations)
        self._route("PUT", r"organizations/update_many", self.update_organizations)
        self._route("GET", r"organizations/(\d+)", self.show_organization)
        self._route("PUT", r"organizations/(\d+)", self.update_organization)
        for kind in ("ticket", "user", "organization"):
            self._route("GET", rf"{kind}_fields", self._fields_lister(kind))
            self._route("POST", rf"{kind}_fields", self._fields_creator(kind))

    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self._faults = faults
        self._rng = random.Random(faults.seed)

    def _route(self, method: str, pattern: str, handler: Callable[..., Reply]) -> None:
        self.routes.append((method, re.compile(rf"^/api/v2/{pattern}(?:\.json)?$"), handler))

    # -- request pipeline ------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, str], body: bytes, auth: str
    ) -> Reply | None:
        """The reply to one request, or None to drop the connection."""
        if path.startswith("/sandbox/"):
            return self.control(method, path, body)
        if not self._authorized(auth):
            self.stats["401"] += 1
            return _json(401, AUTH_ERROR)
        with self.account.lock:
            fault = self._fault(method, path)
        if fault == "drop":
            self.stats["dropped"] += 1
            return None
        incremental = path.startswith("/api/v2/incremental/")
        with self.account.lock:
            ok, remaining, reset = self.limits.take("account", self.limits.per_minute)
            if ok and incremental:
                ok, _, reset = self.limits.take("incremental", self.limits.incremental_per_minute)
        headers = {
            "X-Rate-Limit": str(self.limits.per_minute or 700),
            "X-Rate-Limit-Remaining": str(remaining),
            "ratelimit-limit": str(self.limits.per_minute or 700),
            "ratelimit-remaining": str(remaining),
            "ratelimit-reset": str(math.ceil(reset)),
        }
        if fault == "429":
            ok, reset = False, 1.0
        if not ok:
            self.stats["429"] += 1
            # Zendesk's 429: plain text, with Retry-After (never sent on any other status).
            headers["Retry-After"] = str(max(1, math.ceil(reset)))
            return Reply(429, RATE_LIMIT_BODY, "text/plain", headers)
        if fault in ("500", "503", "409"):
            self.stats[fault] += 1
            reply = self._fault_reply(fault)
            reply.headers.update(headers)
            return reply
        reply = self._dispatch(method, path, query, body)
        reply.headers.update(headers)
        return reply

    def _dispatch(self, method: str, path: str, query: dict[str, str], body: bytes) -> Reply:
        for verb, pattern, handler in self.routes:
            match = pattern.match(path)
            if match and verb == method:
                self.stats[f"{method} {pattern.pattern[9:-12]}"] += 1
                try:
                    payload = json.loads(body) if body else {}
                except ValueError:
                    return _json(400, {"error": "InvalidJSON", "description": "Malformed JSON"})
                try:
                    with self.account.lock:
                        return handler(query, payload, *match.groups())
                except ApiError as exc:
                    return _json(exc.status, exc.body)
        self.stats["404"] += 1
        return _json(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _authorized(self, auth: str) -> bool:
        if auth.startswith("Bearer "):
            return self.bearer is not None and auth[7:] == self.bearer
        if auth.startswith("Basic "):
            try:
                user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False
            return self.credentials.get(user) == secret
        return False

    def _fault(self, method: str, path: str) -> str | None:
        f = self.faults
        if not path.startswith("/api/"):
            return None
        roll = self._rng.random
        if f.slow_rate and roll() < f.slow_rate:
            time.sleep(f.slow_seconds)
        if f.throttle_rate and roll() < f.throttle_rate:
            return "429"
        if f.drop_rate and roll() < f.drop_rate:
            return "drop"
        if f.error_rate and roll() < f.error_rate:
            return self._rng.choice(("500", "503"))
        if f.conflict_rate and method == "PUT" and "/tickets/" in path and roll() < f.conflict_rate:
            return "409"
        return None

    def _fault_reply(self, kind: str) -> Reply:
        if kind == "503":
            return Reply(503, b"Service Unavailable", "text/plain")
        if kind == "409":
            error = conflict()
            return _json(error.status, error.body)
        return _json(500, {"error": "InternalError", "description": "Something went wrong"})

    def control(self, method: str, path: str, body: bytes) -> Reply:
        data = json.loads(body) if body else {}
        if path == "/sandbox/stats" and method == "GET":
            return _json(200, {"requests": dict(self.stats), "tickets": len(self.account.tickets)})
        if path == "/sandbox/stats/reset" and method == "POST":
            self.stats.clear()
            return _json(200, {"ok": True})
        if path == "/sandbox/faults" and method == "POST":
            with self.account.lock:
                self.faults = Faults(**data)
            return _json(200, asdict(self.faults))
        if path == "/sandbox/limits" and method == "POST":
            with self.account.lock:
                self.limits = RateLimits(**data)
            return _json(200, {"ok": True})
        return _json(404, {"error": "InvalidEndpoint", "description": "Not found"})

    # -- exports -------------------------------------------------------------------------------
    def _page_args(self, query: dict[str, str]) -> tuple[int, str]:
        per_page = _int(query.get("per_page"), MAX_PAGE)
        extra = "".join(f"&{k}={quote(query[k])}" for k in ("include", "per_page") if k in query)
        return per_page, extra

    def export_tickets(self, query: dict[str, str], _body: Json) -> Reply:
        cursor, start = query.get("cursor"), query.get("start_time")
        if (cursor is None) == (start is None):
            raise ApiError(
                400,
                {
                    "error": "InvalidPaginationParameter",
                    "description": "cursor or start_time is required",
                },
            )
        per_page, extra = self._page_args(query)
        page = self.account.export_tickets(
            start_time=_int(start, 0) if start is not None else None,
            cursor=cursor,
            per_page=per_page,
            exclude_deleted=query.get("exclude_deleted") == "true",
        )
        cursor_param = quote(page.cursor or "", safe="")
        after = (
            f"{self.base_url}/api/v2/incremental/tickets/cursor.json?cursor={cursor_param}{extra}"
        )
        return _page(
            "tickets",
            self._tickets(page, "metric_sets" in query.get("include", "")),
            {
                "after_url": after,
                "before_url": None,
                "after_cursor": page.cursor,
                "before_cursor": None,
                "end_of_stream": page.end_of_stream,
            },
        )

    def warm(self) -> None:
        """Encode the seeded tickets and events once, as the worker asks for them."""
        with self.account.lock:
            self._tickets(Page(list(self.account.tickets.values()), True), True)
            for audit in self.account.audits:
                self._event(audit, True)

    def _event(self, audit: Audit, with_comments: bool) -> bytes:
        encoded = audit.cache.get(with_comments)
        if encoded is None:
            encoded = json.dumps(audit.to_event_json(with_comments)).encode()
            audit.cache[with_comments] = encoded
        return encoded

    def _tickets(self, page: Page, metrics: bool) -> list[bytes]:
        out = []
        for ticket in page.items:
            encoded = ticket.cache.get(metrics)
            if encoded is None:
                data = ticket.to_json(self.base_url)
                if metrics:
                    data["metric_set"] = self.account.metric_set(ticket)
                encoded = ticket.cache[metrics] = json.dumps(data).encode()
            out.append(encoded)
        return out

    def _time_based(
        self,
        key: str,
        path: str,
        query: dict[str, str],
        page: Page,
        items: list[Json] | list[bytes],
    ) -> Reply:
        _, extra = self._page_args(query)
        next_page = f"{self.base_url}/api/v2/{path}.json?start_time={page.end_time}{extra}"
        encoded = [i if isinstance(i, bytes) else json.dumps(i).encode() for i in items]
        return _page(
            key,
            encoded,
            {
                "count": len(items),
                "end_of_stream": page.end_of_stream,
                "end_time": page.end_time,
                "next_page": None if page.end_of_stream else next_page,
            },
        )

    def _start(self, query: dict[str, str]) -> int:
        if "start_time" not in query:
            raise ApiError(400, {"error": "InvalidValue", "description": "start_time is required"})
        return _int(query["start_time"], 0)

    def export_tickets_by_time(self, query: dict[str, str], _body: Json) -> Reply:
        start = self._start(query)
        ordered = sorted(self.account.tickets.values(), key=lambda t: (t.generated_timestamp, t.id))
        page = time_page(
            [t.generated_timestamp for t in ordered],
            ordered,
            start,
            _int(query.get("per_page"), MAX_PAGE),
            self.account.now(),
        )
        return self._time_based(
            "tickets",
            "incremental/tickets",
            query,
            page,
            self._tickets(page, "metric_sets" in query.get("include", "")),
        )

    def export_events(self, query: dict[str, str], _body: Json) -> Reply:
        page = self.account.export_events(
            start_time=self._start(query), per_page=_int(query.get("per_page"), MAX_PAGE)
        )
        with_comments = "comment_events" in query.get("include", "")
        items = [self._event(audit, with_comments) for audit in page.items]
        return self._time_based("ticket_events", "incremental/ticket_events", query, page, items)

    def export_users(self, query: dict[str, str], _body: Json) -> Reply:
        page = self.account.export_users(
            start_time=self._start(query), per_page=_int(query.get("per_page"), MAX_PAGE)
        )
        return self._time_based(
            "users",
            "incremental/users",
            query,
            page,
            [u.to_json(self.base_url) for u in page.items],
        )

    def export_users_cursor(self, query: dict[str, str], _body: Json) -> Reply:
        users = sorted(self.account.users.values(), key=lambda u: (u.updated_at, u.id))
        if "cursor" in query:
            after = int(base64.b64decode(unquote(query["cursor"]) + "==").decode() or 0)
            users = [u for u in users if (u.updated_at, u.id) > (after // 10**12, after % 10**12)]
        else:
            start = self._start(query)
            users = [u for u in users if u.updated_at >= start]
        per_page = min(_int(query.get("per_page"), MAX_PAGE), MAX_PAGE)
        chunk = users[:per_page]
        last = chunk[-1] if chunk else None
        token = base64.b64encode(
            str(last.updated_at * 10**12 + last.id if last else 0).encode()
        ).decode()
        return _json(
            200,
            {
                "users": [u.to_json(self.base_url) for u in chunk],
                "after_url": f"{self.base_url}/api/v2/incremental/users/cursor.json"
                f"?cursor={quote(token, safe='')}",
                "before_url": None,
                "after_cursor": token,
                "before_cursor": None,
                "end_of_stream": len(users) <= per_page,
            },
        )

    def export_organizations(self, query: dict[str, str], _body: Json) -> Reply:
        page = self.account.export_organizations(
            start_time=self._start(query), per_page=_int(query.get("per_page"), MAX_PAGE)
        )
        return self._time_based(
            "organizations",
            "incremental/organizations",
            query,
            page,
            [o.to_json(self.base_url) for o in page.items],
        )

    # -- tickets -------------------------------------------------------------------------------
    def show_ticket(self, _query: dict[str, str], _body: Json, ticket_id: str) -> Reply:
        return _json(200, {"ticket": self.account.ticket(int(ticket_id)).to_json(self.base_url)})

    def show_tickets(self, query: dict[str, str], _body: Json) -> Reply:
        return _listing("tickets", _found(self.account.tickets, query, self.base_url))

    def ticket_comments(self, _query: dict[str, str], _body: Json, ticket_id: str) -> Reply:
        comments = [
            {
                **audit.comment_json(child),
                "via": {"channel": audit.via, "source": {"from": {}, "to": {}, "rel": None}},
                "created_at": iso(audit.timestamp),
            }
            for audit, child in self.account.comments(int(ticket_id))
        ]
        return _listing("comments", comments)

    def update_ticket(self, _query: dict[str, str], body: Json, ticket_id: str) -> Reply:
        changes = body.get("ticket")
        if not isinstance(changes, dict):
            raise ApiError(400, {"error": "InvalidValue", "description": "ticket is required"})
        audit = self.account.update_ticket(int(ticket_id), changes, self.account.api_user_id)
        ticket = self.account.ticket(int(ticket_id))
        audit_json = (
            audit.to_audit_json() if audit else {"id": None, "ticket_id": ticket.id, "events": []}
        )
        return _json(200, {"ticket": ticket.to_json(self.base_url), "audit": audit_json})

    def update_many(self, query: dict[str, str], body: Json) -> Reply:
        if "ids" in query:
            template = body.get("ticket") or {}
            items: list[Json] = [{**template, "id": i} for i in _ids(query)]
        else:
            items = body.get("tickets")  # type: ignore[assignment]
            if not isinstance(items, list):
                raise ApiError(400, {"error": "InvalidValue", "description": "tickets is required"})
        job = self.account.enqueue(items, self.account.api_user_id)
        return _json(200, {"job_status": job.to_json(self.base_url)})

    def show_job(self, _query: dict[str, str], _body: Json, job_id: str) -> Reply:
        job = self.account.poll(job_id)
        return _json(
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
        return _json(
            200,
            {
                "job_statuses": [
                    j.to_json(self.base_url, _job_message(j.status, self.account.now()))
                    for j in jobs
                ]
            },
        )

    # -- users, organizations, fields ----------------------------------------------------------
    def me(self, _query: dict[str, str], _body: Json) -> Reply:
        user_id = self.account.api_user_id
        if user_id is None:
            raise not_found()
        return _json(200, {"user": self.account.users[user_id].to_json(self.base_url)})

    def show_user(self, _query: dict[str, str], _body: Json, user_id: str) -> Reply:
        user = self.account.users.get(int(user_id))
        if user is None:
            raise not_found()
        return _json(200, {"user": user.to_json(self.base_url)})

    def show_users(self, query: dict[str, str], _body: Json) -> Reply:
        return _listing("users", _found(self.account.users, query, self.base_url))

    def show_organization(self, _query: dict[str, str], _body: Json, org_id: str) -> Reply:
        org = self.account.organizations.get(int(org_id))
        if org is None:
            raise not_found()
        return _json(200, {"organization": org.to_json(self.base_url)})

    def show_organizations(self, query: dict[str, str], _body: Json) -> Reply:
        return _listing("organizations", _found(self.account.organizations, query, self.base_url))

    def update_organizations(self, _query: dict[str, str], body: Json) -> Reply:
        items = body.get("organizations")
        if not isinstance(items, list):
            raise ApiError(
                400, {"error": "InvalidValue", "description": "organizations is required"}
            )
        job = self.account.enqueue(items, self.account.api_user_id, kind="organization")
        return _json(200, {"job_status": job.to_json(self.base_url)})

    def update_organization(self, _query: dict[str, str], body: Json, org_id: str) -> Reply:
        org = self.account.update_organization(int(org_id), body.get("organization") or {})
        return _json(200, {"organization": org.to_json(self.base_url)})

    def _fields_lister(self, kind: str) -> Callable[..., Reply]:
        def handler(_query: dict[str, str], _body: Json) -> Reply:
            fields = [
                f.to_json(self.base_url) for f in self.account.fields.values() if f.kind == kind
            ]
            return _listing(f"{kind}_fields", fields)

        return handler

    def _fields_creator(self, kind: str) -> Callable[..., Reply]:
        def handler(_query: dict[str, str], body: Json) -> Reply:
            spec = body.get(f"{kind}_field")
            if not isinstance(spec, dict):
                raise ApiError(
                    400, {"error": "InvalidValue", "description": f"{kind}_field is required"}
                )
            created = self.account.create_field(kind, spec)
            return _json(201, {f"{kind}_field": created.to_json(self.base_url)})

        return handler


def _json(status: int, body: Json) -> Reply:
    return Reply(status, json.dumps(body).encode())


def _listing(key: str, items: list[Json]) -> Reply:
    """A list endpoint's one and only page, with Zendesk's offset-pagination keys."""
    return _json(200, {key: items, "next_page": None, "previous_page": None, "count": len(items)})


def _page(key: str, items: list[bytes], rest: Json) -> Reply:
    """A 200 page whose items are already encoded (the sandbox caches them)."""
    tail = json.dumps(rest).encode()
    body = b'{"' + key.encode() + b'":[' + b",".join(items) + b"]," + tail[1:]
    return Reply(200, body)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        raise ApiError(
            400, {"error": "InvalidValue", "description": f"{value!r} is not a number"}
        ) from None


def _found(records: Mapping[int, Any], query: dict[str, str], base: str) -> list[Json]:
    """show_many: the records named in `ids` that exist, as JSON (missing ones are left out)."""
    return [records[i].to_json(base) for i in _ids(query) if i in records]


def _ids(query: dict[str, str]) -> list[int]:
    return [_int(i, 0) for i in query.get("ids", "").split(",") if i]


def _job_message(status: str, now: int) -> str | None:
    if status == "working":
        return "Updating tickets"
    if status in ("completed", "failed"):
        stamp = time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(now))
        return f"{status.capitalize()} at {stamp}"
    return None


def parse_query(raw: str) -> dict[str, str]:
    """Lenient: zenpy sends values unencoded (a cursor's '=' and '+' arrive raw)."""
    out: dict[str, str] = {}
    for part in raw.split("&"):
        if part:
            key, _, value = part.partition("=")
            out[unquote(key)] = unquote(value)
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms ACK waits
    sandbox: Sandbox

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = self.path.partition("?")
        reply = self.sandbox.handle(
            self.command, path, parse_query(raw_query), body, self.headers.get("Authorization", "")
        )
        if reply is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Zendesk-API-Version", "v2")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        return


class SandboxServer:
    """Runs a `Sandbox` on loopback in a background thread; `port=0` picks a free port."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"sandbox": sandbox})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.sandbox = sandbox
        bound_port = self.httpd.server_address[1]
        sandbox.base_url = f"http://{host}:{bound_port}"
        self._thread: threading.Thread | None = None
        self._stop_jobs = threading.Event()

    @property
    def url(self) -> str:
        return self.sandbox.base_url

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="zendesk-sandbox", daemon=True
        )
        self._thread.start()
        jobs = threading.Thread(
            target=self.sandbox.account.run_jobs,
            args=(self._stop_jobs,),
            name="sandbox-jobs",
            daemon=True,
        )
        jobs.start()
        return self

    def stop(self) -> None:
        self._stop_jobs.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
