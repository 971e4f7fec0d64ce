"""The incremental exports: tickets (cursor and time based), ticket events, users, organizations.

Encoded tickets and events are cached on the records, as the worker asks for them again."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, unquote

from zendesk_sla.sandbox.errors import ApiError
from zendesk_sla.sandbox.exports import MAX_PAGE, Page, time_page
from zendesk_sla.sandbox.metrics import metric_set
from zendesk_sla.sandbox.model import Audit, Json
from zendesk_sla.sandbox.routing import (
    Reply,
    Routes,
    int_arg,
    json_reply,
    page_reply,
)


class ExportRoutes(Routes):
    def _page_args(self, query: dict[str, str]) -> tuple[int, str]:
        per_page = int_arg(query.get("per_page"), MAX_PAGE)
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
            start_time=int_arg(start, 0) if start is not None else None,
            cursor=cursor,
            per_page=per_page,
            exclude_deleted=query.get("exclude_deleted") == "true",
        )
        cursor_param = quote(page.cursor or "", safe="")
        after = (
            f"{self.base_url}/api/v2/incremental/tickets/cursor.json?cursor={cursor_param}{extra}"
        )
        return page_reply(
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
        key = (with_comments, self.account.event_shape)
        encoded = audit.cache.get(key)
        if encoded is None:
            shape = self.account.event_shape
            encoded = json.dumps(audit.to_event_json(with_comments, shape)).encode()
            audit.cache[key] = encoded
        return encoded

    def _tickets(self, page: Page, metrics: bool) -> list[bytes]:
        out = []
        for ticket in page.items:
            encoded = ticket.cache.get(metrics)
            if encoded is None:
                data = ticket.to_json(self.base_url)
                if metrics:
                    data["metric_set"] = metric_set(self.account, ticket)
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
        return page_reply(
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
        return int_arg(query["start_time"], 0)

    def export_tickets_by_time(self, query: dict[str, str], _body: Json) -> Reply:
        start = self._start(query)
        ordered = sorted(self.account.tickets.values(), key=lambda t: (t.generated_timestamp, t.id))
        page = time_page(
            [t.generated_timestamp for t in ordered],
            ordered,
            start,
            int_arg(query.get("per_page"), MAX_PAGE),
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
            start_time=self._start(query), per_page=int_arg(query.get("per_page"), MAX_PAGE)
        )
        with_comments = "comment_events" in query.get("include", "")
        items = [self._event(audit, with_comments) for audit in page.items]
        return self._time_based("ticket_events", "incremental/ticket_events", query, page, items)

    def export_users(self, query: dict[str, str], _body: Json) -> Reply:
        page = self.account.export_users(
            start_time=self._start(query), per_page=int_arg(query.get("per_page"), MAX_PAGE)
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
        per_page = min(int_arg(query.get("per_page"), MAX_PAGE), MAX_PAGE)
        chunk = users[:per_page]
        last = chunk[-1] if chunk else None
        token = base64.b64encode(
            str(last.updated_at * 10**12 + last.id if last else 0).encode()
        ).decode()
        return json_reply(
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
            start_time=self._start(query), per_page=int_arg(query.get("per_page"), MAX_PAGE)
        )
        return self._time_based(
            "organizations",
            "incremental/organizations",
            query,
            page,
            [o.to_json(self.base_url) for o in page.items],
        )
