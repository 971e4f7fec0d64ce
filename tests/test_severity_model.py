"""The trained severity model: one decision from rules and model (POLICY 6), its artefact
read in plain Python exactly as scikit-learn computes it, built deterministically, current
with the corpus, and a bad model file never more than one line and the rules alone."""

from __future__ import annotations

import gzip
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from zendesk_sla.config import load_config
from zendesk_sla.core.classification import classify
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.severities import SEVERITIES
from zendesk_sla.core.text_model import ModelReading, ModelRules, judge
from zendesk_sla.core.text_severity import text_severity
from zendesk_sla.model.artefact import BUNDLED, ModelError, SeverityModel, dump
from zendesk_sla.model.attach import attach, with_model
from zendesk_sla.model.corpus import read_cores, read_split
from zendesk_sla.model.examples import (
    SHIPPED_PARTS,
    Example,
    corpus_digest,
    corpus_examples,
    state_examples,
)
from zendesk_sla.sync.verdicts import decode, encode, rules_digest

from tests.conftest import CONFIG

RULES = ModelRules(danger=0.25, confident=0.55, overrule=0.9)


def chances(blocker: float, critical: float, major: float, trivial: float) -> ModelReading:
    return ModelReading((blocker, critical, major, trivial), ("nadie puede entrar",))


# rules' choice, rules strong, model reading -> severity, by model, sure, higher
JUDGEMENTS = [
    (
        "silent rules: the model decides",
        None,
        False,
        chances(0.02, 0.03, 0.15, 0.8),
        ("trivial", True, True, None),
    ),
    (
        "silent rules, an unsure model: an agent confirms",
        None,
        False,
        chances(0.05, 0.1, 0.45, 0.4),
        ("major", True, False, None),
    ),
    (
        "weak rules: the model decides",
        "major",
        False,
        chances(0.8, 0.1, 0.05, 0.05),
        ("blocker", True, True, None),
    ),
    (
        "strong rules the model doubts: the rules stand",
        "critical",
        True,
        chances(0.1, 0.3, 0.5, 0.1),
        ("critical", False, True, None),
    ),
    (
        "a sure model overrules a strong rule, and an agent confirms",
        "blocker",
        True,
        chances(0.02, 0.02, 0.01, 0.95),
        ("trivial", True, False, None),
    ),
    (
        "the dangerous case: major chosen, urgent levels material",
        None,
        False,
        chances(0.2, 0.1, 0.6, 0.1),
        ("major", True, False, "blocker"),
    ),
    (
        "the dangerous case behind a strong rule too",
        "trivial",
        True,
        chances(0.05, 0.25, 0.2, 0.5),
        ("trivial", False, False, "critical"),
    ),
    (
        "urgent levels below `danger`: no flag",
        None,
        False,
        chances(0.1, 0.1, 0.7, 0.1),
        ("major", True, True, None),
    ),
]


@pytest.mark.parametrize(
    ("rule", "strong", "reading", "expected"),
    [case[1:] for case in JUDGEMENTS],
    ids=[case[0] for case in JUDGEMENTS],
)
def test_one_decision_from_rules_and_model(
    rule: str | None, strong: bool, reading: ModelReading, expected: tuple[object, ...]
) -> None:
    found = judge(reading, RULES, rule, strong)
    assert (found.severity, found.by_model, found.sure, found.higher) == expected


readings = st.lists(st.floats(0.001, 1.0), min_size=4, max_size=4).map(
    lambda w: ModelReading(tuple(x / sum(w) for x in w))
)


