"""The contract file's building blocks: strict models, severities, days and durations."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_DURATION = re.compile(r"^\s*(\d+)\s*([hd])\s*$")


Severity = Literal["blocker", "critical", "major", "trivial"]


Day = Annotated[date, Field(strict=False)]  # 2026-12-24, quoted or not; 2026-13-45 refused


MAX_DURATION = {"h": 24 * 366, "d": 366}  # a year: anything longer is a typo


def parse_duration(value: object) -> tuple[int, Literal["h", "d"]]:
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"invalid duration {value!r} (expected like '8h' or '3d')")
    unit: Literal["h", "d"] = "h" if match.group(2) == "h" else "d"
    amount = int(match.group(1))
    if not 0 < amount <= MAX_DURATION[unit]:
        raise ValueError(
            f"duration {value!r} must be between 1{unit} and {MAX_DURATION[unit]}{unit}"
        )
    return amount, unit


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


Duration = Annotated[str, AfterValidator(_check_duration)]


class Strict(BaseModel):
    # strict: `true` is not a count and 1 is not text; unknown keys are typos.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
