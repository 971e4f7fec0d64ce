"""What one cycle did: the counts an operator reads in the `cycle` log line and the metrics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Summary:
    kind: str
    dry_run: bool = False
    pages: int = 0
    tickets_seen: int = 0
    skipped_bad: int = 0
    evaluated: int = 0
    changes: int = 0
    written: int = 0
    conflicts: int = 0
    failed: int = 0
    unknown: int = 0
    handed_off: int = 0  # refused writes left to an agent
    refused_requests: int = 0  # tickets whose whole write request Zendesk refused
    notes: int = 0
    events: int = 0
    interrupted: bool = False
    error: str | None = None
    degraded: list[str] = field(default_factory=list)  # what works less than it should
    cursor: str | None = None
    requests: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
