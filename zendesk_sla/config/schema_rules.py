"""The contract file's rules and texts: severity rules, quota, pending closure, refused
writes and the notes agents read; each template's placeholders checked."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from zendesk_sla.config.schema_base import Duration, Severity, Strict
from zendesk_sla.core.consumption import (
    PAGE_PLACEHOLDERS,
    SEGMENT_PLACEHOLDERS,
    TICKET_PLACEHOLDERS,
)
from zendesk_sla.core.pending import CLOSING_PLACEHOLDERS, NOTICE_PLACEHOLDERS
from zendesk_sla.core.plan_org import (
    CROSSING_PLACEHOLDERS,
    EXCEEDED_PLACEHOLDERS,
    YEAR_PLACEHOLDERS,
)
from zendesk_sla.core.plan_ticket import REFUSED_PLACEHOLDERS
from zendesk_sla.core.policy import NOTE_PLACEHOLDERS
from zendesk_sla.core.templates import template_errors


def _template(allowed: Collection[str]) -> AfterValidator:
    def check(value: str) -> str:
        errors = template_errors(value, allowed)
        if errors:
            raise ValueError("; ".join(errors))
        return value

    return AfterValidator(check)


def _pattern(value: str) -> str:
    if not value.split() or all(t == "~" for t in value.split()):
        raise ValueError(f"empty pattern {value!r}")
    if any(not t.replace("|", "").replace("*", "").strip() for t in value.split() if t != "~"):
        raise ValueError(f"pattern {value!r} has an empty word")
    return value


Pattern = Annotated[str, AfterValidator(_pattern)]


class CapConfig(Strict):
    severity: Severity
    cues: list[Pattern]


Chance = Annotated[float, Field(gt=0, lt=1)]


class ModelConfig(Strict):
    """The trained model beside the rules (POLICY 6): which file, and when an agent confirms."""

    # `bundled`: the model shipped with the worker; otherwise a path (relative to this file)
    # to one built by `zendesk-sla severity train`.
    file: str = "bundled"
    danger: Chance = 0.25  # chance of blocker or critical at which a lower level is confirmed
    confident: Chance = 0.55  # the chosen level's chance below which an agent confirms
    overrule: Chance = 0.9  # the model's chance at which it outweighs a strong phrase rule


class SeverityConfig(Strict):
    priority_map: dict[Literal["urgent", "high", "normal", "low"], Severity]
    default: Severity
    threshold: int = Field(2, ge=1, le=10)  # points a severity needs to be decided by text
    # severity -> weight (1-5) -> phrase patterns ("caid*" any word form, "a|b", "~" gap).
    rules: dict[Severity, dict[Annotated[int, Field(ge=1, le=5)], list[Pattern]]]
    negations: list[Pattern] = []  # a match right after one of these is not counted
    hypotheticals: list[Pattern] = []  # a match in a sentence opened by one is not counted
    # In order, the first whose cue the text holds bounds every signal at that severity.
    caps: list[CapConfig] = []
    model: ModelConfig | None = None  # no `model:` key: the phrase rules alone


class QuotaConfig(Strict):
    grace_months: int = Field(2, ge=0, le=24)
    warn_at: list[Annotated[float, Field(gt=0, le=2)]] = [0.8, 1.0]
    crossing_note: Annotated[str, _template(CROSSING_PLACEHOLDERS)]
    exceeded_note: Annotated[str, _template(EXCEEDED_PLACEHOLDERS)]
    year_field: Annotated[str, _template(YEAR_PLACEHOLDERS)] = "del {year_start} al {year_end}"


def _locale(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})?", value.lower()):
        raise ValueError(f"{value!r} is not a language code (es, en, pt-br)")
    return value.lower()


Locale = Annotated[str, AfterValidator(_locale)]


class PendingTexts(Strict):
    """The notice and the closing comment in one more language."""

    notice: Annotated[str, _template(NOTICE_PLACEHOLDERS)]
    closing: Annotated[str, _template(CLOSING_PLACEHOLDERS)]


class PendingConfig(Strict):
    notify_after: Duration = "7d"
    close_after: Duration = "3d"
    notify_existing_pending: bool = False
    notice: Annotated[str, _template(NOTICE_PLACEHOLDERS)]
    closing: Annotated[str, _template(CLOSING_PLACEHOLDERS)]
    # The language of `notice` and `closing`, written to requesters whose Zendesk language
    # has no translation below.
    language: Locale = "es"
    translations: dict[Locale, PendingTexts] = {}


def _note(name: str) -> Any:
    return Annotated[str, _template(NOTE_PLACEHOLDERS[name])]


class NotesConfig(Strict):
    """Every text an agent reads in the worker's notes (Spanish by default)."""

    sla_applied: _note("sla_applied")  # type: ignore[valid-type]
    sla_changed: _note("sla_changed")  # type: ignore[valid-type]
    sla_terms: _note("sla_terms")  # type: ignore[valid-type]
    terms_named: _note("terms_named") = "«{description}», en vigor desde el {since}"  # type: ignore[valid-type]
    terms_dated: _note("terms_dated") = "en vigor desde el {since}"  # type: ignore[valid-type]
    review: _note("review")  # type: ignore[valid-type]
    no_plan: _note("no_plan")  # type: ignore[valid-type]
    no_support: _note("no_support")  # type: ignore[valid-type]
    channel: _note("channel")  # type: ignore[valid-type]
    unauthorized: _note("unauthorized")  # type: ignore[valid-type]
    due_at: _note("due_at")  # type: ignore[valid-type]
    due_none: _note("due_none")  # type: ignore[valid-type]
    due_exempt: _note("due_exempt")  # type: ignore[valid-type]
    due_paused: _note("due_paused")  # type: ignore[valid-type]
    best_effort: _note("best_effort")  # type: ignore[valid-type]
    why_field: _note("why_field")  # type: ignore[valid-type]
    why_tag: _note("why_tag")  # type: ignore[valid-type]
    why_priority: _note("why_priority")  # type: ignore[valid-type]
    why_text: _note("why_text")  # type: ignore[valid-type]
    why_model: _note("why_model")  # type: ignore[valid-type]
    why_default: _note("why_default")  # type: ignore[valid-type]
    channel_names: dict[str, str] = {}
    state_names: dict[str, str] = {}
    plan_names: dict[str, str] = {}
    severity_names: dict[str, str] = {}


