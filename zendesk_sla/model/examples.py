"""The training examples: each corpus core as typed and as mailed (noise around it), read as
the worker reads a ticket (its subject, then the customer's own words).

The artefact records which corpus it was trained on (`corpus_digest`), so a test can tell a
stale shipped model from a current one without training it again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from zendesk_sla.core.mail_text import own_words
from zendesk_sla.core.text_severity import ticket_text
from zendesk_sla.model.corpus import Core, part_of
from zendesk_sla.model.noise import wrap

SHIPPED_PARTS = ("train", "dev")  # the test part is never trained on


@dataclass(frozen=True)
class Example:
    text: str
    severity: str
    group: str  # the writing batch (or "state"): held-out folds never split one
    weight: float = 1.0


def reading(subject: str, body: str) -> str:
    """What the model reads of a ticket: exactly what the core hands it."""
    return own_words(ticket_text(subject, body))


def tickets(cores: Sequence[Core]) -> list[tuple[Core, str, str]]:
    """Every core twice: as typed, and wrapped in the mail around it (subject, body)."""
    batches: dict[str, list[Core]] = {}
    for core in cores:
        batches.setdefault(core.batch, []).append(core)
    out: list[tuple[Core, str, str]] = []
    for core in cores:
        out.append((core, core.subject, core.body))
        out.append((core, *wrap(core, batches[core.batch])))
    return out


def corpus_examples(
    cores: Sequence[Core], split: dict[str, str], parts: Iterable[str] = SHIPPED_PARTS
) -> list[Example]:
    wanted = set(parts)
    chosen = [c for c in cores if part_of(c, split) in wanted]
    return [
        Example(reading(subject, body), core.severity, core.batch)
        for core, subject, body in tickets(chosen)
    ]


def corpus_digest(examples: Sequence[Example]) -> str:
    """The examples as trained on: texts, labels, groups and weights, in order."""
    digest = hashlib.sha256()
    for e in examples:
        digest.update(f"{e.severity}\0{e.group}\0{e.weight!r}\0{e.text}\0".encode())
    return digest.hexdigest()[:24]


def state_examples(
    labelled: Iterable[tuple[str, str]], corpus_test: Iterable[str], weight: float
) -> list[Example]:
    """Examples from (ticket text, agent severity) pairs: one per distinct text, none whose
    text is in the corpus's test part, none whose agents disagree on the same text."""
    held_out = set(corpus_test)
    seen: dict[str, str | None] = {}
    for text, severity in labelled:
        own = own_words(text)
        if not own.strip() or own in held_out:
            continue
        seen[own] = severity if seen.get(own, severity) == severity else None
    return [Example(t, s, "state", weight) for t, s in seen.items() if s is not None]
