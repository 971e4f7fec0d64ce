"""Severity verdicts remembered in the state.

The classifier's reading of a text depends only on the text, the rules, the trained
model beside them (its digest) and the classifier's own code. A restarted worker, or a
re-evaluation of the whole history, reads the verdicts back from the state instead of
reading every text again. They are kept under a digest of all of these, so a rule change,
a new model (or a new release of the classifier) reads the texts afresh, and the verdicts
of other rules are dropped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from zendesk_sla.core import mail_text, text_model
from zendesk_sla.core import text_severity as classifier
from zendesk_sla.core.severities import SEVERITIES
from zendesk_sla.core.text_severity import Hit, TextRules, TextVerdict
from zendesk_sla.store import StateStore


def rules_digest(rules: TextRules) -> str:
    """The rules as they judge: the order of rules, negations and hypotheticals does not
    change a verdict (caps are tried in order); a model, or a model's thresholds, does."""
    code = b"".join(Path(str(m.__file__)).read_bytes() for m in (classifier, text_model, mail_text))
    canonical = (
        [(s, sorted(rules.rules.get(s, ()))) for s in SEVERITIES],
        sorted(rules.negations),
        sorted(rules.hypotheticals),
        rules.caps,
        rules.threshold,
        (rules.model.digest, rules.model_rules) if rules.model is not None else None,
    )
    described = repr(canonical).encode()
    return hashlib.sha256(code + b"\0" + described).hexdigest()[:24]


def text_key(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def encode(verdict: TextVerdict) -> str:
    hits = [[h.severity, h.weight, h.pattern, h.text] for h in verdict.hits]
    fields: list[object] = [verdict.severity, verdict.score, hits, verdict.strong, verdict.higher]
    if verdict.by_model:
        fields += [list(verdict.chances), list(verdict.evidence)]
    return json.dumps(fields, ensure_ascii=False)


@lru_cache(maxsize=4096)  # verdicts repeat (most texts have none, or the same few hits)
def decode(raw: str) -> TextVerdict:
    severity, score, hits, strong, higher, *model = json.loads(raw)
    chances, evidence = model if model else ((), ())
    return TextVerdict(
        severity,
        score,
        tuple(Hit(s, w, p, t) for s, w, p, t in hits),
        strong,
        higher,
        tuple(chances),
        tuple(evidence),
    )


class TextVerdicts:
    """The classifier's memo of one set of rules, filled from the state and saved to it."""

    def __init__(self, store: StateStore, rules: TextRules) -> None:
        self.store = store
        self.rules = rules
        self.digest = rules_digest(rules)
        self._asked: dict[str, str] = {}  # text -> key: not in the state when loaded
        self._pruned = False

    def load(self, texts: Iterable[str]) -> None:
        """Put the recorded verdicts of these texts in the classifier's memo."""
        memo = self.rules.memo
        wanted = {text_key(t): t for t in texts if t not in memo}
        found = self.store.text_verdicts(self.digest, list(wanted))
        for key, raw in found.items():
            memo[wanted[key]] = decode(raw)
        self._asked = {text: key for key, text in wanted.items() if key not in found}

    def save(self) -> None:
        """Record the verdicts read since `load` (inside the caller's transaction)."""
        memo = self.rules.memo
        rows = [(key, encode(memo[t])) for t, key in self._asked.items() if t in memo]
        self._asked = {}
        if not rows:
            return
        if not self._pruned:
            self.store.forget_text_verdicts_except(self.digest)
            self._pruned = True
        self.store.put_text_verdicts(self.digest, rows)
