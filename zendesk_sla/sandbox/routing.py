"""The sandbox's routing layer: replies, the route table, and helpers every resource shares.

Zendesk's JSON envelopes (a list's one page with offset-pagination keys, an
export page whose items are already encoded), number arguments refused with
Zendesk's 400 body, show_many lookups, and lenient query parsing (zenpy sends
cursors unencoded).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.errors import ApiError
from zendesk_sla.sandbox.model import Json

Route = tuple[str, re.Pattern[str], Callable[..., "Reply"]]


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class Routes:
    """Base of the resource mixins: the account they serve and the table they add to."""

    account: Account
    base_url: str
    routes: list[Route]

    def _route(self, method: str, pattern: str, handler: Callable[..., Reply]) -> None:
        self.routes.append((method, re.compile(rf"^/api/v2/{pattern}(?:\.json)?$"), handler))


def json_reply(status: int, body: Json) -> Reply:
    return Reply(status, json.dumps(body).encode())


def paged(key: str, items: list[Json], query: dict[str, str], url: str) -> Reply:
    """One page of a list endpoint with Zendesk's offset pagination: `page` (from 1) and
    `per_page` (at most 100), `next_page`/`previous_page` as full URLs, `count` of all."""
    per_page = min(max(int_arg(query.get("per_page"), 100), 1), 100)
    page = max(int_arg(query.get("page"), 1), 1)
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(number: int) -> str:
        return f"{url}?page={number}&per_page={per_page}"

    more = page * per_page < len(items)
    return json_reply(
        200,
        {
            key: chunk,
            "next_page": link(page + 1) if more else None,
            "previous_page": link(page - 1) if page > 1 else None,
            "count": len(items),
        },
    )


def listing(key: str, items: list[Json]) -> Reply:
    """A list endpoint's one and only page, with Zendesk's offset-pagination keys."""
    return json_reply(
        200, {key: items, "next_page": None, "previous_page": None, "count": len(items)}
    )


def page_reply(key: str, items: list[bytes], rest: Json) -> Reply:
    """A 200 page whose items are already encoded (the sandbox caches them)."""
    tail = json.dumps(rest).encode()
    body = b'{"' + key.encode() + b'":[' + b",".join(items) + b"]," + tail[1:]
    return Reply(200, body)


def int_arg(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        raise ApiError(
            400, {"error": "InvalidValue", "description": f"{value!r} is not a number"}
        ) from None


def found(records: Mapping[int, Any], query: dict[str, str], base: str) -> list[Json]:
    """show_many: the records named in `ids` that exist, as JSON (missing ones are left out)."""
    return [records[i].to_json(base) for i in ids_arg(query) if i in records]


def ids_arg(query: dict[str, str]) -> list[int]:
    return [int_arg(i, 0) for i in query.get("ids", "").split(",") if i]


def parse_query(raw: str) -> dict[str, str]:
    """Lenient: zenpy sends values unencoded (a cursor's '=' and '+' arrive raw)."""
    out: dict[str, str] = {}
    for part in raw.split("&"):
        if part:
            key, _, value = part.partition("=")
            out[unquote(key)] = unquote(value)
    return out
