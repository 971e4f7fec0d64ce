"""Runtime settings from the environment and `.env` (pydantic-settings); secrets never logged."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SUBDOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", re.IGNORECASE)


def default_config() -> Path:
    """The bundled contract file, wherever the command runs from and however the package
    was installed (it is package data; `config/athento.yaml` in the checkout links to it)."""
    return Path(__file__).resolve().parents[1] / "config" / "athento.yaml"


def default_state() -> Path:
    """$XDG_STATE_HOME/zendesk-sla/state.sqlite3: never relative to the working directory,
    so a run from another directory finds the same state (no second state, no resends)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "zendesk-sla" / "state.sqlite3"


def _split(value: str) -> tuple[SplitResult, str | None, str]:
    """The URL's parts, its host, and what is malformed in it ("" when nothing)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
        return parts, parts.hostname, ""
    except ValueError as exc:
        return urlsplit(""), None, str(exc)


class SettingsError(Exception):
    """Missing or contradictory settings, phrased for an operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    zendesk_subdomain: str = ""
    zendesk_email: str = ""
    zendesk_api_token: SecretStr | None = None
    zendesk_oauth_token: SecretStr | None = None
    zendesk_url: str | None = None  # full base URL, e.g. the sandbox on http://127.0.0.1:8999
    zendesk_sla_config: Path = default_config()
    zendesk_sla_state: Path = default_state()
    zendesk_sla_database_url: str | None = None  # postgresql://...: state in PostgreSQL instead
    zendesk_sla_log_format: Literal["auto", "json", "console"] = "auto"
    zendesk_sla_log_level: str = "INFO"
    zendesk_timeout_seconds: float = 60.0

    @field_validator("zendesk_sla_log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in LEVELS:
            raise ValueError(f"{value!r} is not a log level ({', '.join(LEVELS)})")
        return value.upper()

    @field_validator("zendesk_timeout_seconds")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if not 1 <= value <= 600:
            raise ValueError(f"{value} is not between 1 and 600 seconds")
        return value

    @field_validator("zendesk_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts, host, _ = _split(value)
        if parts.scheme not in ("http", "https") or not host or " " in value:
            raise ValueError(
                f"{value!r} is not an http(s) address like https://yourcompany.zendesk.com"
            )
        return value

    @field_validator("zendesk_subdomain")
    @classmethod
    def _subdomain(cls, value: str) -> str:
        if value and not SUBDOMAIN.match(value):
            raise ValueError(
                f"{value!r} is not a subdomain: the part before .zendesk.com, letters, digits "
                "and hyphens"
            )
        return value

    @field_validator("zendesk_sla_database_url")
    @classmethod
    def _database(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts, host, malformed = _split(value)
        if malformed:
            raise ValueError(f"not a PostgreSQL URL ({malformed})")
        if parts.scheme not in ("postgresql", "postgres"):
            shown = f"{parts.scheme}://..." if parts.scheme else "this value"
            raise ValueError(
                f"{shown} is not supported: the state is SQLite (ZENDESK_SLA_STATE) or "
                "PostgreSQL (postgresql://user:password@host/database)"
            )
        if not host and "host=" not in parts.query:
            raise ValueError("a PostgreSQL URL names its host: postgresql://user@host/database")
        return value

    @field_validator("zendesk_sla_state")
    @classmethod
    def _state(cls, value: Path) -> Path:
        if not value.is_absolute():
            raise ValueError(
                f"{str(value)!r} is relative: give an absolute path, so that every run finds "
                "the same state whatever its directory"
            )
        return value

    @property
    def state_target(self) -> str:
        return self.zendesk_sla_database_url or str(self.zendesk_sla_state)

    @property
    def base_url(self) -> str:
        if self.zendesk_url:
            return self.zendesk_url.rstrip("/")
        return f"https://{self.zendesk_subdomain}.zendesk.com"

    def check(self) -> None:
        problems = []
        if not self.zendesk_url and not self.zendesk_subdomain:
            problems.append("set ZENDESK_SUBDOMAIN (or ZENDESK_URL)")
        if self.zendesk_oauth_token is None:
            if self.zendesk_api_token is None:
                problems.append("set ZENDESK_API_TOKEN (or ZENDESK_OAUTH_TOKEN)")
            if not self.zendesk_email:
                problems.append("set ZENDESK_EMAIL, the agent the API token belongs to")
        if problems:
            raise SettingsError("; ".join(problems))

    def __repr_args__(self):  # type: ignore[no-untyped-def]
        for name, value in super().__repr_args__():
            secret = "token" in str(name) or "database_url" in str(name)
            yield name, ("**********" if secret and value else value)


def load_settings() -> Settings:
    """The settings from the environment and `.env`; a bad value is one SettingsError line
    naming the variable."""
    try:
        return Settings()
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f".env in {Path.cwd()}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = "_".join(str(p) for p in error["loc"]).upper()
            problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("; ".join(problems)) from None
