"""`classify` (try the YAML's rules) and `report severity` (learn from agents' corrections)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from zendesk_sla.cli import main
from zendesk_sla.model.corpus import read_cores
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer

from tests.conftest import CONFIG
from tests.worker_fixtures import AppFactory, new_ticket


def test_classify_reads_json_lines_and_answers_one_line_each(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"subject": "Producción caída", "description": "Nadie puede entrar desde las 9."},
        {"subject": "Duda", "description": "¿Cómo exporto un informe?", "priority": "urgent"},
        {"subject": "x", "description": "y", "tags": ["sla_sev_critical"]},
        {"subject": "Hola", "description": ""},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\nnot json\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    assert main(["classify", "--config", str(CONFIG)]) == 1  # one bad line
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o.get("severity") for o in out] == ["blocker", "blocker", "critical", "major", None]
    assert [o.get("source") for o in out[:4]] == ["text", "priority", "tag", "default"]
    assert out[3]["review"] is True  # the default is never silent
    assert "error" in out[4]


def test_report_severity_lists_agents_corrections_with_the_rules_that_fired(
    make_app: AppFactory,
    sandbox: SandboxServer,
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = sandbox.sandbox.account
    template = next(t for t in account.tickets.values() if t.organization_id is not None)
    corrected = new_ticket(
        account,
        template,
        subject="Plataforma caída",
        comment={"body": "Nadie puede entrar en Athento."},
        tags=["sla_sev_major"],  # an agent judged it major
    )
    clock.advance(61)  # past the export's one-minute horizon
    app = make_app()
    app.worker().run_cycle()
    app.close()
    monkeypatch.setenv("ZENDESK_SLA_STATE", str(tmp_path / "state.sqlite3"))
    capsys.readouterr()
    assert main(["report", "severity", "--format", "json", "--config", str(CONFIG)]) == 0
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["ticket_id"] == corrected.id)
    assert (row["agent_severity"], row["set_by"], row["text_severity"]) == (
        "major",
        "tag",
        "blocker",
    )
    assert "nadie" in row["text_rules"]
    assert "nadie" in row["text_words"].lower()

    assert main(["report", "severity-confusion", "--format", "json", "--config", str(CONFIG)]) == 0
    confusion = {r["agent_severity"]: r for r in json.loads(capsys.readouterr().out)}
    assert confusion["major"]["text_blocker"] >= 1  # the corrected ticket, among others
    assert sum(r["tickets"] for r in confusion.values()) >= 1

    # The agents' labels train the model: --from-state adds them, written where asked.
    few = read_cores()[::8]
    monkeypatch.setattr("zendesk_sla.cli.severity_train.read_cores", lambda: few)
    out = tmp_path / "retrained.json.gz"
    argv = ["severity", "train", "--from-state", "--out", str(out), "--config", str(CONFIG)]
    assert main(argv) == 0
    said = capsys.readouterr().out
    learned = int(said.split(" from the state")[0].rsplit(" ", 1)[1])
    assert 1 <= learned <= sum(r["tickets"] for r in confusion.values())  # one per distinct text
