"""Every Zendesk failure is classified here, once, into the kinds the worker acts on.

- `Transient`: transport errors and 5xx; the transport retries them (tenacity, bounded).
- `RateLimited`: a 429 whose Retry-After would exceed the cycle's wait budget.
- `Kind.CONFLICT`: 409 from a safe update (in a job's results); the worker re-reads and re-plans.
- `Rejected`: anything else the API refused (4xx); logged, the ticket is retried next cycle.
- `OutcomeUnknown`: a write whose request may have reached Zendesk but got no answer.
"""

from __future__ import annotations

from enum import Enum

import requests


class ZendeskError(Exception):
    """Base of the worker's Zendesk failures."""


class Transient(ZendeskError):
    pass


class RateLimited(ZendeskError):
    pass


class Rejected(ZendeskError):
    pass


class OutcomeUnknown(ZendeskError):
    pass


class Kind(Enum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    CONFLICT = "conflict"
    REJECTED = "rejected"


def classify_status(status: int) -> Kind:
    if status < 400:
        return Kind.OK
    if status == 429:
        return Kind.RATE_LIMITED
    if status == 409:
        return Kind.CONFLICT
    if status >= 500:
        return Kind.TRANSIENT
    return Kind.REJECTED


def retry_after(response: requests.Response) -> float | None:
    """Seconds from a 429's Retry-After; None when absent or unreadable."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach Zendesk (safe to resend a write)."""
    return isinstance(exc, requests.ConnectTimeout) or (
        isinstance(exc, requests.ConnectionError)
        and "NewConnectionError" in repr(exc.args[0] if exc.args else exc)
    )


def describe(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # {"error": {"title": ..., "message": ...}} (403, 400)
            title, message = error.get("title") or "", error.get("message") or ""
            return f"HTTP {response.status_code} {title}: {message}".rstrip(": ")
        description = body.get("description") or ""
        details = body.get("details")
        text = f"HTTP {response.status_code} {error}: {description}".rstrip(": ")
        return f"{text} {details}" if details else text
    return f"HTTP {response.status_code}"


def validation_messages(response: requests.Response) -> str:
    """What Zendesk said about a refused record, in its own words ("Motivo: is required
    when solving a ticket"), else the usual one-line description."""
    try:
        body = response.json()
    except ValueError:
        return describe(response)
    details = body.get("details") if isinstance(body, dict) else None
    if isinstance(details, dict):
        messages = [
            str(item.get("description"))
            for items in details.values()
            if isinstance(items, list)
            for item in items
            if isinstance(item, dict) and item.get("description")
        ]
        if messages:
            return "; ".join(messages)
    return describe(response)
