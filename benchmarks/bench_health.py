"""A first sync under the Kubernetes probes: is the worker ever reported unhealthy while
it progresses? Runs the daemon against a sandbox with Zendesk's export limit (10 a
minute, time compressed by --time-scale), probes /healthz/ready and /healthz/live as the
manifests do (every 30 s and 60 s, compressed likewise) until the first poll finishes.

Run: .venv/bin/python benchmarks/bench_health.py --tickets 20000
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from zendesk_sla.sandbox.generator import API_EMAIL  # noqa: E402
from zendesk_sla.sandbox.serve import TOKEN  # noqa: E402

from bench_backfill import start_sandbox  # noqa: E402


def probe(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as err:
        body = json.loads(err.read() or b"{}")
        err.close()
        return err.code, body
    except OSError:
        return 0, {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--time-scale", type=float, default=10.0)
    args = parser.parse_args()
    window = 60.0 / args.time_scale
    proc, url = start_sandbox(
        args.tickets,
        7,
        ["--rate-limit", "700", "--incremental-rate-limit", "10", "--rate-window", str(window)],
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        policy = yaml.safe_load((ROOT / "config" / "athento.yaml").read_text(encoding="utf-8"))
        policy["sync"].update(
            initial_lookback_days=0,
            incremental_exports_per_minute=0,  # the sandbox enforces the limit (compressed)
            rate_limit_wait_budget_seconds=100000,
            health_max_age_seconds=max(30, int(900 / args.time_scale)),
        )
        config = Path(tmp) / "policy.yaml"
        config.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
        env = {
            **os.environ,
            "ZENDESK_URL": url,
            "ZENDESK_EMAIL": API_EMAIL,
            "ZENDESK_API_TOKEN": TOKEN,
            "ZENDESK_SLA_STATE": str(Path(tmp) / "state.sqlite3"),
            "ZENDESK_SLA_LOG_FORMAT": "json",
        }
        cli = [sys.executable, "-m", "zendesk_sla.cli"]
        subprocess.run(
            [*cli, "setup", "--config", str(config)], env=env, check=True, capture_output=True
        )
        log = Path(tmp) / "daemon.log"
        with log.open("w") as out:
            daemon = subprocess.Popen(
                [*cli, "daemon", "--config", str(config), "--metrics-port", str(port)],
                env=env,
                stderr=out,
            )
        ready_period, live_period = 30 / args.time_scale, 60 / args.time_scale
        probes = {"ready": [0, 0], "live": [0, 0]}  # [probes, failures]
        started, next_ready, next_live = time.monotonic(), 0.0, 0.0
        try:
            while True:
                now = time.monotonic() - started
                if '"event": "cycle"' in log.read_text():
                    break
                if now >= next_ready:
                    code, _ = probe(f"http://127.0.0.1:{port}/healthz/ready")
                    if now > 3:  # the process starting up (startup probe's job)
                        probes["ready"][0] += 1
                        probes["ready"][1] += code != 200
                    next_ready += ready_period
                if now >= next_live:
                    code, _ = probe(f"http://127.0.0.1:{port}/healthz/live")
                    if now > 3:
                        probes["live"][0] += 1
                        probes["live"][1] += code != 200
                    next_live += live_period
                time.sleep(0.05)
            took = time.monotonic() - started
        finally:
            daemon.terminate()
            daemon.wait(timeout=60)
            proc.terminate()
            proc.wait(timeout=30)
    print(
        f"first sync of {args.tickets} tickets took {took:.0f} s = "
        f"{took * args.time_scale / 60:.1f} Zendesk minutes; readiness probes "
        f"{probes['ready'][0]} ({probes['ready'][1]} failed), liveness probes "
        f"{probes['live'][0]} ({probes['live'][1]} failed)"
    )
    bad = probes["ready"][1] + probes["live"][1]
    print(f"never reported unhealthy while progressing: {'met' if bad == 0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
