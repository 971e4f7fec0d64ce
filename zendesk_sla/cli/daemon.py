"""The daemon command: the ops endpoint first, then the lock (standby until it is free),
then the scheduler, with a lost database reconnected and queued backfills run."""

from __future__ import annotations

import argparse
import signal

import structlog

from zendesk_sla.cli.common import UsageError, make_app
from zendesk_sla.config import load_config
from zendesk_sla.sync.summary import Summary

log = structlog.get_logger("zendesk_sla.daemon")


def run_daemon_command(args: argparse.Namespace) -> int:
    from zendesk_sla.ops.reload import ConfigWatcher
    from zendesk_sla.ops.scheduler import PortInUse, open_ops, run_daemon
    from zendesk_sla.reports.compliance import report_page
    from zendesk_sla.store.base import LockLost

    app = make_app(args)
    ops = None
    try:
        signal.signal(signal.SIGTERM, lambda *_: app.stop.set())
        sync = app.config.sync
        watcher = ConfigWatcher(app.config, load_config)
        page = report_page(
            app.settings.state_target, lambda: watcher.current, app.clock, app.settings.base_url
        )
        ops = open_ops(
            port=getattr(args, "metrics_port", None),
            host=getattr(args, "metrics_host", "127.0.0.1"),
            max_age=sync.health_max_age_seconds,
            live_limit=sync.liveness_max_seconds,
            pages={"/report": page},
        )
        ops.metrics.reload_refused.set_function(lambda: 1.0 if watcher.refused else 0.0)
        ops.health.waiting(True)  # a standby answers its probes while it waits
        if not app.wait_for_lock():
            return 0
        worker = app.worker()
        lost: list[LockLost] = []

        def before() -> None:
            try:
                app.recover()  # a PostgreSQL restart since the last cycle: reconnect, relock
            except LockLost as exc:
                log.error("lock_lost", error=str(exc))
                lost.append(exc)
                app.stop.set()  # never two writers: stop, and start again in standby
                raise
            fresh = watcher.check()
            if fresh is not None:
                worker.reconfigure(fresh)

        def queued() -> Summary | None:
            """A backfill a command left while this daemon held the lock."""
            request = app.store.queued_backfill()
            if request is None:
                return None
            log.info("backfill_started", since=request[0], until=request[1], queued=True)
            summary = worker.run_backfill(*request)
            if summary.error is None and not summary.interrupted:
                with app.store.transaction():
                    app.store.backfill_done(request)
            return summary

        code = run_daemon(
            worker,
            sync.poll_interval_seconds,
            sync.sweep_interval_seconds,
            ops=ops,
            before_cycle=before,
            queued=queued,
        )
        if lost:
            raise lost[0]
        return code
    except PortInUse as exc:
        raise UsageError(str(exc)) from None
    finally:
        if ops is not None:
            ops.close()
        app.close()
