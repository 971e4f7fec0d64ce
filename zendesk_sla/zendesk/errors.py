"""Every Zendesk failure is classified here, once, into the kinds the worker acts on.

- `Transient`: transport errors and 5xx; the transport retries them (tenacity, bounded).
- `RateLimited`: a 429 whose Retry-After would exceed the cycle's wait budget.
- `Kind.CONFLICT`: 409 from a safe update (in a job's results); the worker re-reads and re-plans.
- `Rejected`: anything else the API refused (4xx); logged, the ticket is retried next cycle.
- `OutcomeUnknown`: a write whose request may have reached Zendesk but got no answer.
"""

from __future__ import annotations

import re
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


class Stopped(Exception):
    """A wait cut short because the worker was asked to stop (Ctrl-C, SIGTERM): the cycle
    ends where it is, its open transaction rolled back, and the next run resumes."""


class Kind(Enum):
    OK = "ok"
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"
    CONFLICT = "conflict"
    REJECTED = "rejected"


def classify_status(status: int) -> Kind:
    if status < 300:
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


ADDRESS = "check ZENDESK_URL (or ZENDESK_SUBDOMAIN): the account's address, e.g. https://athento.zendesk.com"


def describe(response: requests.Response) -> str:
    status = response.status_code
    if 300 <= status < 400:  # the worker follows no redirect: an address to correct
        where = response.headers.get("Location") or "another address"
        return f"HTTP {status}, redirected to {where}: {ADDRESS}"
    try:
        body = response.json()
    except ValueError:
        body = None
    if body is None and status in (200, 404) and is_web_page(response):
        return f"HTTP {status} with a web page, not Zendesk's API: {ADDRESS}"
    return describe_answer(status, body, response.text)


def is_web_page(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "")
    return "html" in kind or response.text.lstrip()[:1] == "<"


def describe_answer(status: int, body: object, text: str = "") -> str:
    """Zendesk's answer in one line, whichever shape its error takes: `{error,
    description, details}`, `{"error": {title, message}}`, or a body that is not JSON
    (`body` None: its `text`)."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # {"error": {"title": ..., "message": ...}} (403, 400)
            title, message = error.get("title") or "", error.get("message") or ""
            return f"HTTP {status} {title}: {message}".rstrip(": ")
        description = body.get("description") or ""
        details = body.get("details")
        head = f"HTTP {status} {error}" if error else f"HTTP {status}"
        line = f"{head}: {description}".rstrip(": ")
        return f"{line} {details}" if details else line
    if body is None:
        return f"HTTP {status}: {text[:200]}".rstrip(": ")
    return f"HTTP {status}"


REQUEST_LINE = re.compile(r"^(?:GET|PUT|POST|DELETE) \S+: ")


def in_zendesks_words(detail: str) -> str:
    """What Zendesk answered, for an agent: without the job's error code
    (`TicketUpdateFailed: X` -> `X`) or the request a whole refusal names
    (`PUT tickets/update_many: X` -> `X`)."""
    detail = REQUEST_LINE.sub("", detail)
    code, _, words = detail.partition(": ")
    return (words if code and " " not in code and words else detail).strip()[:300]


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
