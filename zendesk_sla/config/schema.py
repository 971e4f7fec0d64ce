"""The contract file's shape: pydantic models, strict (unknown keys refused), with the rules
each value must follow. Errors carry the key path; `load` turns them into one line each."""

from __future__ import annotations

import itertools
import re
from dataclasses import asdict, fields
from datetime import time
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from zendesk_sla.config.schema_base import Day, Duration, Severity, Strict, parse_duration
from zendesk_sla.config.schema_rules import (
    AlertsConfig,
    EscalationConfig,
    HelpCenterConfig,
    NotesConfig,
    PendingConfig,
    QuotaConfig,
    RefusedConfig,
    SeverityConfig,
    ViewsConfig,
)
from zendesk_sla.config.schema_versions import ContractVersion, check_versions, merged
from zendesk_sla.core.calendar import WEEKDAYS
from zendesk_sla.core.policy import SEVERITIES, Tags

_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class BestEffort(Strict):
    best_effort_after: Duration


class Hours(Strict):
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]]
    windows: list[str]

    @field_validator("windows")
    @classmethod
    def _windows(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a plan with hours needs at least one window")
        spans = []
        for window in value:
            match = _WINDOW.match(window)
            if not match:
                raise ValueError(f"invalid window {window!r} (expected like '09:00-18:00')")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if not (h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h1, m1) < (h2, m2)):
                raise ValueError(f"window {window!r} must open before it closes, within a day")
            spans.append(((h1, m1), (h2, m2), window))
        spans.sort()
        for (_, end, first), (start, _, second) in itertools.pairwise(spans):
            if start < end:
                raise ValueError(f"windows {first!r} and {second!r} overlap")
        return value

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a plan with hours needs at least one day")
        if len(set(value)) != len(value):
            raise ValueError("a day is listed twice")
        return value

    def weekly(self) -> dict[int, tuple[tuple[time, time], ...]]:
        spans = []
        for window in self.windows:
            h1, m1, h2, m2 = (int(g) for g in _WINDOW.match(window).groups())  # type: ignore[union-attr]
            spans.append((time(h1, m1), time(h2, m2)))
        return {WEEKDAYS.index(day): tuple(spans) for day in self.days}


def _target_kind(value: object) -> str:
    return "best_effort" if isinstance(value, dict | BestEffort) else "text"


TargetSpec = Annotated[
    Annotated[Duration, Tag("text")] | Annotated[BestEffort, Tag("best_effort")],
    Discriminator(_target_kind),
]


def _at_risk_spec(value: object) -> float | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value <= 1:
            return float(value)
    elif isinstance(value, str):
        parse_duration(value)
        return value
    raise ValueError(
        f"{value!r}: expected a share of the target between 0 and 1 (0.5) "
        "or a time before the due ('2h', '1d')"
    )


AtRiskSpec = Annotated[object, AfterValidator(_at_risk_spec)]


class PlanConfig(Strict):
    hours: Hours | None
    channels: list[str]
    authorized_contacts: int | None = Field(ge=0, le=100_000)
    tickets_per_year: int | None = Field(ge=0, le=1_000_000)
    response: dict[Severity, TargetSpec]
    resolution: dict[Severity, TargetSpec]
    at_risk_ratio: float | None = Field(None, gt=0, le=1)  # over the top-level one
    # Per severity, over the ratios: a share of the target (0.5) or a time before due ("2h").
    at_risk: dict[Severity, AtRiskSpec] = {}
    # After the first reply, the longest the customer waits for each next reply (business
    # time); off when absent. Breaches tag sla_next_reply_breached.
    next_reply: dict[Severity, TargetSpec] = {}


class HolidayConfig(Strict):
    country: str = "ES"
    subdivision: str | None = None
    extra: list[Day] = []


INPUT_TAGS = ("third_party", "out_of_scope", "severity_input_prefix", "project_prefix")


def _tags(value: dict[str, str]) -> dict[str, str]:
    """Tag names over the defaults of `Tags`; an unknown name is a typo."""
    known = {f.name for f in fields(Tags)}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(f"unknown tag names {unknown} (known: {', '.join(sorted(known))})")
    merged = {**asdict(Tags()), **value}
    tag = re.compile(r"^[a-z0-9_:\-]+$")
    for name, text in merged.items():
        if not tag.match(text):
            raise ValueError(f"{name}: {text!r} is not a Zendesk tag (lower case, no spaces)")
    # The worker removes every tag under its own prefixes: an agent's tag or prefix under
    # one of them (or one of them inside an agent's prefix) would be removed as its own.
    owned = {n: merged[n] for n in ("plan_prefix", "severity_prefix")}
    agents = {n: merged[n] for n in INPUT_TAGS}
    for own, prefix in owned.items():
        for name, text in agents.items():
            if text.startswith(prefix) or (name.endswith("_prefix") and prefix.startswith(text)):
                raise ValueError(f"{name} {text!r} and {own} {prefix!r} overlap")
    if owned["plan_prefix"].startswith(owned["severity_prefix"]) or owned[
        "severity_prefix"
    ].startswith(owned["plan_prefix"]):
        raise ValueError("plan_prefix and severity_prefix must not start with each other")
    fixed = [t for n, t in merged.items() if not n.endswith("_prefix")]
    if len(set(fixed)) != len(fixed):
        raise ValueError("two tag names are the same")
    return value


TagsConfig = Annotated[dict[str, str], AfterValidator(_tags)]


