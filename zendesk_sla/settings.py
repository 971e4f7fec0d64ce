"""Runtime settings from the environment and `.env` (pydantic-settings); secrets never logged."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """Missing or contradictory settings, phrased for an operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    zendesk_subdomain: str = ""
    zendesk_email: str = ""
    zendesk_api_token: SecretStr | None = None
    zendesk_oauth_token: SecretStr | None = None
    zendesk_url: str | None = None  # full base URL, e.g. the sandbox on http://127.0.0.1:8999
    zendesk_sla_config: Path = Path("config/athento.yaml")
    zendesk_sla_state: Path = Path("state/zendesk-sla.sqlite3")
    zendesk_sla_database_url: str | None = None  # postgresql://...: state in PostgreSQL instead
    zendesk_sla_log_format: Literal["auto", "json", "console"] = "auto"
    zendesk_sla_log_level: str = "INFO"
    zendesk_timeout_seconds: float = 60.0

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
