"""One ticket's history as JSON (`due --timeline`, `explain --timeline`): read, checked, shown.

Input: plan, severity, created_at, now, optional third_party, statuses
([{"at", "status"}], the first is the initial status) and comments
([{"at", "public", "author_role", "automated"}]). Every problem is one line
naming the key.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from zendesk_sla.cli.common import UsageError
from zendesk_sla.core.calendar import epoch, from_epoch
from zendesk_sla.core.clocks import Clock, SlaClocks, sla_clocks
from zendesk_sla.core.explain import iso_z
from zendesk_sla.core.policy import SEVERITIES, Policy
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
ROLES = ("end-user", "agent", "admin")


@dataclass(frozen=True)
class TicketHistory:
    plan: str
    severity: str
    now: datetime
    third_party: bool
    timeline: Timeline

    def clocks(self, policy: Policy) -> SlaClocks:
        return sla_clocks(
            policy.in_force(self.timeline.created_at),
            self.plan,
            self.severity,
            self.timeline,
            self.now,
            third_party=self.third_party,
        )


def _moment(value: Any, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{where}: {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise UsageError(f"{where}: {value!r} has no UTC offset (add Z or +01:00)")
    return moment


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UsageError(f"{key}: expected a list of objects")
    return items


def read_history(source: str, policy: Policy) -> TicketHistory:
    """The history in `source` (a file, or - for standard input)."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise UsageError(f"--timeline: cannot read {source}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"--timeline: {source} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError("--timeline: expected a JSON object")
    for key in ("plan", "severity", "created_at", "now"):
        if key not in data:
            raise UsageError(f"{key}: required key is missing")
    plan, severity = data["plan"], data["severity"]
    if plan not in policy.plans:
        raise UsageError(f"plan: unknown plan {plan!r} (known: {', '.join(policy.plans)})")
    if severity not in SEVERITIES:
        raise UsageError(f"severity: {severity!r} is not one of {', '.join(SEVERITIES)}")
    created = _moment(data["created_at"], "created_at")
    statuses = []
    for index, item in enumerate(_items(data, "statuses")):
        status = item.get("status")
        if status not in STATUSES:
            raise UsageError(f"statuses.{index}.status: {status!r} is not one of {STATUSES}")
        at = _moment(item.get("at"), f"statuses.{index}.at")
        statuses.append(StatusChange(epoch(at), status))
    if not statuses:
        statuses = [StatusChange(epoch(created), "new")]
    comments = []
    for index, item in enumerate(_items(data, "comments")):
        role = item.get("author_role", "end-user")
        if role not in ROLES:
            raise UsageError(f"comments.{index}.author_role: {role!r} is not one of {ROLES}")
        comments.append(
            Comment(
                epoch(_moment(item.get("at"), f"comments.{index}.at")),
                bool(item.get("public", True)),
                role,
                automated=bool(item.get("automated", False)),
            )
        )
    timeline = Timeline(
        created,
        tuple(sorted(statuses, key=lambda s: s.at)),
        tuple(sorted(comments, key=lambda c: c.at)),
    )
    now = _moment(data["now"], "now")
    return TicketHistory(plan, severity, now, bool(data.get("third_party", False)), timeline)


def clock_json(clock: Clock) -> dict[str, Any]:
    return {
        "state": clock.state,
        "due": iso_z(clock.due),
        "elapsed_seconds": clock.elapsed_seconds,
        "target_seconds": clock.target_seconds,
        "best_effort": clock.best_effort,
        "stopped_at": iso_z(clock.stopped_at),
        "pauses": [
            {"from": iso_z(from_epoch(start)), "to": iso_z(from_epoch(end)), "status": status}
            for start, end, status in clock.pauses
        ],
    }
