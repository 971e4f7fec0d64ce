"""The labelled severity corpus: its format, its coverage of POLICY 6, its languages, its
split by writing batch, and its distance from the old corpus it is measured beside."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from zendesk_sla.core.severities import SEVERITIES
from zendesk_sla.model.corpus import KINDS, Core, CorpusError, read_batch, read_cores, read_split
from zendesk_sla.model.examples import tickets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from severity_corpus import load as load_old_corpus

# Batches written as translations of one another: one in test would leak its original.
TRANSLATIONS = {"es-ES-01", "en-01", "pt-BR-01", "pt-PT-01", "ca-01", "mixed-01", "en-nn-01"}


@pytest.fixture(scope="module")
def cores() -> list[Core]:
    return read_cores()


def test_the_corpus_holds_at_least_2500_tickets_over_every_kind_of_policy_6(
    cores: list[Core],
) -> None:
    assert len(tickets(cores)) >= 2500
    kinds = Counter((c.severity, c.kind) for c in cores)
    for severity, names in KINDS.items():
        for kind in names:
            assert kinds[(severity, kind)] >= 15, (severity, kind)


def test_languages_are_roughly_55_30_15(cores: list[Core]) -> None:
    groups = Counter(c.group for c in cores)
    share = {g: n / len(cores) for g, n in groups.items()}
    assert 0.50 <= share["es"] <= 0.60
    assert 0.25 <= share["en"] <= 0.35
    assert 0.12 <= share["pt-ca-mixed"] <= 0.20
    latin = {c.language for c in cores if c.group == "es"} - {"es-ES"}
    assert len(latin) >= 5, latin


def test_every_ticket_has_a_reason_citing_the_policy(cores: list[Core]) -> None:
    for core in cores:
        assert len(core.reason.split()) >= 3, core


def test_the_split_is_by_batch_and_every_group_is_tested(cores: list[Core]) -> None:
    split = read_split()
    batches = {c.batch for c in cores}
    assert set(split) <= batches, set(split) - batches
    assert not TRANSLATIONS & set(split), "a translated batch left training"
    tested = Counter(c.group for c in cores if split.get(c.batch) == "test")
    assert all(tested[g] >= 60 for g in ("es", "en", "pt-ca-mixed")), tested
    assert {c.severity for c in cores if split.get(c.batch) == "test"} == set(SEVERITIES)


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return set(zip(words, words[1:], words[2:], strict=False))


def test_no_ticket_restates_one_of_the_old_corpus(cores: list[Core]) -> None:
    """The old corpus is a further test part: a core copied from it would score itself."""
    old = [_trigrams(f"{e.subject} {e.description}") for e in load_old_corpus()]
    index: dict[tuple[str, ...], list[int]] = {}
    for i, grams in enumerate(old):
        for gram in grams:
            index.setdefault(gram, []).append(i)
    for core in cores:
        mine = _trigrams(f"{core.subject} {core.body}")
        shared = Counter(i for gram in mine for i in index.get(gram, ()))
        for i, count in shared.items():
            overlap = count / max(1, min(len(mine), len(old[i])))
            assert overlap < 0.6, (core.batch, core.subject)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("== blocker down | r\nS: s\nbody\n", "`#! batch:` and `#! language:` come first"),
        ("#! batch: b\n#! language: es\n== blocker late | r\nS: s\nb\n", "unknown label"),
        ("#! batch: b\n#! language: es\n== major lost |\nS: s\nb\n", "needs its reason"),
        ("#! batch: b\n#! language: es\n== major lost | r\nS: s\n", "needs `S: subject`"),
        ("#! batch: b\n#! language: es\nstray words\n", "text outside a ticket"),
    ],
)
def test_a_malformed_batch_is_one_clear_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "b.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=re.escape(error)):
        read_batch(path)
