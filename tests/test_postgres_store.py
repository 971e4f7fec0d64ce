"""The state store on PostgreSQL: same schema, same worker behaviour, one writer at a time."""

from __future__ import annotations

from pathlib import Path

from zendesk_sla.account.fields import provision
from zendesk_sla.app import App
from zendesk_sla.sandbox.serve import Clock, sandbox_settings
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.store import StateStore
from zendesk_sla.store.schema import MIGRATIONS
from zendesk_sla.zendesk.parse import TicketRow

from tests.worker_fixtures import fast_config


def replica(sandbox: SandboxServer, postgres_url: str, **settings: object) -> App:
    """A worker whose state is in PostgreSQL, talking to the sandbox."""
    config = sandbox_settings(sandbox.url, zendesk_sla_database_url=postgres_url, **settings)
    return App(config, fast_config(), sleep=lambda _s: None)


def test_schema_and_upserts_work_on_postgres(postgres_url: str) -> None:
    store = StateStore(postgres_url)
    assert store.schema_version == len(MIGRATIONS)
    row = TicketRow(
        10_000_000_001,
        "open",
        None,
        "Caído",
        "",
        "email",
        5,
        6,
        ("vip",),
        {},
        1,
        2,
        2,
        "2026-01-01T00:00:00Z",
    )
    with store.transaction():
        store.put_tickets([row])
        store.put_tickets([row._replace(status="pending")])
        store.put("cursor:tickets", "abc")
        store.note_intents([(row.id, "sla:plus:major")], 5)
        store.note_intents([(row.id, "sla:plus:major")], 6)
    assert store.tickets([row.id])[row.id].status == "pending"
    assert store.get("cursor:tickets") == "abc"
    assert store.notes([row.id]) == {row.id: {"sla:plus:major": ("pending", 5)}}
    assert store.cycle_started("poll") >= 1
    store.close()
    reopened = StateStore(postgres_url)
    assert reopened.schema_version == len(MIGRATIONS)  # migrations run once
    reopened.close()


def test_only_one_replica_holds_the_worker_lock(postgres_url: str) -> None:
    active, passive = StateStore(postgres_url), StateStore(postgres_url)
    try:  # a store left open would hold the lock into the next test
        assert active.acquire() is True
        assert passive.acquire() is False
        active.close()
        assert passive.acquire() is True
    finally:
        active.close()
        passive.close()


def test_a_closed_store_leaves_the_lock_free_at_once(postgres_url: str) -> None:
    """close() releases the lock itself: the server would free a closed session's lock a
    few milliseconds later, and a replica retaking it at once was refused (1 in 10)."""
    for _ in range(50):
        first = StateStore(postgres_url)
        assert first.acquire() is True
        first.close()
        second = StateStore(postgres_url)
        try:
            assert second.acquire() is True
        finally:
            second.close()


def test_the_worker_on_postgres_is_idempotent(
    postgres_url: str, sandbox: SandboxServer, clock: Clock, tmp_path: Path
) -> None:
    app = replica(sandbox, postgres_url, zendesk_sla_state=tmp_path / "unused.sqlite3")
    try:
        assert app.store.db.dialect == "postgres"
        provision(app.gateway, app.config)
        worker = app.worker()
        first = worker.run_cycle()
        worker.run_sweep()
        clock.advance(61)
        again = [worker.run_cycle(), worker.run_sweep()]
        assert first.written > 50
        assert first.error is None
        assert [s.changes for s in again] == [0, 0]
        assert not (tmp_path / "unused.sqlite3").exists()
    finally:
        app.close()


def test_a_second_replica_waits_in_standby(
    postgres_url: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    active, passive = replica(sandbox, postgres_url), replica(sandbox, postgres_url)
    try:
        assert active.wait_for_lock() is True
        passive.stop.set()  # SIGTERM while in standby: it gives up without writing
        assert passive.wait_for_lock(retry_seconds=0.01) is False
        active.close()
        passive.stop.clear()
        assert passive.wait_for_lock(retry_seconds=0.01) is True
    finally:
        active.close()
        passive.close()
