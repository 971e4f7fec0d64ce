"""What a trained model's reading of a text adds to the phrase rules (POLICY 6): the model's
calibrated chance of each severity decides where the rules are silent or weak, and the
chances say when an agent must confirm.

The model itself is an adapter (`zendesk_sla.model`); the core sees it only through
`TextModel.read`, which gives a `ModelReading`. An agent confirms (the review flag) when
the chance of blocker or critical is material but a lower level was chosen (the dangerous
case), or when no level is probable enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zendesk_sla.core.severities import SEVERITIES, severity_rank

URGENT = ("blocker", "critical")


@dataclass(frozen=True)
class ModelReading:
    """P(severity) in SEVERITIES order, and the words that weighed towards the likeliest."""

    probabilities: tuple[float, ...]
    evidence: tuple[str, ...] = ()

    @property
    def likeliest(self) -> str:
        return SEVERITIES[max(range(len(SEVERITIES)), key=self.probabilities.__getitem__)]

    def chance(self, severity: str) -> float:
        return self.probabilities[SEVERITIES.index(severity)]


class TextModel(Protocol):
    """A trained reader of ticket texts; `digest` names it (verdicts are kept under it)."""

    @property
    def digest(self) -> str: ...

    def read(self, text: str) -> ModelReading: ...


@dataclass(frozen=True)
class ModelRules:
    """The leads' thresholds (YAML `severity.model`), as chances between 0 and 1."""

    danger: float = 0.25  # P(blocker) + P(critical) at which a lower level is confirmed
    confident: float = 0.55  # the chosen level's chance below which an agent confirms
    overrule: float = 0.9  # the model's chance at which it outweighs a strong rule


@dataclass(frozen=True)
class Judgement:
    severity: str
    by_model: bool  # the model decided (the rules were silent, weak or overruled)
    sure: bool  # no agent needs to confirm
    higher: str | None  # a more severe level the text may mean, for the agent to consider


def judge(
    reading: ModelReading, rules: ModelRules, rule_choice: str | None, rule_strong: bool
) -> Judgement:
    """One decision from the rules' choice (None: silent) and the model's reading."""
    likeliest = reading.likeliest
    if rule_choice is not None and rule_strong and reading.chance(likeliest) < rules.overrule:
        chosen, by_model, sure = rule_choice, False, True
    else:
        chosen, by_model = likeliest, True
        sure = reading.chance(chosen) >= rules.confident
        if rule_choice is not None and rule_strong and rule_choice != chosen:
            sure = False  # the model overruled a strong rule: an agent settles it
    higher = None
    if severity_rank(chosen) > severity_rank("critical"):
        urgent = sum(reading.chance(s) for s in URGENT)
        if urgent >= rules.danger:
            higher = max(URGENT, key=reading.chance)
            sure = False
    return Judgement(chosen, by_model, sure, higher)
