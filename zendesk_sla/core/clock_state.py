"""What one SLA clock says at a moment: its state, target, due time and pauses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from zendesk_sla.core.policy import ClockKind
from zendesk_sla.core.timeline import Spell

PAUSED_STATUSES = frozenset({"pending", "hold", "solved", "closed"})

ClockState = Literal[
    "none",  # no target on this plan
    "exempt",  # the target does not apply (third party)
    "running",
    "at_risk",
    "paused",
    "met",
    "breached",
    "over_target",  # a best-effort target passed: shown, never a breach
]


@dataclass(frozen=True)
class Clock:
    kind: ClockKind
    state: ClockState
    target_seconds: int | None = None
    best_effort: bool = False
    due: datetime | None = None
    elapsed_seconds: int = 0
    stopped_at: datetime | None = None
    pauses: tuple[Spell, ...] = ()  # epoch seconds
    at_risk_after: float | None = None  # business seconds elapsed from which it is at risk

    @property
    def remaining_seconds(self) -> int | None:
        if self.target_seconds is None:
            return None
        return self.target_seconds - self.elapsed_seconds
