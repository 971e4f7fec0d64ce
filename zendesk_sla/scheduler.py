"""The daemon: APScheduler 3 runs the poll and the sweep; SIGTERM stops after the current page."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from apscheduler.schedulers.blocking import BlockingScheduler

from zendesk_sla.sync import Summary, Worker

log = structlog.get_logger("zendesk_sla.daemon")


def _guarded(lock: threading.Lock, name: str, run: Callable[[], Summary]) -> Callable[[], None]:
    def job() -> None:
        with lock:  # poll and sweep share one SQLite connection: never at once
            try:
                run()
            except Exception:  # a bug must not stop the daemon; the next run starts afresh
                log.exception("cycle_crashed", kind=name)

    return job


def run_daemon(worker: Worker, poll_seconds: int, sweep_seconds: int) -> int:
    scheduler = BlockingScheduler(timezone=UTC)
    lock = threading.Lock()
    options: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    scheduler.add_job(
        _guarded(lock, "poll", worker.run_cycle),
        "interval",
        seconds=poll_seconds,
        next_run_time=datetime.now(UTC),
        id="poll",
        **options,
    )
    scheduler.add_job(
        _guarded(lock, "sweep", worker.run_sweep),
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
    log.info("daemon_stopped")
    return 0
