"""The sandbox: the Zendesk Support API on loopback, for zenpy and the worker.

Routes requests onto an `Account` through the resource mixins (exports,
tickets, jobs, users and organizations, fields), with Zendesk's auth, rate
limits (and their headers), error bodies, plus fault injection for tests.
Control endpoints under `/sandbox/` (stats, clock, faults) are not Zendesk's.
"""

from __future__ import annotations

import base64
import json
import math
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from types import SimpleNamespace
from typing import Any

from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.errors import ApiError, conflict, refusal
from zendesk_sla.sandbox.help_center import HelpCenter
from zendesk_sla.sandbox.http import SandboxServer
from zendesk_sla.sandbox.model import Json
from zendesk_sla.sandbox.routes_directory import DirectoryRoutes
from zendesk_sla.sandbox.routes_exports import ExportRoutes
from zendesk_sla.sandbox.routes_fields import FieldRoutes
from zendesk_sla.sandbox.routes_help_center import FORBIDDEN, HelpCenterRoutes
from zendesk_sla.sandbox.routes_jobs import JobRoutes
from zendesk_sla.sandbox.routes_rules import RuleRoutes, Rules
from zendesk_sla.sandbox.routes_tickets import TicketRoutes
from zendesk_sla.sandbox.routing import Reply, Route, json_reply
from zendesk_sla.sandbox.trigger_engine import Sent, fire

