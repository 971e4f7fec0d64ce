"""YAML configuration: read, validated (schema), turned into the core's `Policy` (build).

Every error names the file, the key path and what is wrong; unknown keys are
rejected so a typo never silently changes the contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from zendesk_sla.config.build import build_policy, holiday_dates
from zendesk_sla.config.errors import ConfigError
from zendesk_sla.config.schema import (
    ConfigFile,
    OrgOverride,
    SyncConfig,
    ZendeskFields,
    parse_duration,
)
from zendesk_sla.config.yaml_loader import read_yaml
from zendesk_sla.core.policy import Policy
from zendesk_sla.model.attach import ModelStatus, attach


class Config:
    """The loaded configuration: the core's `Policy` plus the adapter settings."""

    def __init__(
        self, path: Path, raw: ConfigFile, policy: Policy, model: ModelStatus | None = None
    ) -> None:
        self.path = path
        self.raw = raw
        self.policy = policy
        self.model = model  # None: no `severity.model` in the file, the rules decide alone

    @property
    def sync(self) -> SyncConfig:
        return self.raw.sync

    @property
    def fields(self) -> ZendeskFields:
        return self.raw.zendesk


def load_config(path: str | Path) -> Config:
    file = Path(path)
    try:
        raw_bytes = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        data = read_yaml(raw_bytes)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{file}: not UTF-8 text (byte {exc.start} is {raw_bytes[exc.start]:#04x}); "
            "save the file as UTF-8"
        ) from None
    except RecursionError:
        raise ConfigError(f"{file}: nested too deeply to be a contract file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{file}:{where}: invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: expected a mapping at the top level")
    try:
        raw = ConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_errors(file, exc)) from None
    except RecursionError:
        raise ConfigError(f"{file}: nested too deeply to be a contract file") from None
    policy = build_policy(raw)
    if raw.severity.model is None:
        return Config(file, raw, policy)
    policy, status = attach(policy, raw.severity.model.file, file.parent)
    return Config(file, raw, policy, status)


def format_errors(file: Path, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"] if not _is_union_tag(p)) or "(top level)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "required key is missing"
        lines.append(f"{file}: {path}: {message}")
    return "\n".join(dict.fromkeys(lines))


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in ("text", "best_effort")


__all__ = [
    "Config",
    "ConfigError",
    "OrgOverride",
    "build_policy",
    "holiday_dates",
    "load_config",
    "parse_duration",
]
