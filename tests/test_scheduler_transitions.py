"""The daemon wakes up at each ticket's exact transition moment, not at the next sweep."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from zendesk_sla.ops.scheduler import run_daemon
from zendesk_sla.store import StateStore
from zendesk_sla.sync.summary import Summary
from zendesk_sla.zendesk.transport import Meter


class FakeWorker:
    """What the daemon needs of a worker; its transitions fall due at `moments`."""

    def __init__(self, store: StateStore, moments: list[datetime]) -> None:
        self.stop = threading.Event()
        self.store = store
        self.gateway = SimpleNamespace(session=SimpleNamespace(meter=Meter()))
        self.config = SimpleNamespace(model=None)  # the contract names no severity model
        self.last_progress: float | None = None
        self.on_progress = lambda *_: None
        self.moments = moments
        self.ran: list[tuple[datetime, datetime]] = []  # (due, ran at)
        self.polls = 0

    def run_cycle(self) -> Summary:
        self.polls += 1
        return Summary("poll")

    def run_sweep(self) -> Summary:
        return Summary("sweep")

    def next_transition(self) -> datetime | None:
        return self.moments[0] if self.moments else None

    def run_transitions(self) -> Summary:
        self.ran.append((self.moments.pop(0), datetime.now(UTC)))
        if not self.moments:
            self.stop.set()
        return Summary("transitions")


def test_each_transition_runs_at_its_moment_with_no_sweep_in_between(tmp_path: Path) -> None:
    store = StateStore(str(tmp_path / "state.sqlite3"))
    start = datetime.now(UTC)
    worker = FakeWorker(store, [start + timedelta(seconds=1), start + timedelta(seconds=2.5)])
    net = threading.Timer(20, worker.stop.set)  # a safety net: the test never hangs
    net.daemon = True
    net.start()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        assert run_daemon(worker, 3600, 3600) == 0  # type: ignore[arg-type]
    finally:
        net.cancel()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        store.close()
    assert len(worker.ran) == 2
    for due, ran in worker.ran:
        assert timedelta(0) <= ran - due < timedelta(seconds=1), (due, ran)
    assert worker.polls == 1  # the hourly poll never came: the transitions woke it up


class SlowWorker(FakeWorker):
    """A first sync: the poll runs for many poll intervals."""

    def __init__(self, store: StateStore) -> None:
        super().__init__(store, [])
        self.release = threading.Event()

    def run_cycle(self) -> Summary:
        self.release.wait(timeout=60)
        return super().run_cycle()


def test_a_long_cycle_does_not_fill_the_log_with_scheduler_warnings(tmp_path: Path) -> None:
    import logging

    from zendesk_sla.ops.scheduler import BUSY

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("apscheduler").addHandler(handler)
    store = StateStore(str(tmp_path / "state.sqlite3"))
    worker = SlowWorker(store)
    seen = BUSY.dropped

    def watch() -> None:  # release the poll once the scheduler skipped two of its runs
        import time

        pause, end = threading.Event(), time.monotonic() + 30  # or give up: never hang
        while BUSY.dropped < seen + 2 and time.monotonic() < end:
            pause.wait(0.05)
        worker.release.set()
        worker.stop.set()

    watcher = threading.Thread(target=watch, daemon=True)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        watcher.start()
        assert run_daemon(worker, 1, 3600) == 0  # type: ignore[arg-type]
    finally:
        worker.release.set()
        watcher.join(timeout=60)
        logging.getLogger("apscheduler").removeHandler(handler)
        for sig, h in handlers.items():
            signal.signal(sig, h)
        store.close()
    assert BUSY.dropped >= seen + 2  # the scheduler did skip runs while the poll ran
    skipped = [r for r in records if "maximum number of running instances" in r.getMessage()]
    assert skipped == []
