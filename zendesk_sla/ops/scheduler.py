"""The daemon: APScheduler 3 runs the poll, the transitions at the exact moment they fall
due, and a slow safety sweep; SIGTERM stops after the current page."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from zendesk_sla.ops.http import OpsServer, Page
from zendesk_sla.ops.metrics import CycleHealth, Metrics
from zendesk_sla.ops.progress import Progress, cycle_progress
from zendesk_sla.sync.cycles import Worker
from zendesk_sla.sync.summary import Summary

log = structlog.get_logger("zendesk_sla.daemon")


def _guarded(
    lock: threading.Lock,
    name: str,
    run: Callable[[], Summary],
    after: Callable[[Summary], None],
    crashed: Callable[[str, str], None],
    before: Callable[[], None] = lambda: None,
) -> Callable[[], None]:
    def job() -> None:
        with lock:  # poll and sweep share one SQLite connection: never at once
            try:
                before()
                after(run())
            except Exception as exc:  # a bug must not stop the daemon; the next run starts afresh
                log.exception("cycle_crashed", kind=name)
                crashed(name, f"{type(exc).__name__}: {exc}")

    return job


class PortInUse(Exception):
    """The metrics port cannot be bound."""


def run_daemon(
    worker: Worker,
    poll_seconds: int,
    sweep_seconds: int,
    *,
    metrics_port: int | None = None,
    metrics_host: str = "127.0.0.1",
    health_max_age: float = 900,
    pages: Mapping[str, Page] | None = None,
    before_cycle: Callable[[], None] = lambda: None,
) -> int:
    """Run until SIGTERM or Ctrl-C. The signal handler only sets events: the first stops
    the cycle after the page it is on and shuts the scheduler down; a second exits at once."""
    stop = worker.stop
    force = threading.Event()
    started = threading.Event()
    scheduler = BackgroundScheduler(timezone=UTC)
    lock = threading.Lock()
    metrics = Metrics()
    health = CycleHealth(metrics, worker.store.last_success(), lambda: worker.last_progress)
    meter = worker.gateway.session.meter
    crashed = health.crashed

    options: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    # The earliest time-driven change (at risk, breach, notice, close), as the last cycle
    # left it, and the one the transitions job is armed for. Jobs only note the moment;
    # the main thread arms the job: a job calling the scheduler while it shuts down (it
    # waits for running jobs holding its job-store lock) would never return.
    wanted: list[datetime | None] = [None]
    armed: list[datetime | None] = [None]

    def after(summary: Summary) -> None:
        metrics.observe(summary, meter, worker.store)
        metrics.model(worker.config.model)
        health.observed(summary, time.time())
        wanted[0] = worker.next_transition()  # every cycle may have moved it

    def arm() -> None:
        moment = wanted[0]
        if moment is None or moment == armed[0]:
            return  # a moment already run comes back only after a cycle moved it
        armed[0] = moment
        scheduler.add_job(
            _guarded(lock, "transitions", worker.run_transitions, after, crashed, before_cycle),
            "date",
            run_date=max(moment, datetime.now(UTC)),
            id="transitions",
            replace_existing=True,
            max_instances=1,
            misfire_grace_time=None,  # late (a long poll held the lock) is better than never
        )

    ops = None
    if metrics_port is not None:
        try:
            ops = OpsServer(
                metrics=metrics,
                health=health,
                max_age=health_max_age,
                host=metrics_host,
                port=metrics_port,
                alive=lambda: scheduler.running or not started.is_set(),
                pages=pages,
            )
        except OSError as exc:
            raise PortInUse(f"--metrics-port {metrics_port}: {exc.strerror}") from None
        ops.start()
        paths = ["/metrics", "/healthz", *(pages or {})]
        log.info("ops_listening", host=metrics_host, port=ops.port, paths=paths)
    scheduler.add_job(
        _guarded(lock, "poll", worker.run_cycle, after, crashed, before_cycle),
        "interval",
        seconds=poll_seconds,
        next_run_time=datetime.now(UTC),
        id="poll",
        **options,
    )
    scheduler.add_job(
        _guarded(lock, "sweep", worker.run_sweep, after, crashed, before_cycle),
        "interval",
        seconds=sweep_seconds,
        id="sweep",
        **options,
    )

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():
            force.set()
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if worker.on_progress is None:  # the first sync of a large account logs its progress
        worker.on_progress = cycle_progress(Progress("daemon", terminal=False, every=30))
    log.info("daemon_started", poll_seconds=poll_seconds, sweep_seconds=sweep_seconds)
    scheduler.start()
    started.set()
    while not stop.wait(0.2):
        arm()
    log.info("stopping", note="the running cycle ends after its page; Ctrl-C again to quit now")
    done = threading.Event()

    def shut_down() -> None:
        scheduler.shutdown(wait=True)
        done.set()

    threading.Thread(target=shut_down, name="shutdown", daemon=True).start()
    while not done.wait(0.2):
        if force.is_set():
            log.warning("stopped_at_once", reason="second signal")
            sys.stderr.flush()
            os._exit(130)  # the cycle's open transaction is rolled back by the database
    if ops is not None:
        ops.stop()
    log.info("daemon_stopped")
    return 0
