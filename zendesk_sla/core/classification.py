"""Severity classification with the precedence of POLICY.md section 6.

Field, then an agent's `sla_sev_*` tag, then Zendesk priority, then keyword
rules, then the default. Keywords that point higher than the choice ask for a
review.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from zendesk_sla.core.policy import SEVERITIES, SeverityRules, severity_rank

Source = Literal["field", "tag", "priority", "keywords", "default"]


@dataclass(frozen=True)
class SeverityDecision:
    severity: str
    source: Source
    reason: str
    review: bool = False


def fold(text: str) -> str:
    """Lower case without accents, so `caído` matches `caido` (other non-ASCII letters drop)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return decomposed.encode("ascii", "ignore").decode("ascii")


@lru_cache(maxsize=64)
def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    words = sorted({fold(k) for k in keywords}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w)")


def keyword_severity(text: str, keywords: Mapping[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """The most severe level whose keywords appear in `text`, with the keyword found."""
    folded = fold(text)
    for severity in SEVERITIES:
        pattern = _pattern(tuple(keywords.get(severity, ())))
        match = pattern.search(folded) if pattern else None
        if match:
            return severity, match.group(1)
    return None


def classify(
    rules: SeverityRules,
    *,
    field_value: str | None,
    tags: Iterable[str],
    priority: str | None,
    text: str,
    tag_prefix: str = "sla_sev_",
) -> SeverityDecision:
    by_keywords = keyword_severity(text, rules.keywords)
    decision = _choose(rules, field_value, tags, priority, tag_prefix, by_keywords)
    review = (
        by_keywords is not None
        and decision.source != "keywords"
        and severity_rank(by_keywords[0]) < severity_rank(decision.severity)
    )
    if review and by_keywords:
        reason = f"{decision.reason}; keyword '{by_keywords[1]}' suggests {by_keywords[0]}"
        return SeverityDecision(decision.severity, decision.source, reason, review=True)
    return decision


def _choose(
    rules: SeverityRules,
    field_value: str | None,
    tags: Iterable[str],
    priority: str | None,
    tag_prefix: str,
    by_keywords: tuple[str, str] | None,
) -> SeverityDecision:
    # A dropdown's option values may be plain ("blocker") or tag-like ("sla_sev_blocker").
    value = (field_value or "").lower().removeprefix(tag_prefix)
    if value in SEVERITIES:
        return SeverityDecision(value, "field", f"severity field is {field_value}")
    tagged = sorted(
        (t[len(tag_prefix) :] for t in tags if t.startswith(tag_prefix)),
        key=lambda s: severity_rank(s) if s in SEVERITIES else len(SEVERITIES),
    )
    if tagged and tagged[0] in SEVERITIES:
        return SeverityDecision(tagged[0], "tag", f"tag {tag_prefix}{tagged[0]}")
    if priority and priority in rules.priority_map:
        mapped = rules.priority_map[priority]
        return SeverityDecision(mapped, "priority", f"priority {priority} maps to {mapped}")
    if by_keywords:
        return SeverityDecision(by_keywords[0], "keywords", f"keyword '{by_keywords[1]}'")
    return SeverityDecision(rules.default, "default", "no field, tag, priority or keyword")
