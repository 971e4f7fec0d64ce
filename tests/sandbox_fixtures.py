"""Fixtures that run the bundled sandbox on a free loopback port and point zenpy at it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from zendesk_sla.sandbox.generator import API_EMAIL
from zendesk_sla.sandbox.serve import TOKEN, Clock, build_sandbox
from zendesk_sla.sandbox.server import RateLimits, SandboxServer
from zenpy import Zenpy

UNLIMITED = RateLimits(per_minute=0, incremental_per_minute=0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Iterator[SandboxServer]:
    server = build_sandbox(tickets=300, seed=11, limits=UNLIMITED, clock=clock)
    with server:
        yield server


def point_zenpy_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    # zenpy hard-codes https://{subdomain}.zendesk.com; these documented variables override it.
    parsed = urlparse(url)
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", parsed.scheme)
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", parsed.netloc)


@pytest.fixture
def zenpy_client(sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> Zenpy:
    point_zenpy_at(monkeypatch, sandbox.url)
    return Zenpy(subdomain="athento", email=API_EMAIL, token=TOKEN)
