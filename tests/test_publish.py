"""Publishing consumption pages: a help center that refuses never stops a cycle, nor is it
asked again at every poll."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from structlog.testing import capture_logs
from zendesk_sla.account.consumption_page import Publisher
from zendesk_sla.core.consumption import Page, PageTexts
from zendesk_sla.store import StateStore
from zendesk_sla.zendesk.errors import Rejected


class RefusingGateway:
    """A Zendesk account without Guide: every help center request is refused."""

    def __init__(self) -> None:
        self.calls = 0

    def list_records(self, path: str, key: str) -> list[dict[str, Any]]:
        self.calls += 1
        raise Rejected(f"GET {path}: 404 InvalidEndpoint")


def test_a_refusing_help_center_is_logged_and_left_alone_for_an_hour(tmp_path: Path) -> None:
    store = StateStore(str(tmp_path / "state.sqlite3"))
    gateway = RefusingGateway()
    now = [1000.0]
    publisher = Publisher(gateway, store, PageTexts(), clock=lambda: now[0])  # type: ignore[arg-type]
    page = Page(7, "Contactos de Acme (#7)", "Consumo", "<p>3 de 50</p>")
    with capture_logs() as logs:
        assert publisher.publish([page]) == 0
        assert publisher.publish([page]) == 0
    assert gateway.calls == 1
    assert [entry["event"] for entry in logs] == ["help_center_unavailable"]
    now[0] += 3601
    publisher.publish([page])
    assert gateway.calls == 2
    store.close()
