"""The HTTP session zenpy runs on: one retry layer per failure kind, and request metering.

zenpy's own 429 loop sleeps with no cycle-level bound, so 429s are handled
here and never reach it: Retry-After is honoured while the cycle's wait budget
lasts, then `RateLimited` ends the cycle (the next one resumes from the saved
cursor). Transport errors and 5xx are retried with tenacity, a bounded number
of times; a write is resent only when it certainly never reached Zendesk.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import requests
import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from zendesk_sla.zendesk.errors import (
    Kind,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Transient,
    classify_status,
    describe,
    never_sent,
    retry_after,
)
from zendesk_sla.zendesk.pacing import Pacer

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = structlog.get_logger("zendesk_sla.transport")


def plain(exc: requests.RequestException) -> str:
    """A connection failure in words, not urllib3's nested reprs."""
    text = str(exc)
    for needle, words in (
        ("Connection refused", "connection refused (is Zendesk, or the sandbox, reachable?)"),
        ("Name or service not known", "the host name does not resolve (check ZENDESK_SUBDOMAIN)"),
        ("nodename nor servname", "the host name does not resolve (check ZENDESK_SUBDOMAIN)"),
        ("timed out", "no answer in time (ZENDESK_TIMEOUT_SECONDS)"),
        ("RemoteDisconnected", "the server closed the connection without answering"),
        ("Connection reset", "the connection was reset"),
        ("mismatch", "the server's TLS certificate is for another host name (check ZENDESK_URL)"),
        ("doesn't match", "the server's TLS certificate is for another host name"),
        ("CERTIFICATE_VERIFY_FAILED", "the server's TLS certificate is not trusted"),
        ("WRONG_VERSION_NUMBER", "the server does not speak HTTPS there (http:// in ZENDESK_URL?)"),
        ("SSL", "the TLS handshake failed (check ZENDESK_URL's scheme and port)"),
    ):
        if needle in text:
            return words
    return type(exc).__name__


class Meter:
    """Counts requests by endpoint, 429 waits and retries (for logs, demo and benchmarks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # export pages are read ahead on another thread
        self.requests: Counter[str] = Counter()
        self.rate_limit_waits = 0
        self.rate_limit_seconds = 0.0
        self.retries = 0

    def total(self) -> int:
        return sum(self.requests.values())

    def record(self, method: str, url: str) -> None:
        path = urlparse(url).path.removesuffix(".json")
        parts = ["{id}" if p.isdigit() or p.startswith("V3-") else p for p in path.split("/")]
        with self._lock:
            self.requests[f"{method} {'/'.join(parts)}"] += 1


class ZendeskSession(requests.Session):
    def __init__(
        self,
        *,
        wait_budget_seconds: float = 300.0,
        attempts: int = 4,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
        pacer: Pacer | None = None,
    ) -> None:
        super().__init__()
        self.pacer = pacer or Pacer(incremental_per_minute=0, reserve=-1, sleep=sleep)
        self.wait_budget_seconds = wait_budget_seconds
        self.remaining_wait = wait_budget_seconds
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.default_timeout = timeout
        self.meter = Meter()

    def new_cycle(self) -> None:
        """Each poll cycle gets a fresh Retry-After budget."""
        self.remaining_wait = self.wait_budget_seconds

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        verb = method.decode() if isinstance(method, bytes) else method
        target = url.decode() if isinstance(url, bytes) else url
        kwargs.setdefault("timeout", self.default_timeout)
        kwargs["allow_redirects"] = False  # a redirect is a wrong address: said, not followed
        retrying = Retrying(
            retry=retry_if_exception_type(Transient),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff_seconds, max=10),
            sleep=self.sleep,
            reraise=True,
            before_sleep=self._count_retry,
        )
        response: requests.Response = retrying(self._send, verb, target, args, kwargs)
        return response

    def _count_retry(self, state: RetryCallState) -> None:
        self.meter.retries += 1
        error = state.outcome.exception() if state.outcome is not None else None
        log.info(
            "request_retried",
            attempt=state.attempt_number,
            wait_seconds=round(state.next_action.sleep, 2) if state.next_action else None,
            reason=str(error)[:200],
        )

    def _send(
        self, method: str, url: str, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> requests.Response:
        safe = method.upper() in SAFE_METHODS
        while True:
            self.pacer.before(url)
            self.meter.record(method.upper(), url)
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.RequestException as exc:
                where = f"{method} {urlparse(url).netloc}{urlparse(url).path}"
                if safe or never_sent(exc):
                    raise Transient(f"{where}: {plain(exc)}") from exc
                raise OutcomeUnknown(f"{where}: no answer ({plain(exc)})") from exc
            if response.is_redirect or 300 <= response.status_code < 400:
                raise Rejected(f"{method} {urlparse(url).path}: {describe(response)}")
            kind = classify_status(response.status_code)
            if kind is Kind.RATE_LIMITED:
                self._wait(response, url)
                continue
            self.pacer.after(response.headers)
            if kind is Kind.TRANSIENT and (safe or response.status_code == 503):
                raise Transient(f"{method} {url}: HTTP {response.status_code}")
            return response

    def _wait(self, response: requests.Response, url: str) -> None:
        seconds = retry_after(response)
        if seconds is None:
            seconds = 1.0
        if seconds > self.remaining_wait:
            raise RateLimited(
                f"rate limited on {url}: Retry-After {seconds:.0f}s exceeds the "
                f"{self.remaining_wait:.0f}s left of this cycle's wait budget"
            )
        self.remaining_wait -= seconds
        self.meter.rate_limit_waits += 1
        self.meter.rate_limit_seconds += seconds
        log.warning(
            "rate_limited_wait",
            seconds=round(seconds, 1),
            url=urlparse(url).path,
            budget_left=round(self.remaining_wait, 1),
        )
        self.sleep(seconds)