@given(
    reading=readings,
    rule=st.sampled_from([None, *SEVERITIES]),
    strong=st.booleans(),
    danger=st.floats(0.05, 0.95),
)
def test_never_a_silent_low_rating_when_urgent_levels_are_material(
    reading: ModelReading, rule: str | None, strong: bool, danger: float
) -> None:
    """Naive restatement of the dangerous case: whatever decides, a major or trivial rating
    with P(blocker) + P(critical) >= danger always goes to an agent."""
    found = judge(reading, replace(RULES, danger=danger), rule, strong and rule is not None)
    urgent = reading.probabilities[0] + reading.probabilities[1]
    if found.severity in ("major", "trivial") and urgent >= danger:
        assert not found.sure and found.higher in ("blocker", "critical")
    assert found.severity in {rule, reading.likeliest}


@pytest.fixture(scope="module")
def small_training() -> list[Example]:
    """One ticket in six: enough to fit, quick enough for every run."""
    return corpus_examples(read_cores()[::6], read_split(), SHIPPED_PARTS)


def test_the_plain_python_reader_computes_what_scikit_learn_computes(
    small_training: list[Example],
) -> None:
    from zendesk_sla.model.train import fit, train

    raw = train(small_training, folds=3)
    model = SeverityModel(raw, "test")
    vectorizer, linear = fit(small_training, raw["c"], raw["min_df"])
    texts = [
        "Nadie puede entrar en la plataforma desde las 9",
        "How do I rename a document type?",
        "O sistema está lento desde segunda-feira",
        "We can still search, but no one can upload anything since this morning",
    ]
    scores = linear.decision_function(vectorizer.transform(texts)) / raw["temperature"]
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    for text, row in zip(texts, expected, strict=True):
        assert model.read(text).probabilities == pytest.approx(tuple(row), abs=2e-3)


def test_the_same_examples_give_the_same_artefact_byte_for_byte(
    small_training: list[Example],
) -> None:
    from zendesk_sla.model.train import train

    first = dump(train(small_training, folds=3))
    again = dump(train(list(small_training), folds=3))
    assert first == again


def test_the_shipped_model_was_trained_on_the_corpus_as_it_is_now() -> None:
    """Edit the corpus, then run `zendesk-sla severity train`: this test says when it is due."""
    raw = json.loads(gzip.decompress(BUNDLED.read_bytes()))
    examples = corpus_examples(read_cores(), read_split(), SHIPPED_PARTS)
    assert raw["corpus"] == corpus_digest(examples), "run: zendesk-sla severity train"
    assert raw["trained_on"] == len(examples)


def _gz(data: object) -> bytes:
    return gzip.compress(json.dumps(data).encode(), mtime=0)


def _bad_files() -> list[tuple[str, bytes | None, str]]:
    good = json.loads(gzip.decompress(BUNDLED.read_bytes()))
    return [
        ("missing", None, "cannot read the severity model"),
        ("not gzip", b"{}", "not gzipped JSON"),
        ("gzip of text", gzip.compress(b"weights: 1", mtime=0), "not gzipped JSON"),
        ("a list", _gz([1, 2]), "not a JSON object"),
        ("another format", _gz({**good, "format": "other 2"}), "format 'other 2'"),
        ("other classes", _gz({**good, "classes": ["high", "low"]}), "classes"),
        ("weights cut short", _gz({**good, "weights": good["weights"][:2]}), "one row per"),
        (
            "a row cut short",
            _gz({**good, "weights": [r[:9] for r in good["weights"]]}),
            "does not cover every feature",
        ),
        ("no temperature", _gz({**good, "temperature": 0}), "temperature"),
        ("text for numbers", _gz({**good, "intercept": ["a", "b", "c", "d"]}), "wrong type"),
    ]


@pytest.mark.parametrize(("name", "data", "says"), _bad_files(), ids=lambda v: str(v)[:20])
def test_a_bad_model_file_is_one_line_and_the_rules_decide_alone(
    tmp_path: Path, policy: Policy, name: str, data: bytes | None, says: str
) -> None:
    path = tmp_path / "model.json.gz"
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(ModelError) as caught:
        SeverityModel.load(path)
    message = str(caught.value)
    assert says in message and str(path) in message and "\n" not in message
    rules_alone, status = attach(with_model(policy, None), str(path), tmp_path)
    assert status.digest is None and status.problem == message
    assert rules_alone.severity.text.model is None


