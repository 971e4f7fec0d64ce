"""The severity model named in the contract file, put beside the rules of every contract
version; or, when it cannot be read, the reason the rules decide alone.

A missing, corrupt or mismatched model never stops the worker: `ModelStatus.problem` is one
line for the log, the health metric and `check-config`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from zendesk_sla.core.policy import Policy
from zendesk_sla.model.artefact import BUNDLED, ModelError, SeverityModel


@dataclass(frozen=True)
class ModelStatus:
    file: Path
    digest: str | None  # the model beside the rules; None when they decide alone
    problem: str | None = None  # why the rules decide alone


def model_path(named: str, config_dir: Path) -> Path:
    if named == "bundled":
        return BUNDLED
    path = Path(named)
    return path if path.is_absolute() else config_dir / path


def attach(policy: Policy, named: str, config_dir: Path) -> tuple[Policy, ModelStatus]:
    path = model_path(named, config_dir)
    try:
        model = SeverityModel.load(path)
    except ModelError as exc:
        return policy, ModelStatus(path, None, str(exc))
    return with_model(policy, model), ModelStatus(path, model.digest)


def with_model(policy: Policy, model: SeverityModel | None) -> Policy:
    """The policy whose text rules (and each later contract version's) read with this model."""
    text = replace(policy.severity.text, model=model, memo={}, derived={})
    later = tuple((start, with_model(p, model)) for start, p in policy.later)
    return replace(policy, severity=replace(policy.severity, text=text), later=later)
