"""Whether the daemon is ready and alive, as /healthz, its probes and the gauges tell it.

Ready (startup and readiness probes): a poll succeeded, or a page was recorded, within
`max_age`: a first sync of a large account is progressing, not failing. A sweep alone
is no sign of life (it reads no export). A standby replica is ready: waiting for the
lock is its work. Live (liveness probe): the process and its scheduler run, and a
cycle ran to its end (even one Zendesk answered with an error: restarting fixes no
Zendesk outage) within `live_limit` seconds; cycles that crash for longer, as when the
state's database cannot be reached, fail it so the orchestrator restarts the worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from zendesk_sla.ops.metrics import Metrics
from zendesk_sla.sync.summary import Summary


class CycleHealth:
    """What /healthz and the metrics learn from each cycle."""

    def __init__(
        self,
        metrics: Metrics,
        last_success: float | None,
        progress: Callable[[], float | None] = lambda: None,
        *,
        live_limit: float | None = None,
        started: float | None = None,
    ) -> None:
        self.metrics = metrics
        self.last_success = last_success
        self.progress = progress
        self.live_limit = live_limit
        self.last_error: tuple[float, str] | None = None
        self.degraded: list[str] = []
        self.standby = False
        self.running: Callable[[], bool] = lambda: True  # the scheduler, once there is one
        self.last_worked = time.time() if started is None else started
        metrics.last_success.set_function(lambda: self.last_success or 0.0)
        metrics.last_alive.set_function(lambda: self.last_alive() or 0.0)
        metrics.active.set_function(lambda: 0.0 if self.standby else 1.0)

    def waiting(self, standby: bool, now: float | None = None) -> None:
        """In standby (another replica writes) or, on False, active from `now` on."""
        self.standby = standby
        if not standby:
            self.last_worked = time.time() if now is None else now

    def observed(self, summary: Summary, now: float) -> None:
        self.degraded = list(summary.degraded)
        self.last_worked = now
        if summary.kind == "poll" and summary.error is None and not summary.interrupted:
            self.last_success = now
        if summary.error:
            self.last_error = (now, summary.error[:300])

    def crashed(self, kind: str, error: str = "crashed") -> None:
        self.metrics.cycle_errors.labels(kind).inc()
        self.last_error = (time.time(), f"{kind}: {error}"[:300])

    def last_alive(self) -> float | None:
        moments = [t for t in (self.last_success, self.progress()) if t is not None]
        return max(moments, default=None)

    def live(self, now: float) -> bool:
        if not self.running():
            return False
        if self.standby or self.live_limit is None:
            return True
        worked = max(self.last_worked, self.progress() or 0.0)
        return now - worked <= self.live_limit

    def report(self, now: float, max_age: float) -> tuple[bool, bool, dict[str, Any]]:
        """(ready, live, the JSON body /healthz answers with)."""

        def age(moment: float | None) -> float | None:
            return None if moment is None else round(now - moment, 1)

        live = self.live(now)
        ready = self.standby or healthy(self.last_alive(), max_age, now)
        if self.standby:
            status = "standby"
        else:
            status = ("ready" if ready else "not ready") + (", degraded" if self.degraded else "")
        body = {
            "ready": ready,
            "live": live,
            "standby": self.standby,
            "last_successful_poll_seconds_ago": age(self.last_success),
            "last_progress_seconds_ago": age(self.progress()),
            "last_cycle_ended_seconds_ago": age(self.last_worked),
            "last_error": None
            if self.last_error is None
            else {"seconds_ago": age(self.last_error[0]), "error": self.last_error[1]},
            "max_age_seconds": max_age,
            "live_limit_seconds": self.live_limit,
            "status": status,
            "degraded": self.degraded,
        }
        return ready, live, body


def healthy(last_success: float | None, max_age: float, now: float) -> bool:
    return last_success is not None and now - last_success <= max_age
