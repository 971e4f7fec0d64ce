"""Re-evaluating stored history under a changed contract: CPU, requests and writes.

A backfill stores the sample account (100k tickets by default) in a fresh state;
then three re-evaluations run from that state alone:
  1. the same YAML: nothing changes, nothing is written;
  2. a new contract version from tomorrow: the past keeps its terms, nothing is written;
  3. --rejudge with that version: only the tickets whose verdict or dues move are written.
Figures per run: tickets decided, CPU seconds of this process (one core), export
requests (must be 0), write requests, tickets written.

Run: .venv/bin/python benchmarks/bench_reevaluate.py --tickets 100000
Target: decided in under 10 s of CPU on one core; writes only for changed tickets.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from zendesk_sla import evaluate
from zendesk_sla.config import Config, load_config
from zendesk_sla.logs import configure

from bench_backfill import ROOT, make_app, start_sandbox

TIGHTER = {
    plan: {"response": {"blocker": "1h", "critical": "1h", "major": "1h"}}
    for plan in ("plus", "standard", "company", "enterprise")
}


def versioned(tmp: Path) -> Config:
    data = yaml.safe_load((ROOT / "config" / "athento.yaml").read_text(encoding="utf-8"))
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    data["contract_versions"] = [{"effective": tomorrow, "plans": TIGHTER}]
    path = tmp / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    config.raw.sync.__dict__.update(job_poll_interval_seconds=0.05)
    return config


class CoreTimer:
    """CPU seconds spent inside the core's decisions (tickets and organizations), apart from
    reading the state and recording the results."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, module: object, name: str) -> None:
        inner = getattr(module, name)

        def timed(*args: object, **kwargs: object) -> object:
            started = time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - started

        setattr(module, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure("WARNING", "console")
    timer = CoreTimer()
    timer.wrap(evaluate, "decide")
    timer.wrap(evaluate, "plan_organization")
    proc, url = start_sandbox(args.tickets, args.seed)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            state = Path(tmp) / "state.sqlite3"
            app = make_app(url, state)
            started = time.perf_counter()
            app.worker().run_backfill(0, None)
            print(f"backfill (to fill the state): {time.perf_counter() - started:.1f} s")
            changed = versioned(Path(tmp))
            rejudge = versioned(Path(tmp))
            rejudge.policy = rejudge.policy.latest()
            for label, config in (
                ("same YAML", app.config),
                ("new version", changed),
                ("--rejudge", rejudge),
            ):
                app.config = config
                worker = app.worker()
                before = dict(app.session.meter.requests)
                cpu = time.process_time()
                wall = time.perf_counter()
                timer.seconds = 0.0
                summary = worker.run_reevaluate()
                cpu = time.process_time() - cpu
                wall = time.perf_counter() - wall
                used = {
                    k: v - before.get(k, 0)
                    for k, v in app.session.meter.requests.items()
                    if v != before.get(k, 0)
                }
                exports = sum(v for k, v in used.items() if "incremental" in k)
                writes = sum(v for k, v in used.items() if k.startswith("PUT"))
                print(
                    f"{label:<12} {summary.evaluated:>7} decided in {cpu:5.1f} s CPU "
                    f"({wall:5.1f} s wall, {summary.evaluated / cpu:,.0f} tickets/CPU-s; "
                    f"{timer.seconds:4.1f} s of it in the core's decisions); "
                    f"{exports} export requests, {writes} write requests, "
                    f"{summary.written} tickets written, {summary.changes} changed"
                )
            app.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
