"""Core throughput: severity + both SLA clocks for 100k synthetic timelines on one core.

Run: make bench   (or .venv/bin/python benchmarks/bench_core.py --tickets 100000)
Target: at least 20,000 tickets/s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from zendesk_sla.config import load_config
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.classification import classify
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline

ROOT = Path(__file__).resolve().parent.parent
PLANS = ("plus", "standard", "company", "enterprise")
SUBJECTS = (
    "Producción caída desde las 9",
    "No se pueden crear documentos",
    "La plataforma va muy lenta",
    "¿Cómo puedo exportar un informe?",
    "Question about the API",
    "Error al subir un fichero",
)


def synthetic(rng: random.Random, count: int) -> list[tuple[str, str | None, str, Timeline]]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for _ in range(count):
        created = base + timedelta(seconds=rng.randrange(330 * 86400))
        at = created
        changes = [StatusChange(epoch(created), "new")]
        comments = [Comment(epoch(created), True, "end-user")]
        for _step in range(rng.randrange(6)):
            at += timedelta(minutes=rng.randrange(10, 3000))
            status = rng.choice(("open", "pending", "hold", "open", "solved"))
            changes.append(StatusChange(epoch(at), status))
            comments.append(
                Comment(epoch(at), rng.random() < 0.8, rng.choice(("agent", "end-user")))
            )
        priority = rng.choice((None, "urgent", "high", "normal", "low"))
        out.append(
            (
                rng.choice(PLANS),
                priority,
                rng.choice(SUBJECTS),
                Timeline(created, tuple(changes), tuple(comments)),
            )
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    policy = load_config(ROOT / "config" / "athento.yaml").policy
    tickets = synthetic(random.Random(args.seed), args.tickets)
    now = datetime(2026, 12, 31, tzinfo=UTC)
    states: dict[str, int] = {}
    started = time.perf_counter()
    for plan, priority, subject, timeline in tickets:
        decision = classify(
            policy.severity, field_value=None, tags=(), priority=priority, text=subject
        )
        clocks = sla_clocks(policy, plan, decision.severity, timeline, now)
        states[clocks.resolution.state] = states.get(clocks.resolution.state, 0) + 1
    elapsed = time.perf_counter() - started
    rate = args.tickets / elapsed
    print(f"core: {args.tickets} timelines in {elapsed:.2f} s = {rate:,.0f} tickets/s (one core)")
    print(f"resolution states: {dict(sorted(states.items()))}")
    print(f"target >= 20,000 tickets/s: {'met' if rate >= 20_000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
