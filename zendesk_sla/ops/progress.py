"""Progress on long work: a bar (tqdm) with count, rate and ETA on a terminal; off a
terminal, one structured log line at once and then every `every` seconds, so a log
shows the work moving. While the export is read, the ETA comes from how far its
position has moved through the range (from the first page on)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import structlog
from tqdm import tqdm

from zendesk_sla.sync.summary import Summary

log = structlog.get_logger("zendesk_sla.ops.progress")


class Progress:
    def __init__(
        self,
        what: str,
        *,
        total: int | None = None,
        unit: str = "tickets",
        every: float = 10.0,
        terminal: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what, self.total, self.unit, self.every, self.clock = what, total, unit, every, clock
        self.started = clock()
        self.last_log = float("-inf")  # the first update is said at once
        self.done = 0
        on_terminal = sys.stderr.isatty() if terminal is None else terminal
        self.bar: Any = (
            tqdm(total=total, desc=what, unit=f" {unit}", file=sys.stderr, dynamic_ncols=True)
            if on_terminal
            else None
        )

    def update(
        self,
        done: int,
        *,
        total: int | None = None,
        phase: str | None = None,
        eta: float | None = None,
    ) -> None:
        """The work done so far (absolute), and what is being done now; `eta`, seconds
        left, when the caller knows better than the count (no total yet)."""
        if total is not None:
            self.total = total
        if self.bar is not None:
            if total is not None:
                self.bar.total = total
            if phase:
                self.bar.set_description(f"{self.what}: {phase}")
            if eta is not None and self.total is None:
                self.bar.set_postfix_str(f"about {_minutes(eta)} left", refresh=False)
            self.bar.update(max(done - self.done, 0))
        self.done = max(done, self.done)
        now = self.clock()
        if self.bar is None and now - self.last_log >= self.every:
            self.last_log = now
            rate = self.done / max(now - self.started, 1e-6)
            if self.total and rate > 0:
                eta = (self.total - self.done) / rate
            log.info(
                "progress",
                work=self.what,
                phase=phase,
                done=self.done,
                total=self.total,
                per_second=round(rate, 1),
                eta_seconds=None if eta is None else round(eta),
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def cycle_progress(
    progress: Progress, wall: Callable[[], float] = time.time
) -> Callable[[Summary, int, int], None]:
    """A worker's `on_progress(summary, position, start)`: tickets read from the export
    (`position`, the newest change read, moving from `start` towards now), then decided."""
    first: list[tuple[float, int]] = []  # (progress clock, position) at the first page

    def update(summary: Summary, position: int, start: int) -> None:
        if summary.evaluated:
            progress.update(summary.evaluated, total=max(summary.tickets_seen, 1), phase="deciding")
            return
        eta = None
        if position and start:
            now, end = progress.clock(), wall()
            if not first:
                first.append((now, position))
                since, origin = progress.started, start  # the first page: from the range's start
            else:
                since, origin = first[0]
            covered, elapsed = position - origin, now - since
            if covered > 0 and elapsed > 0:
                eta = max(end - position, 0) * elapsed / covered
        progress.update(summary.tickets_seen, phase="reading", eta=eta)

    return update
