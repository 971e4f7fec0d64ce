"""Pacing under Zendesk's limits: the account's budget from its headers, the exports' own
bucket, and at most N of our jobs queued or running at once."""

from __future__ import annotations

import pytest
from zendesk_sla.sandbox.serve import Clock
from zendesk_sla.sandbox.server import SandboxServer
from zendesk_sla.zendesk.pacing import Pacer

from tests.test_sync_e2e import assert_every_live_ticket_classified
from tests.worker_fixtures import AppFactory, fast_config


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_account_budget_is_left_alone_below_the_reserve() -> None:
    time = FakeTime()
    pacer = Pacer(reserve=50, sleep=time.sleep, clock=lambda: time.now)
    pacer.after({"X-Rate-Limit-Remaining": "51", "ratelimit-reset": "20"})
    assert time.slept == []
    pacer.after({"ratelimit-remaining": "50", "ratelimit-reset": "20"})
    assert time.slept == [20.0]  # wait for the window to reset rather than meet a 429


def test_exports_go_ten_at_once_then_never_more_than_ten_in_any_minute() -> None:
    time = FakeTime()
    pacer = Pacer(incremental_per_minute=10, sleep=time.sleep, clock=lambda: time.now)
    sent = []
    for _ in range(25):
        pacer.before("https://x.zendesk.com/api/v2/incremental/tickets/cursor.json")
        pacer.before("https://x.zendesk.com/api/v2/tickets/show_many.json")  # not an export
        sent.append(time.now)
    assert sent[:10] == [0.0] * 10  # the first ten at once, as the bucket allows
    assert sent[10] == 60.5 and sent[20] == 121.0
    assert all(b - a >= 60 for a, b in zip(sent, sent[10:], strict=False))


def test_no_more_than_the_configured_jobs_are_in_flight(
    make_app: AppFactory, sandbox: SandboxServer, clock: Clock
) -> None:
    account = sandbox.sandbox.account
    account.job_delay_seconds = 0.02  # jobs wait a little in the queue, as on Zendesk
    config = fast_config()
    config.raw.sync.__dict__.update(max_jobs_in_flight=1, page_size=50)
    app = make_app(config=config)
    summary = app.worker().run_cycle()
    assert summary.error is None
    assert summary.written > 100
    assert account.peak_active_jobs == 1
    assert sandbox.sandbox.stats["429"] == 0
    assert_every_live_ticket_classified(sandbox)


@pytest.mark.parametrize(
    ("headers", "slept"),
    [
        ({"ratelimit-remaining": "3", "ratelimit-reset": "12"}, [12.0]),  # since 2024-02
        ({"rate-limit-remaining": "3", "rate-limit-reset": "7"}, [7.0]),  # up to 2023-12
        ({"X-Rate-Limit-Remaining": "3", "Ratelimit-Reset": "9"}, [9.0]),  # any case
        ({"x-rate-limit": "700", "x-rate-limit-remaining": "3"}, [60.0]),  # Help Center: no reset
        ({"x-rate-limit-remaining": "many", "rate-limit-remaining": "2"}, [60.0]),
        ({"x-rate-limit": "700"}, []),  # nothing said of what is left: no wait
    ],
    ids=["current", "2023", "any-case", "help-center", "unreadable-then-old", "no-remaining"],
)
def test_every_spelling_of_the_budget_is_read(headers: dict[str, str], slept: list[float]) -> None:
    time = FakeTime()
    pacer = Pacer(reserve=10, sleep=time.sleep, clock=lambda: time.now)
    pacer.after(headers)
    assert time.slept == slept
