"""The labelled severity corpus (benchmarks/data/severity_corpus.txt) and its split."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "severity_corpus.txt"


@dataclass(frozen=True)
class Example:
    severity: str
    language: str
    kind: str
    subject: str
    description: str

    @property
    def part(self) -> str:
        """test when the first hex digit of sha256(subject|description) is 0-5, else dev."""
        digest = hashlib.sha256(f"{self.subject}|{self.description}".encode()).hexdigest()
        return "test" if digest[0] in "012345" else "dev"

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.description}"


def load(path: Path = CORPUS) -> list[Example]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        severity, language, kind, subject, description = line.split("|", 4)
        out.append(Example(severity, language, kind, subject, description))
    return out
