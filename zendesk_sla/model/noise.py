"""Mail as customers send it, around a hand-written core: greetings, signatures with trap words,
legal disclaimers, quoted and forwarded threads, HTML remnants, pasted logs, phone footers.

The label stays the core's: noise never changes what the customer reports now. A quoted
thread is another core of the same batch (an old message), so an outage that is only quoted
teaches the model nothing about the current one. Seeded by the core's key: the same corpus
always gives the same tickets. The envelope's texts are data, in `corpus/noise.yaml`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import yaml

from zendesk_sla.model.corpus import CORPUS_DIR, Core


@lru_cache(maxsize=1)
def envelope() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CORPUS_DIR / "noise.yaml").read_text("utf-8"))
    return loaded


def _lang(core: Core) -> str:
    head = core.language.split("-")[0]
    if head in envelope()["greetings"]:
        return head
    return "es"  # mixed writing: the Spanish envelope is the commonest


def wrap(core: Core, batch: Sequence[Core]) -> tuple[str, str]:
    """(subject, body) of the core sent as a real e-mail would bring it."""
    kit = envelope()
    rng = random.Random(core.key)
    lang = _lang(core)
    subject, body = core.subject, core.body
    parts: list[str] = []
    if rng.random() < 0.6:
        parts.append(rng.choice(kit["greetings"][lang]))
    parts.append(body)
    if rng.random() < 0.25:
        parts.append("\n".join(rng.sample(kit["logs"], k=rng.randint(1, 3))))
    if rng.random() < 0.7:
        parts.append(rng.choice(kit["closings"][lang]))
    if rng.random() < 0.6:
        parts.append(("-- \n" if rng.random() < 0.3 else "") + rng.choice(kit["signatures"]))
    if rng.random() < 0.2:
        parts.append(rng.choice(kit["footers"]))
    if rng.random() < 0.35:
        parts.append(rng.choice(kit["disclaimers"]))
    others = [c for c in batch if c.key != core.key]
    if others and rng.random() < 0.4:
        old = rng.choice(others)
        day = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2026"
        time = f"{rng.randint(8, 19)}:{rng.randint(10, 59)}"
        style = rng.random()
        if style < 0.4:
            quoted = "\n".join("> " + line for line in old.body.splitlines())
            parts.append(kit["quote_headers"][lang].format(day=day, time=time) + "\n" + quoted)
        else:
            kind, who = ("outlook", "Soporte Athento") if style < 0.7 else ("forward", "it@x.test")
            header = kit[kind][lang].format(who=who, day=day, subject=old.subject)
            parts.append(header + "\n\n" + old.body)
        if rng.random() < 0.5:
            subject = ("RE: " if style < 0.7 else "FW: ") + subject
    text = "\n\n".join(parts)
    if rng.random() < 0.15:
        text = _html(text, rng, kit["html"])
    return subject, text


def _html(text: str, rng: random.Random, remnants: Sequence[str]) -> str:
    """Remnants of an HTML mail converted badly: tags and entities between the lines."""
    out = []
    for line in text.split("\n"):
        if rng.random() < 0.3:
            out.append(rng.choice(remnants) + line + rng.choice(remnants))
        else:
            out.append(line.replace(" ", "&nbsp;", 1) if rng.random() < 0.1 else line)
    return "\n".join(out)
