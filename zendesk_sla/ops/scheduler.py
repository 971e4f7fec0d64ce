"""The daemon: APScheduler 3 runs the poll, the transitions at the exact moment they fall
due, and a slow safety sweep; SIGTERM stops after the current page. The ops endpoint
opens first, so a standby replica answers its probes while it waits for the lock."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler

from zendesk_sla.ops.health import CycleHealth
from zendesk_sla.ops.http import OpsServer, Page
from zendesk_sla.ops.metrics import Metrics
from zendesk_sla.ops.progress import Progress, cycle_progress
from zendesk_sla.store.base import is_storage_error, storage_reason
from zendesk_sla.sync.cycles import Worker
from zendesk_sla.sync.summary import Summary

log = structlog.get_logger("zendesk_sla.daemon")


def guarded_job(
    lock: threading.Lock,
    name: str,
    run: Callable[[], Summary | None],
    after: Callable[[Summary], None],
    crashed: Callable[[str, str], None],
    before: Callable[[], None] = lambda: None,
) -> Callable[[], None]:
    def job() -> None:
        with lock:  # poll and sweep share one SQLite connection: never at once
            try:
                before()
                summary = run()  # None: nothing to do this time (no queued backfill)
                if summary is not None:
                    after(summary)
            except Exception as exc:  # a bug must not stop the daemon; the next run starts afresh
                if is_storage_error(exc):  # the state's database is away: one line, no trace
                    log.error("state_unreachable", kind=name, error=storage_reason(exc))
                else:
                    log.exception("cycle_crashed", kind=name)
                crashed(name, f"{type(exc).__name__}: {exc}")

    return job


class BusyIsNormal(logging.Filter):
    """APScheduler warns at every interval that a long cycle kept its job's next run from
    starting (one run at a time, coalesced: the design), drowning the log of a long first
    sync; those lines are dropped and counted."""

    NOTES = ("maximum number of running instances reached", "was missed by")

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if any(note in record.getMessage() for note in self.NOTES):
            self.dropped += 1
            return False
        return True


BUSY = BusyIsNormal()


def quiet_scheduler() -> None:
    for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
        logging.getLogger(name).addFilter(BUSY)  # once: a filter already there is kept


class PortInUse(Exception):
    """The metrics port cannot be bound."""


@dataclass
class Ops:
    """The daemon's metrics, health and (with a port) the HTTP endpoint serving them."""

    metrics: Metrics
    health: CycleHealth
    server: OpsServer | None = None

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


def open_ops(
    *,
    port: int | None = None,
    host: str = "127.0.0.1",
    max_age: float = 900,
    live_limit: float | None = None,
    pages: Mapping[str, Page] | None = None,
) -> Ops:
    """Metrics and health, served on `port` from now on (before the lock is taken)."""
    metrics = Metrics()
    ops = Ops(metrics, CycleHealth(metrics, None, live_limit=live_limit))
    if port is not None:
        try:
            server = OpsServer(
                metrics=metrics,
                health=ops.health,
                max_age=max_age,
                host=host,
                port=port,
                pages=pages,
            )
        except OSError as exc:
            raise PortInUse(f"--metrics-port {port}: {exc.strerror}") from None
        ops.server = server.start()
        log.info(
            "ops_listening",
            host=host,
            port=server.port,
            paths=["/metrics", "/healthz", *(pages or {})],
        )
    return ops


def run_daemon(
    worker: Worker,
    poll_seconds: int,
    sweep_seconds: int,
    *,
    ops: Ops | None = None,
    before_cycle: Callable[[], None] = lambda: None,
    queued: Callable[[], Summary | None] = lambda: None,
) -> int:
    """Run until SIGTERM or Ctrl-C. The signal handler only sets events: the first stops
    the cycle after the page it is on and shuts the scheduler down; a second exits at once."""
    stop = worker.stop
    force = threading.Event()
    started = threading.Event()
    quiet_scheduler()
    scheduler = BackgroundScheduler(timezone=UTC)
    lock = threading.Lock()
    ops = ops or open_ops()
    metrics, health = ops.metrics, ops.health
    health.last_success = worker.store.last_success()
    health.progress = lambda: worker.last_progress
    health.running = lambda: scheduler.running or not started.is_set()
    health.waiting(False)
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
            guarded_job(lock, "transitions", worker.run_transitions, after, crashed, before_cycle),
            "date",
            run_date=max(moment, datetime.now(UTC)),
            id="transitions",
            replace_existing=True,
            max_instances=1,
            misfire_grace_time=None,  # late (a long poll held the lock) is better than never
        )

    scheduler.add_job(
        guarded_job(lock, "poll", worker.run_cycle, after, crashed, before_cycle),
        "interval",
        seconds=poll_seconds,
        next_run_time=datetime.now(UTC),
        id="poll",
        **options,
    )
    scheduler.add_job(  # work a command left for the daemon (a backfill), after the poll
        guarded_job(lock, "queued", queued, after, crashed, before_cycle),
        "interval",
        seconds=poll_seconds,
        id="queued",
        **options,
    )
    scheduler.add_job(
        guarded_job(lock, "sweep", worker.run_sweep, after, crashed, before_cycle),
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
    log.info("daemon_stopped")
    return 0
