"""Re-evaluating stored history under a changed contract: CPU, requests and writes.

A backfill stores the sample account (100k tickets by default) in a fresh state;
then re-evaluations run from that state alone, each in a freshly spawned interpreter
with a fresh config, as a lead's `reevaluate` command would be:
  1. the same YAML: no ticket's terms changed, none is re-decided;
  2. a new contract version from tomorrow: the past keeps its terms, none is re-decided;
  3. a version from 30 days ago: the tickets created since are re-decided;
  4. a version from 30 days ago that also lowers the yearly quotas: the ledgers of the
     organizations are recounted as well (a ledger is recounted only when its quota terms
     change);
  5. --all with the same YAML: every ticket re-decided (severity verdicts read back from
     the state, ledgers left as counted);
  6. a changed severity rule: every ticket re-decided and every text read again;
  7. --rejudge with the version from tomorrow: every ticket is re-judged, and only those
     whose verdict or dues move are written (a dry run, then for real).
Figures per run: tickets decided, CPU seconds of its process (one core), of which in the
core's decisions, export requests (must be 0), write requests, tickets written.

Run: .venv/bin/python benchmarks/bench_reevaluate.py --tickets 100000
Target: decided in under 10 s of CPU on one core; writes only for changed tickets.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from zendesk_sla.app import App
from zendesk_sla.config import Config, load_config
from zendesk_sla.core import text_severity
from zendesk_sla.ops.logs import configure
from zendesk_sla.sandbox.serve import sandbox_settings
from zendesk_sla.sync import evaluate, recount

from bench_backfill import ROOT, make_app, start_sandbox

TIGHTER = {
    plan: {"response": {"blocker": "1h", "critical": "1h", "major": "1h"}}
    for plan in ("plus", "standard", "company", "enterprise")
}


def versioned(
    tmp: Path, days: int = 1, plans: dict[str, Any] | None = None, rule: bool = False
) -> Config:
    """The bundled YAML with a version effective `days` from today (negative: in the past)
    that changes `plans` (default: tighter response targets); with `rule`, one more
    severity cue (every text is read again)."""
    data = yaml.safe_load((ROOT / "config" / "athento.yaml").read_text(encoding="utf-8"))
    if days:
        effective = (datetime.now(UTC) + timedelta(days=days)).date().isoformat()
        data["contract_versions"] = [{"effective": effective, "plans": plans or TIGHTER}]
    if rule:
        data["severity"]["caps"][-1]["cues"].append("de momento")
    path = tmp / f"policy{days}{'q' if plans else ''}{'r' if rule else ''}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    config.raw.sync.__dict__.update(job_poll_interval_seconds=0.05)
    return config


class ReadCounter:
    """Texts the severity classifier reads (not those whose verdict the state holds)."""

    def __init__(self) -> None:
        self.count = 0
        inner = text_severity._read

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return inner(*args, **kwargs)

        text_severity._read = counted


class CoreTimer:
    """Seconds spent inside the core's decisions (tickets and organizations), apart from
    reading the state and recording the results. Read on the monotonic clock: a CPU-time
    read is a system call (about 0.5 µs), and two per ticket would add 0.1 s to the run
    being measured; the run is single-threaded, so the two clocks agree."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def wrap(self, module: object, name: str) -> None:
        inner = getattr(module, name)

        def timed(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        setattr(module, name, timed)


def measure(
    url: str, state: str, tmp: str, version: dict[str, Any], everything: bool, dry: bool
) -> dict[str, Any]:
    """One re-evaluation, run in a fresh interpreter as a lead's `reevaluate` would be:
    nothing of the backfill or of the runs before it is in memory."""
    configure("WARNING", "console")
    timer = CoreTimer()
    timer.wrap(evaluate, "decide")
    timer.wrap(recount, "plan_organization")
    reads = ReadCounter()
    latest = version.pop("latest", False)
    config = versioned(Path(tmp), **version)
    if latest:
        config.policy = config.policy.latest()
    runner = App(sandbox_settings(url, zendesk_sla_state=Path(state)), config, dry_run=dry)
    worker = runner.worker()
    meter = runner.session.meter
    before = dict(meter.requests)
    cpu = time.process_time()
    wall = time.perf_counter()
    summary = worker.run_reevaluate(everything=everything)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    used = {k: v - before.get(k, 0) for k, v in meter.requests.items()}
    runner.close()
    return {
        "decided": summary.evaluated,
        "changes": summary.changes,
        "cpu": cpu,
        "wall": wall,
        "core": timer.seconds,
        "reads": reads.count,
        "exports": sum(v for k, v in used.items() if "incremental" in k),
        "writes": sum(v for k, v in used.items() if k.startswith("PUT")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure("WARNING", "console")
    proc, url = start_sandbox(args.tickets, args.seed)
    spawn = multiprocessing.get_context("spawn")
    try:
        with tempfile.TemporaryDirectory() as tmp, spawn.Pool(1, maxtasksperchild=1) as pool:
            state = Path(tmp) / "state.sqlite3"
            app = make_app(url, state)
            started = time.perf_counter()
            app.worker().run_backfill(0, None)
            print(f"backfill (to fill the state): {time.perf_counter() - started:.1f} s")
            app.close()
            # Dry runs first: each starts from the same state (a dry run records nothing)
            # and counts the tickets it would write; then one real --rejudge writes.
            lower: dict[str, Any] = {plan: dict(targets) for plan, targets in TIGHTER.items()}
            for plan in ("standard", "company", "enterprise"):
                lower[plan]["tickets_per_year"] = 5
            rejudge = {"latest": True}
            for label, version, everything, dry in (
                ("same YAML", {"days": 0}, False, True),
                ("tomorrow", {}, False, True),
                ("30 days ago", {"days": -30}, False, True),
                ("30 days, quotas", {"days": -30, "plans": lower}, False, True),
                ("--all", {"days": 0}, True, True),
                ("severity rule", {"days": 0, "rule": True}, False, True),
                ("--rejudge", rejudge, False, True),
                ("--rejudge", rejudge, False, False),
            ):
                job = (url, str(state), tmp, dict(version), everything, dry)
                got = pool.apply(measure, job)
                rate = got["decided"] / max(got["cpu"], 1e-9)
                print(
                    f"{label + (' (dry)' if dry else ''):<22} {got['decided']:>7} decided in "
                    f"{got['cpu']:5.1f} s CPU ({got['wall']:5.1f} s wall, {rate:,.0f} "
                    f"tickets/CPU-s; {got['core']:4.1f} s in the core's decisions, "
                    f"{got['reads']:,} texts read); {got['exports']} export requests, "
                    f"{got['changes']} tickets to write, {got['writes']} write requests"
                )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
