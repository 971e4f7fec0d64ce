"""Building and running a seeded sandbox (for `zendesk-sla sandbox serve`, the demo, tests)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from zendesk_sla.ops.settings import Settings
from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.generator import API_EMAIL, seed_account
from zendesk_sla.sandbox.server import Faults, RateLimits, Sandbox, SandboxServer

TOKEN = "sandbox-token"


def sandbox_settings(url: str, **fields: Any) -> Settings:
    """A worker's settings to talk to a sandbox at `url`; `fields` adds the state's place."""
    return Settings(
        zendesk_url=url,
        zendesk_subdomain="athento",
        zendesk_email=API_EMAIL,
        zendesk_api_token=SecretStr(TOKEN),
        **fields,
    )


@dataclass
class Clock:
    """Wall time plus an offset that tests can advance (never backwards)."""

    offset: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += max(seconds, 0.0)


def build_sandbox(
    *,
    tickets: int = 1000,
    seed: int = 1,
    limits: RateLimits | None = None,
    faults: Faults | None = None,
    clock: Callable[[], float] | None = None,
    port: int = 0,
    event_shape: str = "export",
) -> SandboxServer[Sandbox]:
    account = Account(clock or Clock(), api_user_email=API_EMAIL)
    account.event_shape = event_shape
    seed_account(account, tickets=tickets, seed=seed)
    sandbox = Sandbox(account, email=API_EMAIL, token=TOKEN, limits=limits, faults=faults)
    server = SandboxServer(sandbox, port=port)
    sandbox.warm()
    return server


def serve(server: SandboxServer[Sandbox], announce: Callable[[str], None] = print) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    announce(
        f"Zendesk sandbox on {server.url} ({len(server.sandbox.account.tickets)} tickets); "
        f"auth {API_EMAIL}/token:{TOKEN}. Ctrl-C stops it."
    )
    stop.wait()
    server.stop()
