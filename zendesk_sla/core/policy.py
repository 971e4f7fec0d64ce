"""The support contract as plain data: plans, targets, tags and rules (POLICY.md).

Built by the configuration loader from YAML; read by every other core module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cached_property
from typing import Literal

from zendesk_sla.core.calendar import BusinessCalendar
from zendesk_sla.core.consumption import PageTexts
from zendesk_sla.core.severities import SEVERITIES, severity_rank
from zendesk_sla.core.text_severity import TextRules

ClockKind = Literal["response", "resolution", "next_reply"]


@dataclass(frozen=True)
class Target:
    """A target such as `8h` or `3d` (business days of the plan), maybe only best effort."""

    amount: int
    unit: Literal["h", "d"]
    best_effort: bool = False

    def seconds(self, day_length: int) -> int:
        return self.amount * (3600 if self.unit == "h" else day_length)

    def __str__(self) -> str:
        text = f"{self.amount}{self.unit}"
        return f"best effort after {text}" if self.best_effort else text


@dataclass(frozen=True)
class Plan:
    name: str
    weekly: Mapping[int, tuple[tuple[time, time], ...]]
    channels: frozenset[str]
    max_contacts: int | None
    yearly_tickets: int | None
    response: Mapping[str, Target]
    resolution: Mapping[str, Target]
    at_risk_ratio: float | None = None  # None: the policy's
    # Per severity: a share of the target, or a time before the due (over the ratios).
    at_risk: Mapping[str, float | Target] = field(default_factory=dict)
    # After the first reply, each next reply to the customer (off when empty).
    next_reply: Mapping[str, Target] = field(default_factory=dict)

    @property
    def has_support(self) -> bool:
        return bool(self.weekly)

    def target(self, kind: ClockKind, severity: str) -> Target | None:
        targets = {"response": self.response, "resolution": self.resolution}
        return targets.get(kind, self.next_reply).get(severity)


@dataclass(frozen=True)
class Tags:
    """Tag names: the ones agents set (inputs) and the ones the worker owns (outputs)."""

    third_party: str = "sla_third_party"
    out_of_scope: str = "sla_out_of_scope"
    severity_input_prefix: str = "sla_sev_"
    project_prefix: str = "sla_project_"
    contact_prefix: str = "sla_contact_"  # a user tag: authorized contact of organization <id>
    escalation_prefix: str = "sla_escalation_"  # + a level's name
    # A trigger marks a ticket `<tag><notified_suffix>` once it told people about `<tag>`;
    # the mark is the trigger's, never the worker's.
    notified_suffix: str = "_avisado"
    no_support_plan: str = "sla_no_support_plan"
    org_not_set_up: str = "sla_org_not_set_up"  # the organization's plan is not a known plan
    severity_review: str = "sla_severity_review"
    plan_prefix: str = "sla_plan_"
    severity_prefix: str = "sla_severity_"
    at_risk: str = "sla_at_risk"
    response_breached: str = "sla_response_breached"
    resolution_breached: str = "sla_resolution_breached"
    next_reply_breached: str = "sla_next_reply_breached"
    response_over_target: str = "sla_response_over_target"
    unauthorized_contact: str = "sla_unauthorized_contact"
    channel_not_in_plan: str = "sla_channel_not_in_plan"
    quota_counted: str = "sla_quota_counted"
    quota_grace: str = "sla_quota_grace"
    quota_exceeded: str = "sla_quota_exceeded"
    pending_notice: str = "sla_pending_notice"
    closed_no_response: str = "sla_closed_no_response"
    write_refused: str = "sla_write_refused"  # Zendesk refused a write: an agent takes over

    @cached_property
    def fixed_outputs(self) -> frozenset[str]:
        return frozenset(
            {
                self.no_support_plan,
                self.org_not_set_up,
                self.severity_review,
                self.at_risk,
                self.response_breached,
                self.resolution_breached,
                self.next_reply_breached,
                self.response_over_target,
                self.unauthorized_contact,
                self.channel_not_in_plan,
                self.quota_counted,
                self.quota_grace,
                self.quota_exceeded,
                self.pending_notice,
                self.closed_no_response,
                self.write_refused,
            }
        )

    def is_owned(self, tag: str) -> bool:
        """True for a tag the worker may add and remove; never for an agent's input tag."""
        return (
            tag in self.fixed_outputs
            or tag.startswith(self.plan_prefix)
            or tag.startswith(self.severity_prefix)
            or tag.startswith(self.escalation_prefix)
        ) and not tag.endswith(self.notified_suffix)

    def notified(self, tag: str) -> str:
        """The mark a trigger adds once it told people about `tag`."""
        return f"{tag}{self.notified_suffix}"


@dataclass(frozen=True)
class SeverityRules:
    priority_map: Mapping[str, str]
    text: TextRules
    default: str


@dataclass(frozen=True)
class PendingRules:
    notify_after_seconds: int
    close_after_seconds: int
    notice_template: str
    closing_template: str
    notify_existing_pending: bool = False
    language: str = "es"  # of the two templates above
    translations: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # (notice, closing)

    def texts(self, locale: str) -> tuple[str, str]:
        """(notice, closing) in the requester's Zendesk language (`pt-BR`: `pt-br`, then
        `pt`), else in `language`."""
        wanted = locale.lower()
        for key in (wanted, wanted.split("-")[0]):
            if key in self.translations:
                return self.translations[key]
            if key == self.language:
                break
        return self.notice_template, self.closing_template


