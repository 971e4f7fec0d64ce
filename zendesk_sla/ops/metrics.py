"""The worker's Prometheus metrics and its health: what the last cycles did and whether it is ready.

Readiness holds while a cycle succeeded within `max_age` seconds, so an orchestrator
restarts a worker that is stuck or failing; `ops.http` serves both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

from zendesk_sla.model.attach import ModelStatus
from zendesk_sla.store import StateStore
from zendesk_sla.sync.summary import Summary
from zendesk_sla.zendesk.transport import Meter


class Metrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        # The process's own CPU, memory, open files and start time; the Python runtime's.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        r = self.registry
        self.evaluated = Counter(
            "zendesk_sla_tickets_evaluated", "Tickets evaluated", ["kind"], registry=r
        )
        self.writes = Counter(
            "zendesk_sla_writes", "Ticket writes by outcome", ["result"], registry=r
        )
        self.notes = Counter("zendesk_sla_notes_posted", "Notes and notices posted", registry=r)
        self.rejected = Counter(
            "zendesk_sla_records_rejected",
            "Records from Zendesk skipped because they could not be read",
            registry=r,
        )
        self.requests = Counter(
            "zendesk_sla_api_requests", "Zendesk API requests", ["endpoint"], registry=r
        )
        self.waits = Counter("zendesk_sla_rate_limit_waits", "429 responses waited out", registry=r)
        self.wait_seconds = Counter(
            "zendesk_sla_rate_limit_wait_seconds", "Seconds spent on Retry-After", registry=r
        )
        self.cycle_seconds = Histogram(
            "zendesk_sla_cycle_duration_seconds",
            "Cycle duration",
            ["kind"],
            registry=r,
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
        )
        self.cycle_errors = Counter(
            "zendesk_sla_cycle_errors", "Cycles that failed", ["kind"], registry=r
        )
        self.last_success = Gauge(
            "zendesk_sla_last_success_timestamp_seconds",
            "End of the last successful cycle",
            registry=r,
        )
        self.cursor_lag = Gauge(
            "zendesk_sla_cursor_lag_seconds",
            "Age of the newest ticket change processed",
            registry=r,
        )
        self.clock_states = Gauge(
            "zendesk_sla_tickets",
            "Live tickets by plan, severity and SLA state",
            ["plan", "severity", "state"],
            registry=r,
        )
        self.model_unusable = Gauge(
            "zendesk_sla_severity_model_unusable",
            "1: the contract names a severity model that cannot be read, and the phrase rules "
            "decide alone (the log says why); 0: the model reads, or none is named",
            registry=r,
        )
        self.degraded = Gauge(
            "zendesk_sla_degraded",
            "Things that work less than they should after the last cycle (a failing "
            "directory read, a whole write request Zendesk refused); the log and /healthz "
            "say which",
            registry=r,
        )
        self._requests_seen: dict[str, int] = {}
        self._waits_seen = (0, 0.0)

    def model(self, status: ModelStatus | None) -> None:
        self.model_unusable.set(1 if status is not None and status.problem is not None else 0)

    def observe(self, summary: Summary, meter: Meter | None, store: StateStore) -> None:
        self.evaluated.labels(summary.kind).inc(summary.evaluated)
        for result in ("written", "conflicts", "failed", "unknown", "handed_off"):
            self.writes.labels(result).inc(getattr(summary, result))
        self.writes.labels("request_refused").inc(summary.refused_requests)
        self.degraded.set(len(summary.degraded))
        self.notes.inc(summary.notes)
        self.rejected.inc(summary.skipped_bad)
        self.cycle_seconds.labels(summary.kind).observe(summary.seconds)
        if summary.error:
            self.cycle_errors.labels(summary.kind).inc()
        elif summary.kind == "poll" and not summary.interrupted:  # sweeps read no export
            self.last_success.set(time.time())
        if meter is not None:
            for endpoint, count in dict(meter.requests).items():
                self.requests.labels(endpoint).inc(count - self._requests_seen.get(endpoint, 0))
                self._requests_seen[endpoint] = count
            waits, seconds = meter.rate_limit_waits, meter.rate_limit_seconds
            self.waits.inc(waits - self._waits_seen[0])
            self.wait_seconds.inc(seconds - self._waits_seen[1])
            self._waits_seen = (waits, seconds)
        newest = store.db.execute("SELECT max(generated_timestamp) FROM tickets").fetchone()[0]
        if newest:
            self.cursor_lag.set(max(time.time() - newest, 0))
        self.clock_states.clear()
        for plan, severity, state, count in store.db.execute(
            "SELECT a.plan, a.severity, "
            "CASE WHEN a.response_state = 'breached' OR a.resolution_state = 'breached' "
            "THEN 'breached' WHEN a.response_state = 'at_risk' OR a.resolution_state = 'at_risk' "
            "THEN 'at_risk' ELSE 'ok' END, count(*) FROM applied a JOIN tickets t "
            "ON t.id = a.ticket_id WHERE a.eligible = 1 AND t.status NOT IN "
            "('solved', 'closed', 'deleted') GROUP BY 1, 2, 3"
        ):
            self.clock_states.labels(plan or "-", severity or "-", state).set(count)


class CycleHealth:
    """What /healthz and the metrics learn from each cycle.

    Ready (startup and readiness probes): a poll succeeded, or a page was recorded, within
    the allowed age: a first sync of a large account is progressing, not failing. A sweep
    alone is no sign of life (it reads no export). Live (liveness probe): the process and
    its scheduler run; a Zendesk outage is not a reason to restart the pod.
    """

    def __init__(
        self,
        metrics: Metrics,
        last_success: float | None,
        progress: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.metrics = metrics
        self.last_success = last_success
        self.progress = progress
        self.last_error: tuple[float, str] | None = None
        self.degraded: list[str] = []

    def observed(self, summary: Summary, now: float) -> None:
        self.degraded = list(summary.degraded)
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

    def report(self, now: float, max_age: float, live: bool) -> tuple[bool, dict[str, Any]]:
        def age(moment: float | None) -> float | None:
            return None if moment is None else round(now - moment, 1)

        ready = healthy(self.last_alive(), max_age, now)
        body = {
            "ready": ready,
            "live": live,
            "last_successful_poll_seconds_ago": age(self.last_success),
            "last_progress_seconds_ago": age(self.progress()),
            "last_error": None
            if self.last_error is None
            else {"seconds_ago": age(self.last_error[0]), "error": self.last_error[1]},
            "max_age_seconds": max_age,
            "status": ("ready" if ready else "not ready") + (", degraded" if self.degraded else ""),
            "degraded": self.degraded,
        }
        return ready, body


def healthy(last_success: float | None, max_age: float, now: float) -> bool:
    return last_success is not None and now - last_success <= max_age
