"""Operations: Prometheus metrics of the worker and an HTTP endpoint with /metrics and /healthz.

/healthz answers 200 while a cycle succeeded within `max_age` seconds, 503
otherwise, so an orchestrator restarts a worker that is stuck or failing.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from zendesk_sla.store import StateStore
from zendesk_sla.summary import Summary
from zendesk_sla.zendesk.transport import Meter

# A page the ops server serves: the query's parameters -> (status, content type, body).
Page = Callable[[dict[str, str]], tuple[int, str, bytes]]


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
        self._requests_seen: dict[str, int] = {}
        self._waits_seen = (0, 0.0)

    def observe(self, summary: Summary, meter: Meter | None, store: StateStore) -> None:
        self.evaluated.labels(summary.kind).inc(summary.evaluated)
        for result in ("written", "conflicts", "failed", "unknown", "handed_off"):
            self.writes.labels(result).inc(getattr(summary, result))
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

    def observed(self, summary: Summary, now: float) -> None:
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
        }
        return ready, body


def healthy(last_success: float | None, max_age: float, now: float) -> bool:
    return last_success is not None and now - last_success <= max_age


class OpsServer:
    """Serves /metrics, /healthz and the `pages` given (the daemon's /report) on a thread.

    `/healthz` (also `/healthz/ready`): 200 while ready, else 503, with a JSON body saying
    why; `/healthz/live`: 200 while the process and its scheduler run.
    """

    def __init__(
        self,
        metrics: Metrics,
        health: CycleHealth,
        max_age: float,
        host: str = "127.0.0.1",
        port: int = 9108,
        alive: Callable[[], bool] = lambda: True,
        pages: Mapping[str, Page] | None = None,
    ) -> None:
        served = dict(pages or {})

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                kind = "application/json"
                url = urlsplit(self.path)
                if url.path in served:
                    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                    status, kind, body = served[url.path](query)
                elif self.path == "/metrics":
                    body, kind, status = generate_latest(metrics.registry), CONTENT_TYPE_LATEST, 200
                elif self.path in ("/healthz", "/healthz/ready", "/healthz/live"):
                    live = alive()
                    ready, report = health.report(time.time(), max_age, live)
                    ok = live if self.path == "/healthz/live" else ready and live
                    body, status = (json.dumps(report) + "\n").encode(), 200 if ok else 503
                else:
                    body, kind, status = b"not found\n", "text/plain", 404
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.2,), daemon=True)

    def start(self) -> OpsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