RATE_LIMIT_BODY = b"Number of allowed API requests per minute exceeded"
AUTH_ERROR: Json = {"error": "Couldn't authenticate you"}
END_USER_PASSWORD = "sandbox-password"
API_CALLER = SimpleNamespace(id=0, role="admin")  # before the API user exists


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
    clock: Callable[[], float] = time.monotonic  # a benchmark runs it on virtual time
    _windows: dict[str, tuple[float, int]] = field(default_factory=dict)

    def take(self, bucket: str, limit: int) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until reset) for one request in `bucket`."""
        now = self.clock()
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


class Sandbox(
    ExportRoutes,
    TicketRoutes,
    JobRoutes,
    DirectoryRoutes,
    FieldRoutes,
    HelpCenterRoutes,
    RuleRoutes,
):
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
        self.refusals: dict[str, int] = {}  # "PUT /api/v2/tickets/update_many" -> status
        self.journal: deque[tuple[str, str, bytes]] = deque(maxlen=50_000)  # writes seen
        self.base_url = ""
        self.routes: list[Route] = []
        self.updates_by_ticket: dict[int, list[int]] = {}
        self.help_center = HelpCenter(account.next_id, account.now())
        self.rules = Rules(account.next_id)
        self.sent: list[Sent] = []  # e-mails the triggers would have sent
        account.triggers = lambda ticket, audit: fire(
            self.rules, ticket, audit, self.sent, account.new_child_id
        )
        self.caller: Any = None
        self.add_help_center_routes()
        self.add_rule_routes()
        self._route("GET", r"incremental/tickets/cursor", self.export_tickets)
        self._route("GET", r"incremental/tickets", self.export_tickets_by_time)
        self._route("GET", r"incremental/ticket_events", self.export_events)
        self._route("GET", r"incremental/users/cursor", self.export_users_cursor)
        self._route("GET", r"incremental/users", self.export_users)
        self._route("GET", r"incremental/organizations", self.export_organizations)
        self._route("PUT", r"tickets/update_many", self.update_many)
        self._route("GET", r"tickets/count", self.count_tickets)
        self._route("GET", r"custom_statuses", self.custom_statuses)
        self._route("POST", r"tickets", self.create_ticket)
        self._route("GET", r"tickets/show_many", self.show_tickets)
        self._route("GET", r"tickets/(\d+)/comments", self.ticket_comments)
        self._route("GET", r"tickets/(\d+)", self.show_ticket)
        self._route("PUT", r"tickets/(\d+)", self.update_ticket)
        self._route("GET", r"job_statuses/show_many", self.show_jobs)
        self._route("GET", r"job_statuses/([\w-]+)", self.show_job)
        self._route("GET", r"users/me", self.me)
        self._route("GET", r"users/show_many", self.show_users)
        self._route("GET", r"users/(\d+)/organization_memberships", self.user_memberships)
        self._route("GET", r"organization_memberships", self.memberships)
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

    # -- request pipeline ------------------------------------------------------------------
    def handle(
        self, method: str, path: str, query: dict[str, str], body: bytes, auth: str
    ) -> Reply | None:
        """The reply to one request, or None to drop the connection."""
        if path.startswith("/sandbox/"):
            return self.control(method, path, body)
        caller = self._caller(auth)
        if caller is None:
            self.stats["401"] += 1
            return json_reply(401, AUTH_ERROR)
        if caller.role == "end-user" and not path.startswith("/api/v2/help_center/"):
            self.stats["403"] += 1  # an end user's password opens the help center, not the API
            return json_reply(FORBIDDEN.status, FORBIDDEN.body)
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
        }
        if not path.startswith(("/api/v2/help_center/", "/api/v2/guide/")):
            # Support answers since 2024-02; Help Center ones carry only the x- pair.
            headers["ratelimit-limit"] = str(self.limits.per_minute or 700)
            headers["ratelimit-remaining"] = str(remaining)
            headers["ratelimit-reset"] = str(math.ceil(reset))
        if fault == "429":
            ok, reset = False, 1.0
        if not ok:
            self.stats["429"] += 1
            # Zendesk's 429: plain text, with Retry-After (never sent on any other status).
            headers["Retry-After"] = str(max(1, math.ceil(reset)))
            return Reply(429, RATE_LIMIT_BODY, "text/plain", headers)
        if method in ("PUT", "POST") and path.startswith("/api/v2/"):
            self.journal.append((method, path, body))
        refused = self.refusals.get(f"{method} {path.removesuffix('.json')}")
        if refused:  # told to refuse this request whole (POST /sandbox/refuse)
            self.stats[f"refused {refused}"] += 1
            return Reply(refused, *refusal(refused), headers)
        if fault in ("500", "503", "409"):
            self.stats[fault] += 1
            reply = self._fault_reply(fault)
            reply.headers.update(headers)
            return reply
        reply = self._dispatch(method, path, query, body, caller)
        reply.headers.update(headers)
        return reply

    def _dispatch(
        self, method: str, path: str, query: dict[str, str], body: bytes, caller: Any = None
    ) -> Reply:
        for verb, pattern, handler in self.routes:
            match = pattern.match(path)
            if match and verb == method:
                self.stats[f"{method} {pattern.pattern[9:-12]}"] += 1
                try:
                    payload = json.loads(body) if body else {}
                except ValueError:
                    return json_reply(
                        400, {"error": "InvalidJSON", "description": "Malformed JSON"}
                    )
                try:
                    with self.account.lock:
                        self.caller = caller
                        return handler(query, payload, *match.groups())
                except ApiError as exc:
                    reply = json_reply(exc.status, exc.body)
                    if exc.text is not None:
                        reply = Reply(exc.status, *exc.text)
                    reply.headers.update(exc.headers)
                    if exc.status == 429:
                        self.stats["429"] += 1
                    return reply
        self.stats["404"] += 1
        return json_reply(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _caller(self, auth: str) -> Any:
        """The authenticated user: the API user (token or OAuth), or an end user signing in
        with their password (the sandbox gives every end user END_USER_PASSWORD)."""
        api_user = self.account.users.get(self.account.api_user_id or 0) or API_CALLER
        if auth.startswith("Bearer "):
            return api_user if self.bearer is not None and auth[7:] == self.bearer else None
        if not auth.startswith("Basic "):
            return None
        try:
            user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        if self.credentials.get(user) == secret:
            return api_user
        if secret != END_USER_PASSWORD or user.endswith("/token"):
            return None
        with self.account.lock:
            return next(
                (
                    u
                    for u in self.account.users.values()
                    if u.email == user and u.role == "end-user"
                ),
                None,
            )

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
            return json_reply(error.status, error.body)
        return json_reply(500, {"error": "InternalError", "description": "Something went wrong"})

    def control(self, method: str, path: str, body: bytes) -> Reply:
        data = json.loads(body) if body else {}
        if path == "/sandbox/stats" and method == "GET":
            return json_reply(
                200, {"requests": dict(self.stats), "tickets": len(self.account.tickets)}
            )
        if path == "/sandbox/stats/reset" and method == "POST":
            self.stats.clear()
            return json_reply(200, {"ok": True})
        if path == "/sandbox/faults" and method == "POST":
            with self.account.lock:
                self.faults = Faults(**data)
            return json_reply(200, asdict(self.faults))
        if path == "/sandbox/refuse" and method == "POST":
            key = f"{data['method']} {data['path'].removesuffix('.json')}"
            with self.account.lock:
                if data.get("status"):
                    self.refusals[key] = int(data["status"])
                else:
                    self.refusals.pop(key, None)
            return json_reply(200, {"refusing": self.refusals})
        if path == "/sandbox/limits" and method == "POST":
            with self.account.lock:
                self.limits = RateLimits(**data)
            return json_reply(200, {"ok": True})
        return json_reply(404, {"error": "InvalidEndpoint", "description": "Not found"})


__all__ = ["Faults", "RateLimits", "Sandbox", "SandboxServer"]
