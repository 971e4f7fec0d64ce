"""`make demo`: shows what the worker computes for a few sample tickets."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from zendesk_sla.config import load_config
from zendesk_sla.core.explain import due, explain

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    policy = load_config(ROOT / "config" / "athento.yaml").policy
    created = datetime.fromisoformat("2026-11-27T19:30:00+01:00")
    for plan in ("plus", "standard", "company", "enterprise"):
        print(due(policy, plan, "blocker", created))
    print("\n".join(explain(policy, "standard", "critical", created)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