@dataclass(frozen=True)
class QuotaRules:
    grace_months: int = 2
    warn_ratios: tuple[float, ...] = (0.8, 1.0)
    crossing_template: str = "{percent} % of {included} tickets used"
    exceeded_template: str = "quota exceeded: {used} of {included}"
    year_template: str = "{year_start} - {year_end}"  # the `quota_year` organization field


@dataclass(frozen=True)
class NoteTexts:
    """Every text an agent reads in the worker's notes: YAML templates (Spanish by default)."""

    sla_applied: str = "{plan} {severity} {why} {response} {resolution}{review}"
    sla_changed: str = "{previous_plan} {previous_severity} -> {plan} {severity} {why}"
    sla_terms: str = "{terms}: {response} {resolution}"
    # How {terms} names a contract version: with the lead's description, or by its date.
    terms_named: str = "{description} ({since})"
    terms_dated: str = "{since}"
    review: str = " (review)"
    no_plan: str = "no plan"
    no_support: str = "{plan}: no support"
    channel: str = "{channel} not in {plan} ({plan_channels})"
    unauthorized: str = "not an authorized contact"
    due_at: str = "{date} {time} ({timezone})"
    due_none: str = "-"
    due_exempt: str = "-"
    due_paused: str = "paused ({status})"
    best_effort: str = " (best effort)"
    why_field: str = "{value}"
    why_tag: str = "{tag}"
    why_priority: str = "{priority}"
    why_text: str = "{phrases}"
    why_model: str = "{phrases} ({chance})"
    why_default: str = "-"
    channel_names: Mapping[str, str] = field(default_factory=dict)
    state_names: Mapping[str, str] = field(default_factory=dict)
    # How a person reads a plan or a severity key ("company" -> "Company", "critical" ->
    # "Crítica"); a key without a name is shown as it is.
    plan_names: Mapping[str, str] = field(default_factory=dict)
    severity_names: Mapping[str, str] = field(default_factory=dict)

    def plan(self, key: str | None) -> str:
        return "" if key is None else self.plan_names.get(key, key)

    def severity(self, key: str | None) -> str:
        return "" if key is None else self.severity_names.get(key, key)


NOTE_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "sla_applied": ("plan", "severity", "why", "response", "resolution", "review"),
    "sla_changed": (
        "plan",
        "severity",
        "why",
        "response",
        "resolution",
        "review",
        "previous_plan",
        "previous_severity",
    ),
    "sla_terms": ("terms", "plan", "severity", "response", "resolution"),
    "terms_named": ("description", "since"),
    "terms_dated": ("since",),
    "review": (),
    "no_plan": (),
    "no_support": ("plan",),
    "channel": ("plan", "channel", "plan_channels"),
    "unauthorized": (),
    "due_at": ("date", "time", "timezone"),
    "due_none": (),
    "due_exempt": (),
    "due_paused": ("status",),
    "best_effort": (),
    "why_field": ("value",),
    "why_tag": ("tag",),
    "why_priority": ("priority",),
    "why_text": ("phrases",),
    "why_model": ("phrases", "chance"),
    "why_default": (),
}


@dataclass(frozen=True)
class EscalationLevel:
    """A level the worker tags `sla_escalation_<name>` once a ticket reaches it."""

    name: str
    when: Literal["at_risk", "breached"]
    after: Target | None = None  # with `breached`: this much business time past the target


@dataclass(frozen=True)
class RefusedRules:
    """POLICY 10: a refused write is retried a bounded number of times, then handed over."""

    max_attempts: int = 3
    retry_after_seconds: int = 3600  # before the second attempt; 4x longer each time after
    note_template: str = "{reason}"

    def wait_after(self, attempt: int) -> int:
        """Seconds before the next try after `attempt` refusals (1, 2, ...): 4x longer each
        time, and past the last attempt the longest wait again."""
        step = min(max(attempt, 1), self.max_attempts) - 1
        return int(self.retry_after_seconds * 4**step)


@dataclass(frozen=True)
class Policy:
    timezone: str
    plans: Mapping[str, Plan]
    calendars: Mapping[str, BusinessCalendar]
    tags: Tags
    severity: SeverityRules
    channel_map: Mapping[str, str]  # Zendesk via.channel -> contract channel
    pending: PendingRules
    quota: QuotaRules = field(default_factory=QuotaRules)
    at_risk_ratio: float = 0.75
    solve_stops_response: bool = True  # POLICY 4: a solve before any reply is the answer
    refused: RefusedRules = field(default_factory=RefusedRules)
    texts: NoteTexts = field(default_factory=NoteTexts)
    # Contract versions: (in force from, the policy with those plans), oldest first. A ticket
    # is judged by the terms in force at its creation; `self` holds the original terms.
    pages: PageTexts | None = None  # each organization's consumption in the support center
    escalation: tuple[EscalationLevel, ...] = ()  # in the YAML's order (core.escalation)
    later: tuple[tuple[datetime, Policy], ...] = ()
    terms: str = "original"  # which terms these are: "original", or the version's date
    effective: datetime | None = None  # when these terms took effect (None: the original)
    description: str = ""  # the version as the lead described it in the YAML
    digest: str = ""  # of everything in the YAML that decides a ticket under these terms

    def in_force(self, at: datetime) -> Policy:
        """The terms in force at `at` (a ticket's creation, a quota year's start)."""
        for start, policy in reversed(self.later):
            if at >= start:
                return policy
        return self

    def latest(self) -> Policy:
        """The newest terms, applied to every ticket: a re-judging the lead asked for."""
        return self.later[-1][1] if self.later else self


__all__ = ["SEVERITIES", "ClockKind", "Policy", "severity_rank"]
