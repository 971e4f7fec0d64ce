"""The trained severity model as the worker reads it: a small gzipped JSON file, checked whole
on loading, read in plain Python (no scikit-learn at run time).

`SeverityModel.read(text)` gives the calibrated chance of each severity and the words that
weighed most towards the likeliest one. `digest` names the file's exact bytes: verdicts are
remembered under it, so a new model re-reads exactly the texts it must.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

from zendesk_sla.core.severities import SEVERITIES
from zendesk_sla.core.text_model import ModelReading
from zendesk_sla.model.features import LIMIT, features, tokens

FORMAT = "zendesk-sla severity model 1"
BUNDLED = Path(__file__).resolve().parent / "severity-model.json.gz"


class ModelError(Exception):
    """A model file that is missing, unreadable or not a model this worker can read."""


_WORD = re.compile(r"[^\W_]+")
# Evidence shown to agents leaves out words found in a large share of all tickets ("the",
# "de", "we"): idf = 1 + ln((1 + n) / (1 + df)), so 2.6 is a word in about a fifth of them.
COMMON_IDF = 3.0
STRIDE = 1 + len(SEVERITIES)
_LOADED: dict[str, SeverityModel] = {}  # by digest: configs load the same file many times


class SeverityModel:
    """A loaded artefact; `read` is the `TextModel` the core's text verdicts ask."""

    def __init__(self, raw: dict[str, Any], digest: str) -> None:
        _check(raw)
        self._digest = digest
        self.temperature = float(raw["temperature"])
        self.intercept = tuple(float(v) for v in raw["intercept"])
        # One flat table, a stride per feature (idf, then a weight per severity): a fifth of
        # the memory of a tuple per feature, which a worker keeps for its whole life.
        weights, idf = raw["weights"], raw["idf"]
        self.index: dict[str, int] = {name: i for i, name in enumerate(raw["features"])}
        self.table = array("d", bytes(8 * STRIDE * len(self.index)))
        for i in range(len(self.index)):
            self.table[STRIDE * i] = float(idf[i])
            for k, row in enumerate(weights):
                self.table[STRIDE * i + 1 + k] = float(row[i])

    @property
    def digest(self) -> str:
        return self._digest

    @classmethod
    def load(cls, path: Path = BUNDLED) -> SeverityModel:
        """The model in this file, or ModelError with one line naming the file and the fault."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"{path}: cannot read the severity model: {exc.strerror}") from None
        digest = hashlib.sha256(data).hexdigest()
        cached = _LOADED.get(digest)
        if cached is None:
            cached = cls._parse(data, digest, path)
            _LOADED.clear()  # one model at a time in memory; a reload replaces it
            _LOADED[digest] = cached
        return cached

    @classmethod
    def _parse(cls, data: bytes, digest: str, path: Path) -> SeverityModel:
        try:
            raw = json.loads(gzip.decompress(data))
        except (OSError, EOFError, ValueError):
            raise ModelError(f"{path}: not a severity model (not gzipped JSON)") from None
        if not isinstance(raw, dict):
            raise ModelError(f"{path}: not a severity model (not a JSON object)")
        try:
            return cls(raw, digest)
        except ModelError as exc:
            raise ModelError(f"{path}: {exc}") from None
        except (TypeError, ValueError, IndexError):
            raise ModelError(f"{path}: not a severity model (values of the wrong type)") from None

    def read(self, text: str) -> ModelReading:
        counts = Counter(features(text))
        table, index = self.table, self.index
        values: list[tuple[str, float, int]] = []
        square = 0.0
        for name, count in counts.items():
            i = index.get(name)
            if i is None:
                continue
            at = STRIDE * i
            value = (1.0 + math.log(count)) * table[at]
            square += value * value
            values.append((name, value, at))
        norm = math.sqrt(square) or 1.0
        scores = list(self.intercept)
        for _, value, at in values:
            scaled = value / norm
            for k in range(len(scores)):
                scores[k] += scaled * table[at + 1 + k]
        top = max(scores)
        exps = [math.exp((s - top) / self.temperature) for s in scores]
        total = sum(exps)
        probabilities = tuple(e / total for e in exps)
        evidence = self._evidence(values, scores.index(top))
        return ModelReading(probabilities, _in_their_words(evidence, text))

    def _evidence(self, values: list[tuple[str, float, int]], k: int) -> tuple[str, ...]:
        """Up to three readable features that pushed the likeliest level above the others."""
        pushes = []
        for name, value, at in values:
            row = self.table[at : at + STRIDE]
            if name[0] not in "wb" or row[0] < COMMON_IDF or len(name) < 5:
                continue
            others = (sum(row[1:]) - row[k + 1]) / (len(row) - 2)
            push = value * (row[k + 1] - others)
            if push > 0:
                pushes.append((push, name[2:].replace("_", " ")))
        pushes.sort(reverse=True)
        chosen: list[str] = []
        for _, phrase in pushes[:12]:
            words = phrase.split()
            # A pair holding a word already kept says more: it takes the word's place.
            inside = [k for k in chosen if k in words]
            if inside:
                chosen[chosen.index(inside[0])] = phrase
            elif not any(set(words) <= set(kept.split()) for kept in chosen):
                chosen.append(phrase)
            chosen = _joined(list(dict.fromkeys(chosen)))
            if len(chosen) == 3:
                break
        return tuple(chosen)


def _joined(phrases: list[str]) -> list[str]:
    """Pairs that overlap read as one run of words: `how do` and `do i` -> `how do i`."""
    out: list[str] = []
    for phrase in phrases:
        for i, kept in enumerate(out):
            a, b = kept.split(), phrase.split()
            if a[-1] == b[0] and len(a) + len(b) <= 5:
                out[i] = " ".join([*a, *b[1:]])
                break
            if b[-1] == a[0] and len(a) + len(b) <= 5:
                out[i] = " ".join([*b, *a[1:]])
                break
        else:
            out.append(phrase)
    return out


def _in_their_words(evidence: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The evidence as the customer wrote it (case and accents): `caida total` -> `Caída total`."""
    written: dict[str, str] = {}
    for word in _WORD.findall(text[:LIMIT]):
        folded = tokens(word)
        if len(folded) == 1:
            written.setdefault(folded[0], word)
    return tuple(" ".join(written.get(w, w) for w in phrase.split()) for phrase in evidence)


def _check(raw: dict[str, Any]) -> None:
    if raw.get("format") != FORMAT:
        raise ModelError(f"format {raw.get('format')!r}, this worker reads {FORMAT!r}")
    if raw.get("classes") != list(SEVERITIES):
        raise ModelError(f"classes {raw.get('classes')!r} are not {list(SEVERITIES)}")
    names, idf, weights = raw.get("features"), raw.get("idf"), raw.get("weights")
    if not isinstance(names, list) or not isinstance(idf, list) or len(names) != len(idf):
        raise ModelError("features and idf do not match")
    if not isinstance(weights, list) or len(weights) != len(SEVERITIES):
        raise ModelError("weights are not one row per severity")
    if any(not isinstance(row, list) or len(row) != len(names) for row in weights):
        raise ModelError("a row of weights does not cover every feature")
    temperature = raw.get("temperature")
    if not isinstance(temperature, int | float) or temperature <= 0:
        raise ModelError("temperature is not a positive number")
    intercept = raw.get("intercept")
    if not isinstance(intercept, list) or len(intercept) != len(SEVERITIES):
        raise ModelError("intercept is not one value per severity")


def dump(raw: dict[str, Any]) -> bytes:
    """The artefact's bytes: canonical JSON, gzipped with no timestamp (same input, same bytes)."""
    text = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
