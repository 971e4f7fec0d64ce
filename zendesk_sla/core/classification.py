"""Severity classification with the precedence of POLICY.md section 6.

Field, then an agent's `sla_sev_*` tag, then Zendesk priority, then the text
(`text_severity`: the phrase rules and, beside them, a trained model), then the default.
The review flag goes up when the text points higher than the choice, or when the text
decided on weak evidence (few points, or a chance the leads' YAML calls too low).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from zendesk_sla.core.policy import SEVERITIES, SeverityRules, severity_rank
from zendesk_sla.core.text_severity import TextVerdict, text_severity

Source = Literal["field", "tag", "priority", "text", "default"]


@dataclass(frozen=True)
class SeverityDecision:
    severity: str
    source: Source
    reason: str
    review: bool = False
    detail: str = ""  # what decided, for a person: the tag, the priority, the phrases found
    chance: float | None = None  # the model's chance of this severity, when the model decided


def classify(
    rules: SeverityRules,
    *,
    field_value: str | None,
    tags: Iterable[str],
    priority: str | None,
    text: str,
    tag_prefix: str = "sla_sev_",
) -> SeverityDecision:
    verdict = text_severity(text, rules.text)
    decision = _choose(rules, field_value, tags, priority, tag_prefix, verdict)
    if decision.source == "text":
        if verdict.higher is not None:
            return SeverityDecision(
                decision.severity,
                "text",
                f"{decision.reason}; weaker signs of {verdict.higher}",
                review=True,
                detail=decision.detail,
                chance=decision.chance,
            )
        return decision
    pointed = verdict.severity if verdict.strong else verdict.higher
    if pointed is not None and severity_rank(pointed) < severity_rank(decision.severity):
        reason = f"{decision.reason}; the text suggests {pointed} ({verdict.reason})"
        return SeverityDecision(
            decision.severity, decision.source, reason, review=True, detail=decision.detail
        )
    return decision


def _choose(
    rules: SeverityRules,
    field_value: str | None,
    tags: Iterable[str],
    priority: str | None,
    tag_prefix: str,
    verdict: TextVerdict,
) -> SeverityDecision:
    agent = agent_severity(field_value, tags, tag_prefix)
    if agent is not None:
        severity, how, shown = agent
        if how == "field":
            return SeverityDecision(severity, "field", f"severity field is {shown}", detail=shown)
        return SeverityDecision(severity, "tag", f"tag {shown}", detail=shown)
    if priority and priority in rules.priority_map:
        mapped = rules.priority_map[priority]
        return SeverityDecision(
            mapped, "priority", f"priority {priority} -> {mapped}", detail=priority
        )
    if verdict.severity is not None:
        # Weak evidence is still the best reading of the text, but an agent should confirm.
        phrases = ", ".join(f"«{p}»" for p in verdict.phrases) or "-"
        return SeverityDecision(
            verdict.severity,
            "text",
            verdict.reason,
            review=not verdict.strong,
            detail=phrases,
            chance=verdict.chance,
        )
    # Nothing to go on: the default, and an agent confirms it (POLICY 6: never silently).
    return SeverityDecision(
        rules.default, "default", "no field, tag, priority or text signal", review=True
    )


def agent_severity(
    field_value: str | None, tags: Iterable[str], tag_prefix: str = "sla_sev_"
) -> tuple[str, Literal["field", "tag"], str] | None:
    """The severity a person set on the ticket (the field, else an `sla_sev_*` tag; of two
    tags the more severe), how, and as they wrote it; None when nobody set one."""
    # A dropdown's option values may be plain ("blocker") or tag-like ("sla_sev_blocker").
    value = (field_value or "").lower().removeprefix(tag_prefix)
    if value in SEVERITIES:
        return value, "field", str(field_value)
    tagged = [t[len(tag_prefix) :] for t in tags if t.startswith(tag_prefix)]
    if len(tagged) > 1:
        tagged.sort(key=lambda s: severity_rank(s) if s in SEVERITIES else len(SEVERITIES))
    if tagged and tagged[0] in SEVERITIES:
        return tagged[0], "tag", f"{tag_prefix}{tagged[0]}"
    return None
