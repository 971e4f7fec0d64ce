"""The labelled severity corpus: hand-written ticket cores in batches, read and split by batch.

A batch file (`corpus/cores/<batch>.txt`) holds tickets written in one sitting, in one
language variety and style; a ticket opens with `== <severity> <kind> | <reason>`, then
`S: <subject>`, then its body. The split is by batch (`corpus/splits.yaml`), never by row,
so the test part measures phrasing the model never saw. DATASHEET.md says how it was made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from zendesk_sla.core.severities import SEVERITIES

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
PARTS = ("train", "dev", "test")

# POLICY.md 6: each severity's kinds of report (security reports kept apart).
KINDS: dict[str, tuple[str, ...]] = {
    "blocker": ("down", "breach"),
    "critical": ("service", "vuln", "dos"),
    "major": ("instability", "lost", "performance", "vuln-slow", "past"),
    "trivial": ("plugin", "hacking", "question", "info", "doc", "reco", "improve"),
}


class CorpusError(ValueError):
    """A batch file or the split that does not read as the corpus format says."""


@dataclass(frozen=True)
class Core:
    """One hand-written ticket: its label, why, and the text a customer typed."""

    batch: str
    language: str
    severity: str
    kind: str
    reason: str
    subject: str
    body: str

    @property
    def key(self) -> str:
        """Stable across edits elsewhere in the corpus: the batch and the ticket's own text."""
        text = f"{self.batch}|{self.subject}|{self.body}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @property
    def group(self) -> str:
        """The language group the targets are measured on: es, en, or pt/ca/mixed."""
        head = self.language.split("-")[0]
        return head if head in ("es", "en") else "pt-ca-mixed"


def read_batch(path: Path) -> list[Core]:
    meta: dict[str, str] = {}
    cores: list[Core] = []
    head: tuple[str, str, str] | None = None
    subject: str | None = None
    body: list[str] = []

    def close(line_no: int) -> None:
        if head is None:
            return
        if not subject or not "\n".join(body).strip():
            raise CorpusError(f"{path.name}:{line_no}: a ticket needs `S: subject` and a body")
        cores.append(Core(meta["batch"], meta["language"], *head, subject, "\n".join(body).strip()))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#!"):
            key, _, value = line[2:].partition(":")
            meta[key.strip()] = value.strip()
        elif line.startswith("=="):
            close(number)
            label, _, reason = line[2:].partition("|")
            severity, _, kind = label.strip().partition(" ")
            if severity not in SEVERITIES or kind.strip() not in KINDS[severity]:
                raise CorpusError(f"{path.name}:{number}: unknown label {label.strip()!r}")
            if not reason.strip():
                raise CorpusError(f"{path.name}:{number}: a ticket needs its reason")
            if "batch" not in meta or "language" not in meta:
                raise CorpusError(f"{path.name}: `#! batch:` and `#! language:` come first")
            head, subject, body = (severity, kind.strip(), reason.strip()), None, []
        elif head is not None and subject is None and line.startswith("S:"):
            subject = line[2:].strip()
        elif head is not None and subject is not None:
            body.append(line)
        elif line.strip() and not line.startswith("#"):
            raise CorpusError(f"{path.name}:{number}: text outside a ticket")
    close(number + 1 if cores or head else 0)
    return cores


def read_cores(directory: Path = CORPUS_DIR) -> list[Core]:
    cores = [c for path in sorted((directory / "cores").glob("*.txt")) for c in read_batch(path)]
    seen: dict[str, Core] = {}
    for core in cores:
        if core.key in seen:
            raise CorpusError(f"{core.batch}: the ticket {core.subject!r} is written twice")
        seen[core.key] = core
    return cores


def read_split(directory: Path = CORPUS_DIR) -> dict[str, str]:
    """batch -> part; a batch not named is a training batch."""
    raw = yaml.safe_load((directory / "splits.yaml").read_text(encoding="utf-8")) or {}
    split: dict[str, str] = {}
    for part in ("dev", "test"):
        for batch in raw.get(part) or ():
            if batch in split:
                raise CorpusError(f"splits.yaml: batch {batch} is in two parts")
            split[batch] = part
    return split


def part_of(core: Core, split: dict[str, str]) -> str:
    return split.get(core.batch, "train")


def by_part(cores: Iterable[Core], split: dict[str, str], part: str) -> Iterator[Core]:
    return (c for c in cores if part_of(c, split) == part)
