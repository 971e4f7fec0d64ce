"""Backfill throughput against the sandbox (no rate limit), and a naive one-PUT-per-ticket baseline.

The sandbox runs in its own process (`zendesk-sla sandbox serve`), the worker
in this one, so the peak RSS printed is the worker's. Figures: tickets/s,
requests per 100 written tickets (writes only, and all requests), peak RSS.

Run: .venv/bin/python benchmarks/bench_backfill.py --tickets 100000
Targets: >= 2,000 tickets/s, <= 1.5 write requests per 100 written tickets, RSS < 200 MB.
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from zendesk_sla.account.fields import provision
from zendesk_sla.app import App
from zendesk_sla.config import load_config
from zendesk_sla.ops.logs import configure
from zendesk_sla.sandbox.serve import sandbox_settings
from zendesk_sla.zendesk.gateway import OK, UNKNOWN, Outcome, Submitted, Write
from zenpy.lib.api_objects import Ticket

ROOT = Path(__file__).resolve().parent.parent


NO_LIMITS = ["--rate-limit", "0", "--incremental-rate-limit", "0"]


def start_sandbox(
    tickets: int, seed: int, limits: list[str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "zendesk_sla.cli", "sandbox", "serve", "--port", "0"]
    command += ["--tickets", str(tickets), "--seed", str(seed), *(limits or NO_LIMITS)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"sandbox did not start: {line!r}")
    return proc, match.group(1)


def make_app(url: str, state: Path) -> App:
    settings = sandbox_settings(url, zendesk_sla_state=state)
    config = load_config(ROOT / "config" / "athento.yaml")
    config.raw.sync.__dict__.update(
        initial_lookback_days=0, job_poll_interval_seconds=0.05, incremental_exports_per_minute=0
    )
    app = App(settings, config)
    provision(app.gateway, config)
    return app


def naive_submit(app: App) -> Any:
    """One PUT /tickets/{id}.json per ticket, as a worker without bulk writes would do."""

    def submit(writes: list[Write]) -> Submitted:
        outcomes = []
        for w in writes:
            try:
                app.client.tickets.update(Ticket(id=w.ticket_id, **w.changes()))
                outcomes.append(Outcome(w.ticket_id, OK))
            except Exception as exc:  # the baseline only counts outcomes
                outcomes.append(Outcome(w.ticket_id, UNKNOWN, str(exc)))
        return Submitted(outcomes=outcomes)

    return submit


def run(
    label: str, tickets: int, seed: int, naive: bool, show_requests: bool = False
) -> dict[str, float]:
    proc, url = start_sandbox(tickets, seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app = make_app(url, Path(tmp) / "state.sqlite3")
            worker = app.worker()
            if naive:
                worker.gateway.submit = naive_submit(app)  # type: ignore[method-assign]
            before = dict(app.session.meter.requests)
            cpu_before = time.process_time()
            started = time.perf_counter()
            summary = worker.run_backfill(0, None)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_before
            used = {k: v - before.get(k, 0) for k, v in app.session.meter.requests.items()}
            writes = sum(v for k, v in used.items() if k.startswith("PUT") or "job_statuses" in k)
            total = sum(used.values())
            app.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    written = max(summary.written, 1)
    if show_requests:
        for endpoint, count in sorted(used.items()):
            print(f"    {count:>7}  {endpoint}")
    figures = {
        "tickets": summary.tickets_seen,
        "written": summary.written,
        "seconds": elapsed,
        "tickets_per_s": summary.tickets_seen / elapsed,
        "write_requests_per_100": 100 * writes / written,
        "requests_per_100": 100 * total / written,
    }
    print(
        f"{label:<8} {figures['tickets']:>7} tickets in {elapsed:6.1f} s = "
        f"{figures['tickets_per_s']:8,.0f} tickets/s; {summary.written} written; "
        f"{figures['write_requests_per_100']:.2f} write requests and "
        f"{figures['requests_per_100']:.2f} requests in all per 100 written"
        + f"; worker CPU {cpu:.1f} s"
        + (f"; errors: {summary.error}" if summary.error else "")
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument(
        "--naive-tickets",
        type=int,
        default=10_000,
        help="tickets for the one-PUT-per-ticket baseline",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", action="store_true", help="list requests by endpoint")
    args = parser.parse_args()
    configure("json", "ERROR")
    bulk = run("bulk", args.tickets, args.seed, naive=False, show_requests=args.requests)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    naive = run("naive", args.naive_tickets, args.seed, naive=True) if args.naive_tickets else None
    print(f"peak RSS of the worker (bulk run): {rss_mb:.0f} MB")
    if naive:
        print(
            f"bulk vs naive: {bulk['tickets_per_s'] / naive['tickets_per_s']:.1f}x the "
            f"throughput, {naive['requests_per_100'] / bulk['requests_per_100']:.0f}x fewer "
            "requests per written ticket"
        )
    print(
        f"targets: >= 2,000 tickets/s {'met' if bulk['tickets_per_s'] >= 2000 else 'NOT met'}; "
        f"<= 1.5 write requests per 100 written "
        f"{'met' if bulk['write_requests_per_100'] <= 1.5 else 'NOT met'}; "
        f"RSS < 200 MB {'met' if rss_mb < 200 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
