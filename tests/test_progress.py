"""Progress on long work: a line every N seconds off a terminal, with rate and ETA."""

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
    assert len(events) == 3  # at 12 s, 24 s and 36 s
    assert events[0]["done"] == 300 and events[0]["total"] == 1000
    assert events[0]["per_second"] == 25.0 and events[0]["eta_seconds"] == 28


def test_a_cycle_reads_then_decides(capsys: pytest.CaptureFixture[str]) -> None:
    configure("json", "INFO")
    now = {"t": 0.0}
    progress = Progress("poll", every=1, terminal=False, clock=lambda: now["t"])
    update = cycle_progress(progress)
    now["t"] = 2
    update(Summary("poll", tickets_seen=1000), 0)
    now["t"] = 4
    update(Summary("poll", tickets_seen=2000, evaluated=1500), 0)
    events = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(e["phase"], e["done"], e["total"]) for e in events] == [
        ("reading", 1000, None),
        ("deciding", 1500, 2000),
    ]
