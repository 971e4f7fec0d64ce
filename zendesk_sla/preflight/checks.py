"""`check-account`'s checks: what it reads from the account (GETs only) and what it judges.

Each check gives one `Line`: a level (ok, warn, fail), a message key of
`messages.yaml` and the values its placeholders take. Unreachable or refused
credentials end the check at once; everything else is read and judged in turn.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zendesk_sla.config import Config
from zendesk_sla.sync.fields import resolve_ticket_fields
from zendesk_sla.zendesk.errors import ZendeskError, describe_answer
from zendesk_sla.zendesk.gateway import ZendeskGateway
from zendesk_sla.zendesk.pacing import LIMIT, REMAINING, header_number

OK, WARN, FAIL = "ok", "warn", "FAIL"
EVENT_DAYS = 30
HEADER_SPELLINGS = ("ratelimit-", "rate-limit", "x-rate-limit")


@dataclass(frozen=True)
class Line:
    level: str
    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


class Stop(Exception):
    """Nothing more can be checked: the line that says why."""

    def __init__(self, line: Line) -> None:
        super().__init__(line.key)
        self.line = line


def _answer(status: int, body: Any) -> str:
    return describe_answer(status, body)[:200]


@dataclass
class AccountCheck:
    gateway: ZendeskGateway
    config: Config
    now: int
    lines: list[Line] = field(default_factory=list)
    me_headers: dict[str, str] = field(default_factory=dict)  # users/me's, for the budget

    def run(self) -> list[Line]:
        try:
            self.lines.append(self.role())
            for kind in ("ticket", "organization", "user"):
                self.lines.append(self.fields(kind))
            self.lines.append(self.help_center())
            self.lines.append(self.statuses())
            self.lines.append(self.events())
            self.lines.append(self.rate_headers())
            self.lines.append(self.plans())
            self.lines.append(self.size())
        except Stop as stop:
            self.lines.append(stop.line)
        return self.lines

    # -- reading ------------------------------------------------------------------------
    def _get(
        self, path: str, params: dict[str, Any] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        try:
            status, body, headers = self.gateway.probe(path, params or {})
        except ZendeskError as exc:
            url = self.gateway.base_url
            raise Stop(Line(FAIL, "unreachable", {"url": url, "error": str(exc)[:200]})) from None
        if status == 401:
            raise Stop(Line(FAIL, "credentials_refused", {"answer": _answer(status, body)}))
        if status < 400 and not isinstance(body, dict):
            values = {"what": path, "status": status, "url": self.gateway.base_url}
            raise Stop(Line(FAIL, "answer_unreadable", values))
        return status, body, headers

    # -- checks -------------------------------------------------------------------------
    def role(self) -> Line:
        status, body, self.me_headers = self._get("users/me")
        user = body.get("user") if isinstance(body, dict) else None
        if status == 403:
            raise Stop(Line(FAIL, "credentials_refused", {"answer": _answer(status, body)}))
        if status >= 400 or not isinstance(user, dict):
            values = {"what": "users/me", "status": status, "url": self.gateway.base_url}
            raise Stop(Line(FAIL, "answer_unreadable", values))
        values = {
            "name": user.get("name") or "-",
            "user_id": user.get("id"),
            "role": user.get("role"),
        }
        if user.get("role") == "admin":
            return Line(OK, "role_admin", values)
        return Line(FAIL, "role_not_admin", values)

    def _list(self, path: str, key: str) -> list[dict[str, Any]] | None:
        try:
            return self.gateway.list_records(path, key)
        except ZendeskError:
            return None

    def fields(self, kind: str) -> Line:
        wanted = self.config.fields
        listed = self._list(f"{kind}_fields", f"{kind}_fields")
        source: Mapping[Any, str | int]
        if kind == "ticket":
            source = wanted.ticket_fields
        elif kind == "organization":
            source = wanted.organization_fields
        else:
            source = wanted.user_fields
        names = {str(k): v for k, v in source.items()}
        if listed is None:
            return Line(FAIL, "fields_missing", {"kind": kind, "problems": "cannot list them"})
        if kind == "ticket":
            _, problems = resolve_ticket_fields(listed, names)
        else:
            active = {f.get("key") for f in listed if f.get("active", True)}
            inactive = {f.get("key") for f in listed if not f.get("active", True)}
            problems = [
                f"{logical}: '{key}' is inactive" if key in inactive else f"{logical}: no '{key}'"
                for logical, key in names.items()
                if key not in active
            ]
        if problems:
            return Line(WARN, "fields_missing", {"kind": kind, "problems": "; ".join(problems)})
        return Line(OK, "fields_ok", {"kind": kind, "count": len(names)})

    def help_center(self) -> Line:
        if self.config.policy.pages is None:
            return Line(OK, "help_center_unused")
        for path in ("help_center/user_segments", "guide/permission_groups"):
            status, body, _ = self._get(path)
            if status >= 400:
                answer = _answer(status, body)
                if status == 404:
                    answer += " (Guide is not enabled on this account)"
                elif status == 403:
                    answer += " (this token may not manage Guide content)"
                return Line(WARN, "help_center_off", {"answer": answer})
        return Line(OK, "help_center_ok")

    def statuses(self) -> Line:
        status, body, _ = self._get("custom_statuses")
        if status in (403, 404):
            return Line(OK, "statuses_standard")
        if status >= 400:
            return Line(WARN, "statuses_unreadable", {"answer": _answer(status, body)})
        items = [s for s in body.get("custom_statuses") or [] if isinstance(s, dict)]
        active = [s for s in items if s.get("active", True)]
        counts = Counter(str(s.get("status_category")) for s in active)
        by_category = ", ".join(f"{c}: {n}" for c, n in sorted(counts.items()))
        return Line(OK, "statuses_custom", {"count": len(active), "by_category": by_category})

    def events(self) -> Line:
        start = self.now - EVENT_DAYS * 86400
        params = {"start_time": start, "include": "comment_events", "per_page": 1000}
        status, body, _ = self._get("incremental/ticket_events", params)
        if status >= 400:
            return Line(FAIL, "events_unreadable", {"answer": _answer(status, body)})
        events = [e for e in body.get("ticket_events") or [] if isinstance(e, dict)]
        children = [c for e in events for c in e.get("child_events") or [] if isinstance(c, dict)]
        documented = sum(1 for c in children if "status" in c)
        audit = sum(1 for c in children if c.get("field_name") == "status")
        values = {"documented": documented, "audit": audit, "days": EVENT_DAYS}
        if audit:
            return Line(OK, "events_audit", values)
        if documented:
            return Line(OK, "events_documented", values)
        return Line(WARN, "events_none", {**values, "events": len(events)})

    def rate_headers(self) -> Line:
        headers = {k.lower(): v for k, v in self.me_headers.items()}
        spellings = [s for s in HEADER_SPELLINGS if any(h.startswith(s) for h in headers)]
        if not spellings:
            return Line(WARN, "rate_headers_none")
        limit, remaining = header_number(headers, LIMIT), header_number(headers, REMAINING)
        shown = ", ".join(f"{s}*" for s in spellings)
        return Line(
            OK,
            "rate_headers",
            {
                "spellings": shown,
                "limit": "?" if limit is None else f"{limit:.0f}",
                "remaining": "?" if remaining is None else f"{remaining:.0f}",
            },
        )

    def plans(self) -> Line:
        try:
            return self._plans()
        except ZendeskError as exc:
            return Line(WARN, "plans_unreadable", {"answer": str(exc)[:200]})

    def _plans(self) -> Line:
        key = self.config.fields.organization_fields.get("plan", "support_plan")
        values: Counter[str] = Counter()
        orgs, start = 0, 0
        for _ in range(10_000):
            page = self.gateway.org_page(start)
            for org in page.items:
                fields = org.get("organization_fields") if isinstance(org, dict) else None
                value = fields.get(key) if isinstance(fields, dict) else None
                values[str(value) if value else ""] += 1
                orgs += 1
            if page.end_of_stream or page.end_time <= start:
                break
            start = page.end_time
        configured = set(self.config.policy.plans)
        unknown = {v: n for v, n in values.items() if v and v not in configured}
        if orgs and not any(v for v in values):
            return Line(WARN, "plans_missing_field", {"orgs": orgs, "key": key})
        if unknown:
            shown = ", ".join(f"'{v}' ({n})" for v, n in sorted(unknown.items())[:10])
            return Line(WARN, "plans_unknown", {"orgs": orgs, "unknown": shown})
        return Line(OK, "plans_ok", {"orgs": orgs, "plans": ", ".join(sorted(configured))})

    def size(self) -> Line:
        status, body, _ = self._get("tickets/count")
        count = body.get("count") if isinstance(body, dict) else None
        tickets = count.get("value") if isinstance(count, dict) else None
        try:
            memberships: int | str = len(self.gateway.memberships())
        except ZendeskError:
            memberships = "?"
        per_minute = self.config.sync.incremental_exports_per_minute or 10
        export_pages = 2 * max(math.ceil((tickets or 0) / 1000), 1)  # tickets, then events
        values = {
            "tickets": tickets if status < 400 and tickets is not None else "?",
            "memberships": memberships,
            "export_pages": export_pages,
            "minutes": math.ceil(export_pages / per_minute),
            "per_minute": per_minute,
            "membership_pages": max(math.ceil(memberships / 100), 1)
            if isinstance(memberships, int)
            else "?",
        }
        return Line(OK, "size", values)