class ZendeskFields(Strict):
    # A ticket field's title, or its id (an int) to pin it when titles repeat.
    ticket_fields: dict[
        Literal["severity", "applied_severity", "response_due", "resolution_due", "next_due_local"],
        Annotated[str, Field(min_length=1)] | Annotated[int, Field(gt=0, strict=True)],
    ]
    organization_fields: dict[
        Literal[
            "plan",
            "contract_start",
            "go_lives",
            "bundles",
            "quota_used",
            "quota_included",
            "quota_remaining",
            "quota_year",
        ],
        Annotated[str, Field(min_length=1)],
    ]
    user_fields: dict[Literal["authorized"], Annotated[str, Field(min_length=1)]]

    @model_validator(mode="after")
    def _required(self) -> ZendeskFields:
        need: dict[str, tuple[set[str], tuple[str, ...]]] = {
            "ticket_fields": (set(self.ticket_fields), ("applied_severity", "response_due")),
            "organization_fields": (set(self.organization_fields), ("plan",)),
            "user_fields": (set(self.user_fields), ("authorized",)),
        }
        for group, (given, keys) in need.items():
            missing = [k for k in keys if k not in given]
            if missing:
                raise ValueError(f"{group}: required {', '.join(missing)} is missing")
        return self


class SyncConfig(Strict):
    poll_interval_seconds: int = Field(60, ge=5)
    sweep_interval_seconds: int = Field(900, ge=30)
    page_size: int = Field(1000, ge=1, le=1000)
    write_batch_size: int = Field(100, ge=1, le=100)
    job_poll_interval_seconds: float = Field(1.0, gt=0)
    job_poll_timeout_seconds: float = Field(120, gt=0)
    rate_limit_wait_budget_seconds: int = Field(300, ge=0)
    # Pacing: requests kept in reserve of the account's per-minute budget (other apps share
    # it), and the incremental exports' own limit (10/min; 30 with the High Volume add-on).
    rate_limit_reserve: int = Field(50, ge=0, le=2000)
    incremental_exports_per_minute: int = Field(10, ge=0, le=100)
    max_jobs_in_flight: int = Field(10, ge=1, le=30)  # Zendesk runs 30 per account at most
    initial_lookback_days: int = Field(365, ge=0)
    note_settle_seconds: float = Field(600, ge=0)
    health_max_age_seconds: int = Field(900, ge=30)
    # Liveness fails when no cycle ran to its end (cycles crash: the state's database is
    # away) for this long, so the orchestrator restarts the worker.
    liveness_max_seconds: int = Field(900, ge=60)


class OrgOverride(Strict):
    """Organization data kept in YAML, winning over the organization's Zendesk fields."""

    id: int | None = None
    external_id: str | None = None
    plan: str | None = None
    contract_start: Day | None = None
    go_lives: list[str] | None = None  # "2026-03-01" or "Project name: 2026-03-01"
    bundles: dict[int, int] | None = None  # quota year -> extra tickets bought

    @model_validator(mode="after")
    def _one_key(self) -> OrgOverride:
        if (self.id is None) == (self.external_id is None):
            raise ValueError("give exactly one of 'id' or 'external_id'")
        return self

    def fields(self) -> dict[str, object]:
        data: dict[str, object] = {
            "plan": self.plan,
            "contract_start": self.contract_start.isoformat() if self.contract_start else None,
            "go_lives": self.go_lives,
            "bundles": self.bundles,
        }
        return {k: v for k, v in data.items() if v is not None}


class ConfigFile(Strict):
    timezone: str
    holidays: HolidayConfig = HolidayConfig()
    at_risk_ratio: float = Field(0.75, gt=0, le=1)
    solve_stops_response: bool = True
    plans: dict[str, PlanConfig]
    channels: dict[str, str]
    severity: SeverityConfig
    tags: TagsConfig = {}
    quota: QuotaConfig
    pending_closure: PendingConfig
    refused_writes: RefusedConfig
    notes: NotesConfig
    zendesk: ZendeskFields
    sync: SyncConfig = SyncConfig()
    organizations: list[OrgOverride] = []
    contract_versions: list[ContractVersion] = []
    help_center: HelpCenterConfig | None = None
    views: ViewsConfig | None = None
    alerts: AlertsConfig | None = None
    escalation: EscalationConfig | None = None

    def plans_from(self, index: int) -> dict[str, PlanConfig]:
        """The plans in force under contract version `index` (-1: the original terms)."""
        plans = dict(self.plans)
        for version in self.contract_versions[: index + 1]:
            for name, change in version.plans.items():
                plans[name] = PlanConfig.model_validate(merged(plans[name].model_dump(), change))
        return plans

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ConfigFile:
        for index, override in enumerate(self.organizations):
            if override.plan is not None and override.plan not in self.plans:
                raise ValueError(
                    f"organizations.{index}.plan: unknown plan {override.plan!r} "
                    f"(known: {', '.join(self.plans)})"
                )
        known = set(self.channels.values())
        for name, plan in self.plans.items():
            unknown = sorted(set(plan.channels) - known)
            if unknown:
                raise ValueError(
                    f"plans.{name}.channels: {unknown} not among the channels mapped in 'channels'"
                )
        check_versions(self.contract_versions, self.plans, known, PlanConfig.model_validate)
        for key, names, allowed in (
            ("plan_names", self.notes.plan_names, list(self.plans)),
            ("severity_names", self.notes.severity_names, list(SEVERITIES)),
        ):
            unknown = sorted(set(names) - set(allowed))
            if unknown:
                what = key.split("_")[0]
                raise ValueError(
                    f"notes.{key}.{unknown[0]}: not a {what} (known: {', '.join(allowed)})"
                )
        return self


__all__ = ["ConfigFile", "OrgOverride", "SyncConfig", "ZendeskFields", "parse_duration"]
