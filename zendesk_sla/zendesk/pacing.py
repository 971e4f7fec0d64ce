"""Pacing: stay under Zendesk's limits instead of waiting out 429s.

Two budgets: the account's requests per minute, which Zendesk reports on every
response under one of three spellings (`ratelimit-*` since 2024-02, `rate-limit-*`
before, `x-rate-limit-*` always; Help Center answers carry only the last, with no
reset: then the pacer waits a whole minute),
and the incremental exports' own per-minute bucket, which it does not report:
that one is kept client-side as a sliding window (never more than the limit in
any 60 seconds), which both a fixed and a sliding server window accept, and
which still lets the first ten requests go at once.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

import structlog

WINDOW = 60.5  # seconds: Zendesk's minute, and a margin

log = structlog.get_logger("zendesk_sla.pacing")


LIMIT = ("ratelimit-limit", "rate-limit", "x-rate-limit")
REMAINING = ("ratelimit-remaining", "rate-limit-remaining", "x-rate-limit-remaining")
RESET = ("ratelimit-reset", "rate-limit-reset", "x-rate-limit-reset")


def header_number(headers: Mapping[str, str], names: tuple[str, ...]) -> float | None:
    """The first of these headers (any case) that holds a number."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in names:
        try:
            return float(lowered[name])
        except (KeyError, ValueError):
            continue
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
        self.per_minute = incremental_per_minute
        self.reserve = reserve
        self.sleep = sleep
        self.clock = clock
        self._lock = threading.Lock()
        self._exports: deque[float] = deque()  # when the last `per_minute` exports went
        self.waits = 0
        self.waited_seconds = 0.0

    def before(self, url: str) -> None:
        """Keep incremental export requests to their bucket: at most `per_minute` in any
        60 seconds (with a half-second margin for the clocks' difference)."""
        if not self.per_minute or "/incremental/" not in url:
            return
        with self._lock:
            now = self.clock()
            wait = 0.0
            if len(self._exports) >= self.per_minute:
                wait = self._exports[0] + WINDOW - now
            self._exports.append(max(now, now + wait))
            while len(self._exports) > self.per_minute:
                self._exports.popleft()
        if wait > 0:
            self._wait(wait, "incremental exports per minute")

    def after(self, headers: Mapping[str, str]) -> None:
        """When the account's budget runs low, wait for its window to reset."""
        remaining = header_number(headers, REMAINING)
        if remaining is None or remaining > self.reserve:
            return
        reset = header_number(headers, RESET) or 60.0
        self._wait(min(max(reset, 1.0), 60.0), f"{remaining:.0f} requests left this minute")

    def _wait(self, seconds: float, cause: str) -> None:
        self.waits += 1
        self.waited_seconds += seconds
        log.info("rate_limit_pacing", seconds=round(seconds, 2), cause=cause)
        self.sleep(seconds)