def test_a_contract_naming_a_broken_model_loads_and_says_why(tmp_path: Path) -> None:
    text = CONFIG.read_text(encoding="utf-8").replace("file: bundled", "file: gone.json.gz")
    assert "gone.json.gz" in text
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "policy.yaml")
    assert config.model is not None and config.model.problem is not None
    assert "gone.json.gz" in config.model.problem
    decision = classify(
        config.policy.severity,
        field_value=None,
        tags=(),
        priority=None,
        text="Producción caída, nadie puede entrar",
    )
    assert (decision.severity, decision.chance) == ("blocker", None)  # the rules alone


def test_a_new_model_is_a_new_key_for_remembered_verdicts(policy: Policy) -> None:
    rules = policy.severity.text
    assert rules.model is not None
    alone = replace(rules, model=None, memo={}, derived={})
    other = replace(rules, model_rules=ModelRules(danger=0.3), memo={}, derived={})
    assert len({rules_digest(rules), rules_digest(alone), rules_digest(other)}) == 3


def test_a_verdict_by_the_model_is_remembered_whole(policy: Policy) -> None:
    rules = replace(policy.severity.text, memo={}, derived={})
    verdict = text_severity("Nadie de la oficina consigue abrir la aplicación hoy", rules)
    assert verdict.by_model and verdict.evidence
    assert decode(encode(verdict)) == verdict


def test_check_config_names_a_broken_model_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from zendesk_sla.cli import main

    (tmp_path / "bad.json.gz").write_bytes(b"not a model")
    text = CONFIG.read_text(encoding="utf-8").replace("file: bundled", "file: bad.json.gz")
    (tmp_path / "policy.yaml").write_text(text, encoding="utf-8")
    assert main(["check-config", str(tmp_path / "policy.yaml")]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "bad.json.gz: not a severity model" in line and "rules alone" in line
    assert main(["check-config", str(CONFIG)]) == 0
    assert "severity model " in capsys.readouterr().out


def test_severity_train_writes_the_artefact_the_worker_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from zendesk_sla.cli import main

    few = read_cores()[::8]
    monkeypatch.setattr("zendesk_sla.cli.severity_train.read_cores", lambda: few)
    out = tmp_path / "models" / "severity.json.gz"
    assert main(["severity", "train", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    model = SeverityModel.load(out)
    assert str(out) in said and model.digest[:12] in said and "0 from the state" in said
    assert model.read("Nadie puede entrar en la plataforma desde las 9").likeliest in SEVERITIES


def test_agents_labels_become_examples_once_and_never_from_the_test_part() -> None:
    pairs = [
        ("Caída\nNo entra nadie desde las 9", "blocker"),
        ("Caída\nNo entra nadie desde las 9", "blocker"),  # the same text twice: once
        ("Lento\nVa lento por las tardes", "major"),
        ("Lento\nVa lento por las tardes", "trivial"),  # agents disagree: left out
        ("Duda\n¿Cómo exporto?", "trivial"),  # in the test part: never trained on
        ("\n", "major"),  # nothing to read
    ]
    examples = state_examples(pairs, {"Duda\n¿Cómo exporto?"}, weight=2.0)
    assert [(e.text, e.severity, e.group, e.weight) for e in examples] == [
        ("Caída\nNo entra nadie desde las 9", "blocker", "state", 2.0)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "How do I rename a document type? Thanks",
        "No podemos crear documentos\nNadie puede crear documentos desde esta mañana.",
        "O sistema está muito lento desde segunda-feira, demora para abrir os arquivos",
    ],
)
def test_the_words_that_weighed_are_the_customers_as_written(text: str) -> None:
    evidence = SeverityModel.load().read(text).evidence
    assert 1 <= len(evidence) <= 3
    for phrase in evidence:
        assert phrase in text, phrase  # their case and accents, a run of their words
