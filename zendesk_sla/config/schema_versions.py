"""Contract versions: terms that take effect on a date, as changes over the plans before them.

A ticket is judged by the terms in force when it was created, so a change of
contract never re-judges the past; `reevaluate --rejudge` is how a lead asks
for it. Each version names only what changes: a plan's hours, channels,
caps, quota, or some of its targets (severities not named keep theirs).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import Field, ValidationError

from zendesk_sla.config.schema_base import Day, Severity, Strict


class PlanChange(Strict):
    hours: object | None = None  # validated as `Hours` once merged over the plan
    channels: list[str] | None = None
    authorized_contacts: int | None = Field(None, ge=0, le=100_000)
    tickets_per_year: int | None = Field(None, ge=0, le=1_000_000)
    response: dict[Severity, object] | None = None  # each a target, validated once merged
    resolution: dict[Severity, object] | None = None
    at_risk_ratio: float | None = Field(None, gt=0, le=1)
    at_risk: dict[Severity, object] | None = None
    next_reply: dict[Severity, object] | None = None


class ContractVersion(Strict):
    effective: Day  # from 00:00 of this day in the support team's time zone
    description: str = ""
    plans: dict[str, PlanChange]


def merged(base: dict[str, object], change: PlanChange) -> dict[str, object]:
    """A plan's YAML mapping with `change` laid over it (targets merged by severity)."""
    out = dict(base)
    for key, value in change.model_dump(exclude_unset=True).items():
        if key in ("response", "resolution", "at_risk", "next_reply") and value is not None:
            out[key] = {**dict(base.get(key) or {}), **value}  # type: ignore[call-overload]
        else:
            out[key] = value
    return out


def check_versions(
    versions: list[ContractVersion],
    plans: Mapping[str, Any],  # name -> PlanConfig
    channels: set[str],
    validate: Callable[[dict[str, object]], Any],  # PlanConfig.model_validate
) -> None:
    """Versions oldest first, on known plans, each merged plan a valid plan."""
    days = [v.effective for v in versions]
    for index, (before, after) in enumerate(itertools.pairwise(days), start=1):
        if after <= before:
            raise ValueError(
                f"contract_versions.{index}.effective: {after} is not after the "
                f"previous version's {before} (list versions oldest first)"
            )
    current = dict(plans)
    for index, version in enumerate(versions):
        for name, change in version.plans.items():
            where = f"contract_versions.{index}.plans.{name}"
            if name not in current:
                raise ValueError(f"{where}: unknown plan {name!r} (known: {', '.join(current)})")
            try:
                plan = validate(merged(current[name].model_dump(), change))
            except ValidationError as exc:
                error = exc.errors()[0]
                path = ".".join(str(p) for p in error["loc"] if p not in ("text", "best_effort"))
                message = str(error["msg"]).removeprefix("Value error, ")
                raise ValueError(f"{where}.{path}: {message}") from None
            unknown = sorted(set(plan.channels) - channels)
            if unknown:
                raise ValueError(f"{where}.channels: {unknown} not among the mapped channels")
            current[name] = plan


__all__ = ["ContractVersion", "PlanChange", "check_versions", "merged"]
