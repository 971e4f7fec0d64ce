"""The sandbox's routing layer: replies, the route table, and helpers every resource shares.

Zendesk's JSON envelopes (a list's page, by cursor or by offset up to page 100, an
export page whose items are already encoded), number arguments refused with
Zendesk's 400 body, show_many lookups, and lenient query parsing (zenpy sends
cursors unencoded).
"""

from __future__ import annotations

import base64
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


OFFSET_PAGES = 100  # Zendesk refuses offset pages past 100 (10,000 records) since 2024


def paged(
    key: str, items: list[Json], query: dict[str, str], url: str, *, help_center: bool = False
) -> Reply:
    """One page of a list endpoint as Zendesk pages it: by cursor when the request has
    `page[size]` (`meta.has_more`, `links.next`), else by offset (`page` from 1,
    `per_page` at most 100, `next_page`/`previous_page`, `count`), refused past page 100."""
    if "page[size]" in query:
        return _cursor_page(key, items, query, url)
    per_page = min(max(int_arg(query.get("per_page"), 30 if help_center else 100), 1), 100)
    page = max(int_arg(query.get("page"), 1), 1)
    if page > OFFSET_PAGES:
        # The body of this 400 is not recorded anywhere public (notes, section 7); the
        # status is documented. A client must not depend on the wording.
        raise ApiError(
            400,
            {
                "error": "InvalidPaginationParameter",
                "description": "Offset pagination is limited to the first 100 pages "
                "(10,000 records). Use cursor pagination (page[size]) instead.",
            },
        )
    chunk = items[(page - 1) * per_page : page * per_page]

    def link(number: int) -> str:
        return f"{url}?page={number}&per_page={per_page}"

    more = page * per_page < len(items)
    body: Json = {
        key: chunk,
        "next_page": link(page + 1) if more else None,
        "previous_page": link(page - 1) if page > 1 else None,
        "count": len(items),
    }
    if help_center:  # Help Center's offset lists carry their own keys
        body |= {"page": page, "per_page": per_page, "page_count": -(-len(items) // per_page)}
    return json_reply(200, body)


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"o{position}".encode()).decode().rstrip("=")


def _position(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("o"):
            raise ValueError(raw)
        return int(raw[1:])
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, {"error": "InvalidPaginationParameter", "description": "invalid cursor"}
        ) from None


def _cursor_page(key: str, items: list[Json], query: dict[str, str], url: str) -> Reply:
    size = min(max(int_arg(query.get("page[size]"), 100), 1), 100)
    start = _position(query["page[after]"]) if query.get("page[after]") else 0
    chunk = items[start : start + size]
    more = start + size < len(items)
    after = _cursor(start + len(chunk)) if chunk else None
    before = _cursor(start) if chunk else None
    return json_reply(
        200,
        {
            key: chunk,
            "meta": {"has_more": more, "after_cursor": after, "before_cursor": before},
            "links": {
                "next": f"{url}?page[size]={size}&page[after]={after}" if more else None,
                "prev": f"{url}?page[size]={size}&page[before]={before}" if start else None,
            },
        },
    )


def listing(key: str, items: list[Json]) -> Reply:
    """A show_many answer: one page, with Zendesk's offset-pagination keys."""
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
