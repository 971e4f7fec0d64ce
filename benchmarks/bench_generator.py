"""Sample-data generator: records per second and peak memory when streaming N tickets.

Run: .venv/bin/python benchmarks/bench_generator.py --tickets 1000000
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import UTC, datetime

from zendesk_sla.sandbox.generator import stream


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    count = size = 0
    for record in stream(args.tickets, seed=3, now=datetime(2026, 11, 1, tzinfo=UTC)):
        count += record["type"] == "ticket"
        size += len(json.dumps(record))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{count:,} tickets streamed in {elapsed:.1f} s = {count / elapsed:,.0f} tickets/s, "
        f"{size / 1e9:.2f} GB of JSON; peak RSS {peak:.0f} MB (at start {before:.0f} MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
