"""Severity from what the customer wrote (POLICY 6): weighted phrase rules per severity,
read as customers write (any case, accents or not, word forms), with negation,
hypothetical and "it is back now" scopes.

Rules come from YAML in a small pattern language a support lead can write:
words separated by spaces; `caid*` matches any word starting with `caid`; `a|b`
matches either word; `~` skips up to three words. A match is ignored when a
negation cue ("no es", "not") stands just before it, or when a hypothetical cue
("en caso de", "what if") opens its sentence; caps bound every signal when the
text says what is affected ("el plugin": trivial) or that it works again (major).
The most severe level whose score reaches the threshold wins; a lower score is
weak evidence, chosen but flagged for review. With a trained model beside the rules
(`text_model`), the model decides where the rules are silent or weak. Both read only the
customer's own words (`mail_text`): no quoted thread, signature or disclaimer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from zendesk_sla.core.mail_text import own_words
from zendesk_sla.core.severities import SEVERITIES, severity_rank
from zendesk_sla.core.text_model import ModelReading, ModelRules, TextModel, judge

_NON_WORD = re.compile(r"[^a-z0-9]+")
MODEL_MIN_WORDS = 3  # a shorter text ("Hola", a bare subject) gives the model nothing to read
_SENTENCE = re.compile(r"[.!?;\n]+|\s[¿¡]")


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: `¡Caída TOTAL!` -> `caida total`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", plain).strip()


def _token(token: str) -> str:
    if token == "~":
        return r"(?:\S+ ){0,3}"
    alternatives = []
    for alt in token.split("|"):
        if alt.endswith("*"):
            alternatives.append(re.escape(normalize(alt[:-1])) + r"\S*")
        else:
            alternatives.append(re.escape(normalize(alt)))
    return "(?:" + "|".join(alternatives) + ") "


def _body(pattern: str) -> str:
    return "".join(_token(t) for t in pattern.split())


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The pattern language as a regular expression over normalized text (plus a space)."""
    return re.compile(r"(?<!\S)" + _body(pattern))