class RefusedConfig(Strict):
    max_attempts: int = Field(3, ge=1, le=20)
    retry_after_seconds: int = Field(3600, ge=60, le=7 * 86400)
    note: Annotated[str, _template(REFUSED_PLACEHOLDERS)]


class HelpCenterTexts(Strict):
    """The consumption page's words in one more language (a translation of the article)."""

    title: Annotated[str, _template(PAGE_PLACEHOLDERS)]
    body: Annotated[str, _template(PAGE_PLACEHOLDERS)]
    unlimited: str = "unlimited"
    ticket_row: Annotated[str, _template(TICKET_PLACEHOLDERS)] = "<li>#{id} {subject} ({date})</li>"
    no_tickets: str = "<li>-</li>"


class HelpCenterConfig(Strict):
    """Each organization's consumption, published in the support center (optional)."""

    locale: str = Field("es", pattern=r"^[a-z]{2}(-[a-z]{2})?$")
    category: str = Field(min_length=1)
    section: str = Field(min_length=1)
    segment_name: Annotated[str, _template(SEGMENT_PLACEHOLDERS)]
    title: Annotated[str, _template(PAGE_PLACEHOLDERS)]
    body: Annotated[str, _template(PAGE_PLACEHOLDERS)]
    unlimited: str = "sin límite"
    # Each ticket that used the quota this contract year, in {tickets} (HTML; the subject
    # is escaped), and what {tickets} says when there is none.
    ticket_row: Annotated[str, _template(TICKET_PLACEHOLDERS)] = "<li>#{id} {subject} ({date})</li>"
    no_tickets: str = "<li>Ninguno todavía.</li>"  # {tickets} sits in a list
    translations: dict[Locale, HelpCenterTexts] = {}


class ViewsConfig(Strict):
    """Zendesk views `setup` provisions (title each; null: not this one), most urgent first."""

    breached: str | None = None
    at_risk: str | None = None
    write_refused: str | None = None
    unauthorized: str | None = None
    severity_review: str | None = None
    quota_exceeded: str | None = None


class AlertConfig(Strict):
    """A trigger's e-mail to the assignee (or the group, unassigned). Subject and body are
    Zendesk's own placeholders ({{ticket.id}}...), sent as written."""

    title: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)


Recipient = Literal["assignee", "group", "lead", "webhook"]


class EscalationLevelConfig(Strict):
    """A level: reached at risk, at the breach, or this much business time after it; who
    is told (the assignee, else the ticket's group; the lead; the webhook), and what."""

    name: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    when: Literal["at_risk", "breached"]
    after: Duration | None = None
    notify: list[Recipient] = Field(min_length=1)
    subject: str = Field(min_length=1)  # Zendesk placeholders ({{ticket.id}}), as written
    body: str = Field(min_length=1)

    @model_validator(mode="after")
    def _after_a_breach(self) -> EscalationLevelConfig:
        if self.after is not None and self.when != "breached":
            raise ValueError(f"{self.name}: 'after' counts from a breach: use when: breached")
        return self


class WebhookConfig(Strict):
    name: str = Field(min_length=1)
    endpoint: str = Field(pattern=r"^https?://\S+$")  # a chat's incoming-webhook URL, say


class EscalationConfig(Strict):
    lead_user_id: int | None = Field(None, gt=0)  # the Zendesk user told as "lead"
    webhook: WebhookConfig | None = None
    levels: list[EscalationLevelConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _recipients_exist(self) -> EscalationConfig:
        names = [level.name for level in self.levels]
        if len(set(names)) != len(names):
            raise ValueError("levels: each name once")
        wanted = {r for level in self.levels for r in level.notify}
        if "lead" in wanted and self.lead_user_id is None:
            raise ValueError("a level notifies 'lead': set lead_user_id")
        if "webhook" in wanted and self.webhook is None:
            raise ValueError("a level notifies 'webhook': set webhook (name, endpoint)")
        return self


class AlertsConfig(Strict):
    at_risk: AlertConfig | None = None
    breached: AlertConfig | None = None
