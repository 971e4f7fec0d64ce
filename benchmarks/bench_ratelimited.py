"""A first sync under Zendesk's rate limits, against the floor those limits allow.

Measured on virtual time, so the figure does not depend on the machine: the
sandbox's rate limits and the worker's clock share one clock that moves only
when the worker waits (pacing, job polling, a Retry-After). The worker's own
CPU time counts as zero, as it would next to Zendesk's minutes. The sandbox
enforces Zendesk's budgets: incremental exports at 10 a minute, everything else
at 700 a minute. The floor is what those limits alone impose on the requests
the worker made: ceil(n/10) - 1 minutes for n export requests (the first ten go
at once), and likewise for the account budget.

Run: .venv/bin/python benchmarks/bench_ratelimited.py --tickets 10000
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from zendesk_sla.account.fields import provision
from zendesk_sla.app import App
from zendesk_sla.config import load_config
from zendesk_sla.ops.logs import configure
from zendesk_sla.sandbox.serve import build_sandbox, sandbox_settings
from zendesk_sla.sandbox.server import RateLimits

ROOT = Path(__file__).resolve().parent.parent


class VirtualTime:
    """A clock that moves only when someone sleeps on it."""

    def __init__(self) -> None:
        self.start = time.time()
        self.offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.start + self.offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.offset += max(seconds, 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    configure("json", "ERROR")
    clock = VirtualTime()
    limits = RateLimits(per_minute=700, incremental_per_minute=10, clock=clock)
    server = build_sandbox(tickets=args.tickets, seed=args.seed, limits=limits, clock=clock)
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = sandbox_settings(server.url, zendesk_sla_state=Path(tmp) / "state.sqlite3")
            config = load_config(ROOT / "config" / "athento.yaml")
            config.raw.sync.__dict__.update(initial_lookback_days=0)
            app = App(
                settings,
                config,
                clock=lambda: datetime.fromtimestamp(clock(), UTC),
                sleep=clock.sleep,
            )
            provision(app.gateway, config)
            server.sandbox.stats.clear()
            app.session.meter.requests.clear()
            started, cpu = clock(), time.process_time()
            summary = app.worker().run_cycle()  # the first run: the whole account
            minutes = (clock() - started) / 60
            cpu = time.process_time() - cpu
            requests = dict(app.session.meter.requests)
            pacing = app.session.pacer
            app.close()
    finally:
        server.stop()
    refused = server.sandbox.stats["429"]
    incremental = sum(c for k, c in requests.items() if "/incremental/" in k)
    total = sum(requests.values())
    floor = max(math.ceil(incremental / 10) - 1, math.ceil(total / 700) - 1, 0)
    print(
        f"{summary.tickets_seen} tickets, {summary.written} written; {incremental} export and "
        f"{total} requests in all; {refused} 429s; {pacing.waits} pacing waits "
        f"({pacing.waited_seconds / 60:.1f} min)"
    )
    ratio = minutes / floor if floor else 0.0
    print(
        f"first sync took {minutes:.2f} Zendesk minutes; floor {floor} minutes; "
        f"{ratio:.3f}x the floor (target <= 1.05 with 0 429s: "
        f"{'met' if ratio <= 1.05 and refused == 0 else 'NOT met'}); worker CPU {cpu:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
