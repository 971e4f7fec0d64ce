"""Progress on long work: a bar (tqdm) with count, rate and ETA on a terminal; off a
terminal, one structured log line every `every` seconds, so a log shows the work moving."""

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
        self.started = self.last_log = clock()
        self.done = 0
        on_terminal = sys.stderr.isatty() if terminal is None else terminal
        self.bar: Any = (
            tqdm(total=total, desc=what, unit=f" {unit}", file=sys.stderr, dynamic_ncols=True)
            if on_terminal
            else None
        )

    def update(self, done: int, *, total: int | None = None, phase: str | None = None) -> None:
        """The work done so far (absolute), and what is being done now."""
        if total is not None:
            self.total = total
        if self.bar is not None:
            if total is not None:
                self.bar.total = total
            if phase:
                self.bar.set_description(f"{self.what}: {phase}")
            self.bar.update(max(done - self.done, 0))
        self.done = max(done, self.done)
        now = self.clock()
        if self.bar is None and now - self.last_log >= self.every:
            self.last_log = now
            rate = self.done / max(now - self.started, 1e-6)
            eta = (self.total - self.done) / rate if self.total and rate > 0 else None
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


def cycle_progress(progress: Progress) -> Callable[[Summary, int], None]:
    """A worker's `on_progress`: tickets read from the export, then tickets decided."""

    def update(summary: Summary, _position: int) -> None:
        if summary.evaluated:
            progress.update(summary.evaluated, total=max(summary.tickets_seen, 1), phase="deciding")
        else:
            progress.update(summary.tickets_seen, phase="reading")

    return update
