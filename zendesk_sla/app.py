"""The composition root: settings and configuration in, a wired worker out.

The only place that builds adapters (HTTP session, zenpy, gateway, SQLite)
and hands them to the shell; nothing here runs at import time.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlparse

import structlog
from zenpy import Zenpy

from zendesk_sla.config import Config
from zendesk_sla.ops.reload import announce_model
from zendesk_sla.ops.settings import Settings
from zendesk_sla.store import StateStore
from zendesk_sla.store.base import is_storage_error, storage_reason
from zendesk_sla.sync.cycles import Worker
from zendesk_sla.sync.fields import FieldMap
from zendesk_sla.sync.fields import field_map as resolve_field_map
from zendesk_sla.zendesk.errors import Stopped
from zendesk_sla.zendesk.gateway import ZendeskGateway
from zendesk_sla.zendesk.pacing import Pacer
from zendesk_sla.zendesk.transport import ZendeskSession

log = structlog.get_logger("zendesk_sla.app")


def tune_gc() -> None:
    """The worker makes millions of short-lived rows and dicts: the default collector
    thresholds spend a fifth of a backfill scanning them. Startup objects are frozen out
    of the scans and young objects are collected less often (cycles still are)."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def utc_now() -> datetime:
    return datetime.now(UTC)


STOPPED = "stopped (Ctrl-C or SIGTERM) while waiting on Zendesk; nothing more was done"


def interruptible(sleep: Callable[[float], None], stop: threading.Event) -> Callable[[float], None]:
    """Every wait of the worker (Retry-After, pacing, job polls, back-offs) as one that a
    stop request cuts short: `Stopped` is raised at once instead of sleeping on."""

    def wait(seconds: float) -> None:
        if stop.is_set():
            raise Stopped(STOPPED)
        if sleep is time.sleep:
            if stop.wait(seconds):
                raise Stopped(STOPPED)
            return
        sleep(seconds)  # a test's clock

    return wait


def connect(
    settings: Settings,
    config: Config,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utc_now,
    attempts: int = 4,
    timeout: float | None = None,
) -> tuple[ZendeskSession, Zenpy, ZendeskGateway]:
    """The Zendesk session, zenpy client and gateway the settings and the contract call for
    (no state: `check-account` reads Zendesk before any state exists). `attempts` and
    `timeout` (at most the settings' own) bound each request."""
    sync = config.sync
    seconds = min(timeout or settings.zendesk_timeout_seconds, settings.zendesk_timeout_seconds)
    session = ZendeskSession(
        wait_budget_seconds=sync.rate_limit_wait_budget_seconds,
        sleep=sleep,
        attempts=attempts,
        timeout=seconds,
        pacer=Pacer(
            incremental_per_minute=sync.incremental_exports_per_minute,
            reserve=sync.rate_limit_reserve,
            sleep=sleep,
            clock=lambda: clock().timestamp(),
        ),
    )
    if settings.zendesk_url:
        # zenpy hard-codes https://{subdomain}.zendesk.com; it documents these overrides.
        parsed = urlparse(settings.zendesk_url)
        os.environ["ZENPY_FORCE_SCHEME"] = parsed.scheme
        os.environ["ZENPY_FORCE_NETLOC"] = parsed.netloc
    token = settings.zendesk_api_token
    oauth = settings.zendesk_oauth_token
    client = Zenpy(
        subdomain=settings.zendesk_subdomain or "sandbox",
        email=settings.zendesk_email or None,
        token=token.get_secret_value() if token else None,
        oauth_token=oauth.get_secret_value() if oauth and not token else None,
        session=session,
        timeout=seconds,
    )
    gateway = ZendeskGateway(
        client,
        session,
        settings.base_url,
        job_poll_interval=sync.job_poll_interval_seconds,
        job_poll_timeout=sync.job_poll_timeout_seconds,
        max_jobs_in_flight=sync.max_jobs_in_flight,
        sleep=sleep,
    )
    return session, client, gateway


@dataclass
class App:
    settings: Settings
    config: Config
    clock: Callable[[], datetime] = utc_now
    sleep: Callable[[float], None] = time.sleep
    dry_run: bool = False
    stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.settings.check()
        tune_gc()
        self.session, self.client, self.gateway = connect(
            self.settings, self.config, sleep=interruptible(self.sleep, self.stop), clock=self.clock
        )
        self.store = StateStore(self.settings.state_target, dry_run=self.dry_run)
        announce_model(self.config)

    def field_map(self) -> FieldMap:
        return resolve_field_map(self.gateway, self.config)

    def worker_user_id(self) -> int | None:
        cached = self.store.get("worker_user_id")
        if cached:
            return int(cached)
        user_id = int(self.gateway.me()["id"])
        with self.store.transaction():
            self.store.put("worker_user_id", str(user_id))
        return user_id

    def worker(self, **kwargs: object) -> Worker:
        fields = self.field_map()
        with self.store.transaction():  # `explain --ticket` reads the field map from the state
            self.store.put("fields:ticket", json.dumps(dict(fields.ticket_ids)))
        return Worker(
            gateway=self.gateway,
            store=self.store,
            config=self.config,
            fields=fields,
            worker_user_id=self.worker_user_id(),
            clock=self.clock,
            dry_run=self.dry_run,
            stop=self.stop,
            settle_seconds=self.config.sync.note_settle_seconds,
            **kwargs,  # type: ignore[arg-type]
        )

    def wait_for_lock(self, retry_seconds: float = 30.0) -> bool:
        """Active/passive: wait (until `stop`) to be the only replica writing to Zendesk.
        A lost database connection meanwhile is reopened, not fatal: a standby outlives
        a PostgreSQL restart."""
        announced = False
        while True:
            try:
                self.store.recover(self.stop.wait)
                if self.store.acquire():
                    return True
            except Exception as exc:
                if not is_storage_error(exc):
                    raise
                log.warning("state_unreachable", error=storage_reason(exc), role="standby")
            else:
                if not announced:
                    log.info("standby", reason="another replica holds the worker lock")
                    announced = True
            if self.stop.wait(retry_seconds):
                return False

    def recover(self) -> None:
        """Before each cycle: reopen a state connection lost since the last one and retake
        the lock (raises `StateError` or `LockLost`, see `StateStore.recover`)."""
        self.store.recover(self.stop.wait)

    def close(self) -> None:
        self.store.close()
        self.session.close()
