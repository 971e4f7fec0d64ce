"""The health command: is the worker keeping up, read from its state (for cron and probes)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from zendesk_sla.cli.common import settings
from zendesk_sla.config import load_config


def cmd_health(args: argparse.Namespace) -> int:
    """Ready (exit 0) when a poll succeeded or a page was recorded within the allowed age."""
    from zendesk_sla.ops.health import healthy
    from zendesk_sla.store import StateStore
    from zendesk_sla.sync.degraded import degraded

    current = settings()
    config = load_config(args.config or current.zendesk_sla_config)
    target = current.state_target
    if not current.zendesk_sla_database_url and not Path(target).exists():
        print(f"unhealthy: no state at {target}")
        return 1
    store = StateStore(target, read_only=True)
    try:
        last, progress, error = store.last_success(), store.last_progress(), store.last_error()
        worse = degraded(store)
    finally:
        store.close()
    now, limit = time.time(), config.sync.health_max_age_seconds

    def ago(moment: float | None) -> str:
        return "never" if moment is None else f"{now - moment:.0f}s ago"

    alive = max((t for t in (last, progress) if t is not None), default=None)
    ready = healthy(alive, limit, now)
    detail = f"last successful poll {ago(last)}, last page recorded {ago(progress)}"
    if error is not None:
        detail += f", last error {ago(error[0])}: {error[1][:160]}"
    state = "healthy" if ready else "unhealthy"
    if worse:  # still ready: the ticket path works, an operator should look
        state += ", degraded"
        detail += "".join(f"; {line[:200]}" for line in worse)
    print(f"{state}: {detail} (limit {limit}s)")
    return 0 if ready else 1
