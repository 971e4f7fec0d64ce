"""Escalation levels end to end: at risk, breached, breached for two business hours more;
the assignee or the group, a lead and a chat webhook told once per level and ticket, an
unassigned ticket without a group included (it alerted nobody)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from zendesk_sla.account.views_triggers import provision_rules
from zendesk_sla.config import ConfigError, load_config
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG
from tests.test_sync_e2e import run_until_settled
from tests.test_transitions_e2e import _enterprise_ticket
from tests.worker_fixtures import AppFactory, fast_config, new_ticket


class Receiver:
    """A chat's incoming webhook on loopback: it keeps every body it gets."""

    def __init__(self) -> None:
        got: list[dict[str, object]] = []
        arrived = threading.Condition()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with arrived:
                    got.append(json.loads(body))
                    arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                return

        self.got, self.arrived = got, arrived
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, ticket_id: int, count: int) -> list[dict[str, object]]:
        """The bodies about `ticket_id`, once `count` of them arrived (or after 30 s)."""

        def mine() -> list[dict[str, object]]:
            return [b for b in self.got if b.get("ticket_id") == str(ticket_id)]

        with self.arrived:
            self.arrived.wait_for(lambda: len(mine()) >= count, timeout=30)
            return mine()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


def escalating(tmp_path: Path, lead: int, endpoint: str) -> Path:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["escalation"] = {
        "lead_user_id": lead,
        "webhook": {"name": "SLA escalations", "endpoint": endpoint},
        "levels": [
            {
                "name": "at_risk",
                "when": "at_risk",
                "notify": ["assignee", "group"],
                "subject": "[SLA] #{{ticket.id}} en riesgo",
                "body": "{{ticket.link}}",
            },
            {
                "name": "breached",
                "when": "breached",
                "notify": ["assignee", "group", "lead"],
                "subject": "[SLA] #{{ticket.id}} incumplido",
                "body": "{{ticket.link}}",
            },
            {
                "name": "breached_2h",
                "when": "breached",
                "after": "2h",
                "notify": ["lead", "webhook"],
                "subject": "[SLA] #{{ticket.id}} incumplido hace 2 h",
                "body": "Escalado al responsable",
            },
        ],
    }
    path = tmp_path / "escalating.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_each_level_reaches_its_people_and_the_webhook_once(
    make_app: AppFactory,
    sandbox: SandboxServer,
    clock: Clock,
    tmp_path: Path,
    receiver: Receiver,
) -> None:
    account = sandbox.sandbox.account
    lead = next(u.id for u in account.users.values() if u.role == "admin")
    config = load_config(escalating(tmp_path, lead, receiver.url))
    config.raw.sync.__dict__.update(fast_config().raw.sync.__dict__)
    app = make_app(config=config)
    made = provision_rules(app.gateway, app.config, None)
    assert [r.title for r in made if r.kind == "webhook"] == ["SLA escalations"]
    run_until_settled(app, clock)
    template = _enterprise_ticket(account)
    lonely = new_ticket(account, template, priority="urgent", subject="Producción caída")
    assert account.tickets[lonely.id].assignee_id is None
    clock.advance(61)
    worker = app.worker()
    worker.run_cycle()
    for level in ("at_risk", "breached", "breached_2h"):
        for _ in range(5):  # the resolution clock's own moments come in between
            if f"sla_escalation_{level}" in account.tickets[lonely.id].tags:
                break
            moment = app.store.applied_for([lonely.id])[lonely.id].next_at
            assert moment is not None, level
            clock.advance(moment - clock())
            worker.run_transitions()
        assert f"sla_escalation_{level}" in account.tickets[lonely.id].tags, level
        assert f"sla_escalation_{level}_avisado" in account.tickets[lonely.id].tags, level
    mails = [m for m in sandbox.sandbox.sent if m.ticket_id == lonely.id]
    leads = [m.subject for m in mails if m.to == "user" and m.recipient == lead]
    assert leads == [
        "[SLA] #{{ticket.id}} incumplido",
        "[SLA] #{{ticket.id}} incumplido hace 2 h",
    ]
    (delivered,) = receiver.wait_for(lonely.id, 1)
    assert delivered["level"] == "breached_2h"
    for _ in range(3):  # later polls and sweeps: nothing is sent again
        clock.advance(3600)
        worker.run_cycle()
        worker.run_sweep()
    assert len([m for m in sandbox.sandbox.sent if m.ticket_id == lonely.id]) == len(mails)
    sent = [d for d in sandbox.sandbox.rules.webhooks.deliveries if d.ticket_id == lonely.id]
    assert len(sent) == 1


def test_a_level_names_only_recipients_the_file_defines(tmp_path: Path) -> None:
    path = escalating(tmp_path, 1, "http://127.0.0.1:9/hook")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["escalation"]["lead_user_id"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="lead_user_id"):
        load_config(path)
    data["escalation"]["lead_user_id"] = 1
    data["escalation"]["levels"][0]["after"] = "2h"  # 'after' counts from a breach
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="counts from a breach"):
        load_config(path)


def test_escalation_tags_are_the_worker_s_and_their_marks_the_triggers() -> None:
    tags = fast_config().policy.tags
    assert tags.is_owned("sla_escalation_breached")
    assert not tags.is_owned("sla_escalation_breached_avisado")  # never removed by the worker
