"""The account's incremental exports: the cursor ticket export, and time-based pages.

A mixin of `Account`. Cursors are Zendesk's base64 `<gts>.0||<id>|`; items
changed in the last minute are left out, as Zendesk does.
"""

from __future__ import annotations

import base64
import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from zendesk_sla.sandbox.errors import ApiError
from zendesk_sla.sandbox.model import Audit, Ticket
from zendesk_sla.sandbox.records import Organization, User

EXPORT_DELAY = 60  # Zendesk leaves out items changed in the last minute
MAX_PAGE = 1000


def encode_cursor(gts: int, ticket_id: int) -> str:
    # Real cursors are base64 of "<generated_timestamp>.0||<id>|", '=' padded.
    return base64.b64encode(f"{gts}.0||{ticket_id}|".encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, int]:
    # zenpy sends the cursor raw: '+' may arrive as a space and '=' unescaped.
    text = cursor.replace(" ", "+")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4)).decode()
        stamp, _, rest = raw.partition("||")
        return int(float(stamp)), int(rest.strip("|"))
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, {"error": "InvalidPaginationParameter", "description": "Invalid cursor"}
        ) from None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    end_of_stream: bool
    cursor: str | None = None
    end_time: int | None = None


class Exports:
    """Needs of the mixin, provided by `Account`."""

    tickets: dict[int, Ticket]
    users: dict[int, User]
    organizations: dict[int, Organization]
    audits: list[Audit]
    _audit_times: list[int]
    _order: list[tuple[int, int]]

    def now(self) -> int:
        raise NotImplementedError

    def export_tickets(
        self, *, start_time: int | None, cursor: str | None, per_page: int, exclude_deleted: bool
    ) -> Page:
        now = self.now()
        if cursor is not None:
            position = bisect.bisect_right(self._order, decode_cursor(cursor))
        else:
            assert start_time is not None
            if start_time > now - EXPORT_DELAY:
                raise ApiError(
                    400,
                    {
                        "error": "InvalidValue",
                        "description": "Too recent start_time. Use a start_time at least "
                        "one minute in the past",
                    },
                )
            position = bisect.bisect_left(self._order, (start_time, 0))
        limit = min(max(per_page, 1), MAX_PAGE)
        horizon = now - EXPORT_DELAY
        items: list[Ticket] = []
        last: tuple[int, int] | None = None
        index = position
        while index < len(self._order) and len(items) < limit:
            key = self._order[index]
            if key[0] > horizon:
                break
            index += 1
            ticket = self.tickets[key[1]]
            if ticket.generated_timestamp != key[0]:
                continue  # an entry left behind by a later update
            last = key
            if not (exclude_deleted and ticket.status == "deleted"):
                items.append(ticket)
        while index < len(self._order) and self._is_stale(self._order[index]):
            index += 1
        more = index < len(self._order) and self._order[index][0] <= horizon
        if last is None:
            last = decode_cursor(cursor) if cursor is not None else (start_time or 0, 0)
            if cursor is None:
                last = (max((start_time or 0) - 1, 0), 0)
        return Page(items, end_of_stream=not more, cursor=encode_cursor(*last))

    def _is_stale(self, key: tuple[int, int]) -> bool:
        return self.tickets[key[1]].generated_timestamp != key[0]

    def export_events(self, *, start_time: int, per_page: int) -> Page:
        return time_page(self._audit_times, self.audits, start_time, per_page, self.now())

    def export_users(self, *, start_time: int, per_page: int) -> Page:
        keyed = sorted((u.updated_at, u.id, u) for u in self.users.values())
        return time_page(
            [k[0] for k in keyed], [k[2] for k in keyed], start_time, per_page, self.now()
        )

    def export_organizations(self, *, start_time: int, per_page: int) -> Page:
        keyed = sorted((o.updated_at, o.id, o) for o in self.organizations.values())
        return time_page(
            [k[0] for k in keyed], [k[2] for k in keyed], start_time, per_page, self.now()
        )


def time_page(
    keys: Sequence[int], items: Sequence[Any], start_time: int, per_page: int, now: int
) -> Page:
    """Time-based export: never splits a timestamp; next start_time is the last one seen."""
    horizon = now - EXPORT_DELAY
    start = bisect.bisect_left(keys, start_time)
    stop = bisect.bisect_right(keys, horizon)
    limit = min(max(per_page, 1), MAX_PAGE)
    end = min(start + limit, stop)
    if end < stop and end > start:
        last = keys[end - 1]
        end = bisect.bisect_right(keys, last, lo=end, hi=stop)
    end_time = keys[end - 1] if end > start else start_time
    return Page(list(items[start:end]), end_of_stream=end >= stop, end_time=end_time)
