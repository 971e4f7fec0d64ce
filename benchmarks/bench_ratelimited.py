"""A first sync under Zendesk's rate limits, against the theoretical floor those limits allow.

The sandbox enforces Zendesk's budgets: incremental exports at 10 requests a
window, everything else at the account budget (700). Time is compressed by
`--time-scale` (a window of 60/scale seconds) so the run takes minutes, not
hours; the figures are given in real Zendesk minutes. The floor is what the
limits alone impose on the requests the worker made: the incremental requests
beyond the first window's ten, and the account budget.

Run: .venv/bin/python benchmarks/bench_ratelimited.py --tickets 3000 --time-scale 10
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from zendesk_sla.logs import configure

from bench_backfill import make_app, start_sandbox


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    configure("json", "ERROR")
    window = 60.0 / args.time_scale
    proc, url = start_sandbox(
        args.tickets,
        args.seed,
        ["--rate-limit", "700", "--incremental-rate-limit", "10", "--rate-window", str(window)],
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(url, Path(tmp) / "state.sqlite3")
            app.config.raw.sync.__dict__["rate_limit_wait_budget_seconds"] = 10**6
            app.session.wait_budget_seconds = 10**6
            worker = app.worker()
            started = time.perf_counter()
            summary = worker.run_backfill(0, None)
            elapsed = time.perf_counter() - started
            requests = dict(app.session.meter.requests)
            waits = app.session.meter.rate_limit_waits
            app.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    incremental = sum(c for k, c in requests.items() if "/incremental/" in k)
    total = sum(requests.values())
    floor_windows = max(math.ceil(incremental / 10) - 1, math.ceil(total / 700) - 1, 0)
    floor = floor_windows * window
    real = args.time_scale / 60  # sandbox seconds -> Zendesk minutes
    print(
        f"{summary.tickets_seen} tickets, {summary.written} written; {incremental} incremental "
        f"and {total} requests in all; {waits} 429s waited out"
    )
    print(
        f"took {elapsed:.1f} s = {elapsed * real:.1f} Zendesk minutes; floor {floor:.1f} s = "
        f"{floor * real:.1f} Zendesk minutes; {elapsed / floor if floor else 0:.2f}x the floor"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
