"""Progress on long work: a line at once and then every N seconds off a terminal, with rate
and ETA (from the first page of an export); log lines never break a bar on a terminal."""

from __future__ import annotations

import json

import pytest
from zendesk_sla.ops.logs import configure
from zendesk_sla.ops.progress import Progress, cycle_progress
from zendesk_sla.sync.summary import Summary


def test_off_a_terminal_a_progress_line_every_interval(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "INFO")
    now = {"t": 0.0}
    progress = Progress("backfill", total=1000, every=10, terminal=False, clock=lambda: now["t"])
    for step in range(1, 11):
        now["t"] = step * 4.0  # 100 tickets every 4 s
        progress.update(step * 100)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    events = [line for line in lines if line["event"] == "progress"]
    assert len(events) == 4  # at once (4 s), then 16 s, 28 s and 40 s
    assert events[1]["done"] == 400 and events[1]["total"] == 1000
    assert events[1]["per_second"] == 25.0 and events[1]["eta_seconds"] == 24


def test_a_cycle_reads_then_decides(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "INFO")
    now = {"t": 0.0}
    progress = Progress("poll", every=1, terminal=False, clock=lambda: now["t"])
    update = cycle_progress(progress)
    now["t"] = 2
    update(Summary("poll", tickets_seen=1000), 0, 0)
    now["t"] = 4
    update(Summary("poll", tickets_seen=2000, evaluated=1500), 0, 0)
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(e["phase"], e["done"], e["total"]) for e in events] == [
        ("reading", 1000, None),
        ("deciding", 1500, 2000),
    ]


def test_reading_an_export_has_an_eta_from_the_first_page(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A first sync over a year of changes: after 60 s the first page reached the end of
    January, so eleven months are left at that pace; the second page corrects it."""
    configure("json", "INFO")
    now = {"t": 0.0}
    progress = Progress("poll", every=0, terminal=False, clock=lambda: now["t"])
    year, month = 1_767_225_600, 30 * 86400  # 2026-01-01, a month of changes
    update = cycle_progress(progress, wall=lambda: year + 12 * month)
    now["t"] = 60
    update(Summary("poll", tickets_seen=1000), year + month, year)
    now["t"] = 90  # the second page: five more months in 30 s
    update(Summary("poll", tickets_seen=2000), year + 6 * month, year)
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [e["eta_seconds"] for e in events] == [660, 36]  # 11 x 60 s; 6 months x 6 s


def test_a_log_line_does_not_break_a_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    import structlog

    configure("json", "INFO")
    progress = Progress("backfill", total=100, terminal=True)
    progress.update(10)
    structlog.get_logger("test").info("rate_limited_wait", seconds=30)
    progress.update(20)
    progress.close()
    err = capsys.readouterr().err
    # What a terminal shows of each line: the text after its last carriage return.
    shown = [line.rsplit("\r", 1)[-1] for line in err.split("\n")]
    logged = [line for line in shown if "rate_limited_wait" in line]
    assert len(logged) == 1 and logged[0].startswith("{")  # on a line of its own
    assert json.loads(logged[0])["seconds"] == 30


def test_a_logged_exception_carries_no_local_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Frames' locals held customer data (requester e-mails, comment text) in JSON logs."""
    import structlog

    configure("json", "INFO")

    def decide(requester: str) -> None:
        raise ValueError("cannot decide ticket 42")

    try:
        decide("cliente@example.com")
    except ValueError:
        structlog.get_logger("test").exception("cycle_crashed")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["exception"][0]["exc_value"] == "cannot decide ticket 42"
    assert line["exception"][0]["frames"]  # where it happened is still there
    assert "cliente@example.com" not in json.dumps(line)