@lru_cache(maxsize=256)
def compile_any(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """Any of the patterns, as one expression: the word-start test is made once per
    position, not once per pattern (the cost of a cap's many cues)."""
    if not patterns:
        return re.compile(r"(?!)")
    return re.compile(r"(?<!\S)(?:" + "|".join(f"(?:{_body(p)})" for p in patterns) + ")")


class _Index:
    """The rules by the words a match can start with, so a text is tried only against the
    rules whose first word it holds; and each cap's cues as one expression."""

    def __init__(self, rules: TextRules) -> None:
        self.exact: dict[str, list[tuple[str, float, str]]] = {}
        prefixed: dict[str, list[tuple[str, float, str]]] = {}
        for severity in SEVERITIES:
            for weight, pattern in rules.rules.get(severity, ()):
                entry = (severity, weight, pattern)
                for alt in pattern.split(maxsplit=1)[0].split("|"):
                    if alt.endswith("*"):
                        prefixed.setdefault(normalize(alt[:-1]), []).append(entry)
                    else:
                        self.exact.setdefault(normalize(alt).split()[0], []).append(entry)
        self.prefixed = prefixed
        self.prefix_regex = re.compile(
            r"(?<!\S)(" + "|".join(sorted(map(re.escape, prefixed), key=len, reverse=True)) + ")"
            if prefixed
            else r"(?!)"
        )
        self.caps = [(severity, compile_any(tuple(cues))) for severity, cues in rules.caps]

    def candidates(self, text: str, words: set[str]) -> list[tuple[str, float, str]]:
        found = {e for w in words for e in self.exact.get(w, ())}
        for match in self.prefix_regex.finditer(text):
            # The longest prefix matched; shorter ones that also start this word count too.
            word = text[match.start() :].split(maxsplit=1)[0]
            for prefix, entries in self.prefixed.items():
                if word.startswith(prefix):
                    found.update(entries)
        order = {s: i for i, s in enumerate(SEVERITIES)}
        return sorted(found, key=lambda e: (order[e[0]], -e[1], e[2]))

    def cap(self, text: str) -> str | None:
        return next((severity for severity, regex in self.caps if regex.search(text)), None)


@dataclass(frozen=True)
class TextRules:
    rules: Mapping[str, tuple[tuple[float, str], ...]]  # severity -> (weight, pattern)
    negations: tuple[str, ...] = ()
    hypotheticals: tuple[str, ...] = ()
    # (severity, cues), in order: the first whose cue the text holds caps every signal at
    # that severity ("un plugin" -> trivial; "ddos" -> critical; "ya funciona" -> major).
    caps: tuple[tuple[str, tuple[str, ...]], ...] = ()
    threshold: float = 2.0
    model_rules: ModelRules = field(default_factory=ModelRules)
    # The trained model, if one is loaded (the composition root attaches it); its digest,
    # not the object, is part of the rules' identity (sync/verdicts.py).
    model: TextModel | None = field(default=None, compare=False, repr=False)
    # Derived once per rules: the verdicts already read (a ticket is read again at every
    # sweep) and the index of rules by first word. Not part of the rules' identity.
    memo: dict[str, TextVerdict] = field(default_factory=dict, compare=False, repr=False)
    derived: dict[str, _Index] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Hit:
    severity: str
    weight: float
    pattern: str
    text: str


@dataclass(frozen=True)
class TextVerdict:
    severity: str | None  # None: nothing in the text
    score: float
    hits: tuple[Hit, ...]
    strong: bool  # the score reached the threshold
    higher: str | None = None  # a more severe level the text also points to, if any
    # The model's reading, when it decided: chances in SEVERITIES order, the words that weighed.
    chances: tuple[float, ...] = ()
    evidence: tuple[str, ...] = ()

    @property
    def by_model(self) -> bool:
        return bool(self.chances)

    @property
    def chance(self) -> float | None:
        if not self.chances or self.severity is None:
            return None
        return self.chances[SEVERITIES.index(self.severity)]

    @property
    def phrases(self) -> tuple[str, ...]:
        """What weighed, in the customer's words: the model's evidence or the rules' matches."""
        if self.by_model:
            return self.evidence
        return tuple(h.text for h in self.hits if h.severity == self.severity)

    @property
    def reason(self) -> str:
        if self.by_model and self.chance is not None:
            shown = ", ".join(f"'{p}'" for p in self.evidence)
            return (
                f"text reads as {self.severity} ({self.chance:.0%}){': ' if shown else ''}{shown}"
            )
        decisive = [h for h in self.hits if h.severity == self.severity]
        shown = ", ".join(f"'{h.text}'" for h in decisive[:3])
        return f"text {shown} ({self.score:g} points)" if decisive else "no rule matched"


def _cue_before(cues: Sequence[str], text: str, start: int, words: int) -> bool:
    before = text[:start].split()[-words:]
    window = " ".join(before) + " "
    return compile_any(tuple(cues)).search(window) is not None


def ticket_text(subject: str, description: str) -> str:
    """What the classifier reads of a ticket: its subject, then its description."""
    return f"{subject}\n{description}"


def text_severity(text: str, rules: TextRules) -> TextVerdict:
    """The text's verdict; remembered, as a ticket is read again at every sweep."""
    verdict = rules.memo.get(text)
    if verdict is None:
        if len(rules.memo) > 200_000:
            rules.memo.clear()
        own = own_words(text)
        verdict = _read(own, rules)
        if rules.model is not None and len(own.split()) >= MODEL_MIN_WORDS:
            verdict = _with_model(verdict, rules.model.read(own), rules)
        rules.memo[text] = verdict
    return verdict


def _with_model(verdict: TextVerdict, reading: ModelReading, rules: TextRules) -> TextVerdict:
    found = judge(reading, rules.model_rules, verdict.severity, verdict.strong)
    if not found.by_model:
        higher = found.higher or verdict.higher
        return TextVerdict(
            found.severity, verdict.score, verdict.hits, found.sure, higher if higher else None
        )
    return TextVerdict(
        found.severity,
        verdict.score,
        verdict.hits,
        found.sure,
        found.higher,
        reading.probabilities,
        reading.evidence,
    )


def _read(text: str, rules: TextRules) -> TextVerdict:
    normalized = " " + normalize(text) + " "
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    clauses = [" " + normalize(s) + " " for s in sentences] or [normalized]
    index = rules.derived.get("index")
    if index is None:
        index = rules.derived["index"] = _Index(rules)
    cap = index.cap(normalized)
    hits: list[Hit] = []
    capped: set[str] = set()
    words = set(normalized.split())
    several = len(clauses) > 1
    for severity, weight, pattern in index.candidates(normalized, words):
        regex = compile_pattern(pattern)
        # A clause's match is also one in the whole text: one search rules most rules out.
        if several and regex.search(normalized) is None:
            continue
        for clause in clauses:
            match = regex.search(clause)
            if match is None:
                continue
            if _cue_before(rules.negations, clause, match.start(), 3):
                continue
            if _cue_before(rules.hypotheticals, clause, match.start(), 12):
                continue
            level = severity
            if cap is not None and severity_rank(severity) < severity_rank(cap):
                level = cap
                capped.add(severity)  # the text did point higher: an agent confirms
            hits.append(Hit(level, weight, pattern, match.group(0).strip()))
            break
    scores = {s: sum(h.weight for h in hits if h.severity == s) for s in SEVERITIES}
    strong = [s for s in SEVERITIES if scores[s] >= rules.threshold]
    if strong:
        chosen = strong[0]
    elif any(scores.values()):
        chosen = max(SEVERITIES, key=lambda s: (scores[s], -severity_rank(s)))
    else:
        return TextVerdict(None, 0.0, (), False)
    higher = next((s for s in SEVERITIES if scores[s] > 0 or s in capped), None)
    return TextVerdict(
        chosen,
        scores[chosen],
        tuple(hits),
        bool(strong),
        higher if higher is not None and severity_rank(higher) < severity_rank(chosen) else None,
    )
