"""The worker's Prometheus metrics: what the last cycles did, read by the alerts and dashboard.

Every metric an alert rule or a dashboard panel names is defined here (a test reads
both files against `/metrics`); `ops.health` keeps the readiness and liveness.
"""

from __future__ import annotations

import time

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
        self.last_alive = Gauge(
            "zendesk_sla_last_alive_timestamp_seconds",
            "The later of the last successful poll and the last page recorded: moves during "
            "a long first sync or backfill, when no poll has finished yet",
            registry=r,
        )
        self.active = Gauge(
            "zendesk_sla_active",
            "1: this replica holds the worker lock and runs cycles; 0: it waits in standby",
            registry=r,
        )
        self.reload_refused = Gauge(
            "zendesk_sla_config_reload_refused",
            "1: the contract file on disk was refused at its last change and the worker runs "
            "on the previous one (the log's config_reload_refused line says why)",
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
