"""Pacing: stay under Zendesk's limits instead of waiting out 429s.

Two budgets: the account's requests per minute, which Zendesk reports on every
response (`X-Rate-Limit-Remaining` / `ratelimit-remaining`, `ratelimit-reset`),
and the incremental exports' own per-minute bucket, which it does not report:
that one is kept client-side with a fixed spacing between export requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

import structlog

log = structlog.get_logger("zendesk_sla.pacing")


def _number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                return None
    return None


class Pacer:
    def __init__(
        self,
        *,
        incremental_per_minute: int = 10,
        reserve: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.spacing = 60.0 / incremental_per_minute if incremental_per_minute else 0.0
        self.reserve = reserve
        self.sleep = sleep
        self.clock = clock
        self._lock = threading.Lock()
        self._next_export = 0.0
        self.waits = 0
        self.waited_seconds = 0.0

    def before(self, url: str) -> None:
        """Space incremental export requests to their bucket's rate."""
        if not self.spacing or "/incremental/" not in url:
            return
        with self._lock:
            now = self.clock()
            wait = self._next_export - now
            self._next_export = max(now, self._next_export) + self.spacing
        if wait > 0:
            self._wait(wait, "incremental exports per minute")

    def after(self, headers: Mapping[str, str]) -> None:
        """When the account's budget runs low, wait for its window to reset."""
        remaining = _number(headers, "ratelimit-remaining", "X-Rate-Limit-Remaining")
        if remaining is None or remaining > self.reserve:
            return
        reset = _number(headers, "ratelimit-reset") or 60.0
        self._wait(min(max(reset, 1.0), 60.0), f"{remaining:.0f} requests left this minute")

    def _wait(self, seconds: float, cause: str) -> None:
        self.waits += 1
        self.waited_seconds += seconds
        log.info("rate_limit_pacing", seconds=round(seconds, 2), cause=cause)
        self.sleep(seconds)
