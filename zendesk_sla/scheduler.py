"""The daemon: APScheduler 3 runs the poll and the sweep; SIGTERM stops after the current page."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from apscheduler.schedulers.blocking import BlockingScheduler

from zendesk_sla.cycle import Worker
from zendesk_sla.ops import CycleHealth, Metrics, OpsServer
from zendesk_sla.summary import Summary

log = structlog.get_logger("zendesk_sla.daemon")


def _guarded(
    lock: threading.Lock,
    name: str,
    run: Callable[[], Summary],
    after: Callable[[Summary], None],
    crashed: Callable[[str], None],
) -> Callable[[], None]:
    def job() -> None:
        with lock:  # poll and sweep share one SQLite connection: never at once
            try:
                after(run())
            except Exception:  # a bug must not stop the daemon; the next run starts afresh
                log.exception("cycle_crashed", kind=name)
                crashed(name)

    return job


def run_daemon(
    worker: Worker,
    poll_seconds: int,
    sweep_seconds: int,
    *,
    metrics_port: int | None = None,
    health_max_age: float = 900,
) -> int:
    scheduler = BlockingScheduler(timezone=UTC)
    lock = threading.Lock()
    metrics = Metrics()
    health = CycleHealth(metrics, worker.store.last_success())
    meter = worker.gateway.session.meter
    crashed = health.crashed

    def after(summary: Summary) -> None:
        metrics.observe(summary, meter, worker.store)
        health.observed(summary, time.time())

    ops = None
    if metrics_port is not None:
        ops = OpsServer(metrics, lambda: health.last_success, health_max_age, port=metrics_port)
        ops.start()
        log.info("ops_listening", port=ops.port, paths=["/metrics", "/healthz"])
    options: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    scheduler.add_job(
        _guarded(lock, "poll", worker.run_cycle, after, crashed),
        "interval",
        seconds=poll_seconds,
        next_run_time=datetime.now(UTC),
        id="poll",
        **options,
    )
    scheduler.add_job(
        _guarded(lock, "sweep", worker.run_sweep, after, crashed),
        "interval",
        seconds=sweep_seconds,
        id="sweep",
        **options,
    )

    def on_signal(signum: int, _frame: object) -> None:
        log.info("stopping", signal=signal.Signals(signum).name)
        worker.stop.set()  # the running cycle ends after the page it is on
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("daemon_started", poll_seconds=poll_seconds, sweep_seconds=sweep_seconds)
    scheduler.start()
    if ops is not None:
        ops.stop()
    log.info("daemon_stopped")
    return 0
