"""Training the severity model with scikit-learn: tf-idf over `features`, a multinomial logistic
regression, probabilities calibrated by one temperature fitted on held-out batches.

Deterministic: the same examples give the same artefact, byte for byte (sorted vocabulary,
rounded weights, a fixed solver and seed). scikit-learn is needed here only; the worker reads
the artefact with `artefact.SeverityModel`, in plain Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from zendesk_sla.core.severities import SEVERITIES
from zendesk_sla.model.examples import Example, corpus_digest
from zendesk_sla.model.features import features

FORMAT = "zendesk-sla severity model 1"
DIGITS = 5  # significant digits kept of each weight


def _vectorizer(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=features, sublinear_tf=True, min_df=min_df, norm="l2", dtype=np.float64
    )


def _model(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=3000, solver="lbfgs", random_state=0)


def _labels(examples: Sequence[Example]) -> np.ndarray:
    return np.array([SEVERITIES.index(e.severity) for e in examples])


def held_out_scores(examples: Sequence[Example], c: float, min_df: int, folds: int) -> np.ndarray:
    """Decision scores of each example by a model that never saw its batch."""
    groups = np.array([e.group for e in examples])
    y = _labels(examples)
    weights = np.array([e.weight for e in examples])
    scores = np.zeros((len(examples), len(SEVERITIES)))
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for fit_rows, held_rows in splitter.split(np.zeros(len(y)), y, groups):
        vectorizer = _vectorizer(min_df)
        x_fit = vectorizer.fit_transform([examples[i].text for i in fit_rows])
        model = _model(c).fit(x_fit, y[fit_rows], sample_weight=weights[fit_rows])
        x_held = vectorizer.transform([examples[i].text for i in held_rows])
        scores[held_rows] = model.decision_function(x_held)
    return scores


def fit_temperature(scores: np.ndarray, y: np.ndarray) -> float:
    """The temperature that makes softmax(scores / T) the most likely on held-out labels."""

    def loss(t: float) -> float:
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(y)), y].mean())

    found = minimize_scalar(loss, bounds=(0.05, 20.0), method="bounded")
    return float(found.x)


def fit(
    examples: Sequence[Example], c: float, min_df: int
) -> tuple[TfidfVectorizer, LogisticRegression]:
    """The vectorizer and the linear model on every example (no calibration)."""
    vectorizer = _vectorizer(min_df)
    x = vectorizer.fit_transform([e.text for e in examples])
    weights = np.array([e.weight for e in examples])
    return vectorizer, _model(c).fit(x, _labels(examples), sample_weight=weights)


def train(
    examples: Sequence[Example], c: float = 10.0, min_df: int = 2, folds: int = 5
) -> dict[str, Any]:
    """The artefact as a JSON-ready dict: vocabulary, idf, weights, intercepts, temperature."""
    y = _labels(examples)
    temperature = fit_temperature(held_out_scores(examples, c, min_df, folds), y)
    vectorizer, model = fit(examples, c, min_df)
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    order = sorted(vocabulary)
    columns = [vocabulary[f] for f in order]
    coef = model.coef_[:, columns]
    return {
        "format": FORMAT,
        "classes": list(SEVERITIES),
        "temperature": _round(temperature),
        "intercept": [_round(v) for v in model.intercept_],
        "features": order,
        "idf": [_round(v) for v in vectorizer.idf_[columns]],
        "weights": [[_round(v) for v in row] for row in coef],
        "trained_on": len(examples),
        "corpus": corpus_digest(examples),
        "c": c,
        "min_df": min_df,
    }


def _round(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return 0.0
    return float(f"{value:.{DIGITS}g}")
