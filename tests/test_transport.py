"""The transport's retry layers, with `responses`: 429 budget, 5xx and transport errors."""

from __future__ import annotations

import pytest
import requests
import responses
from zendesk_sla.zendesk.errors import OutcomeUnknown, RateLimited, Transient
from zendesk_sla.zendesk.transport import ZendeskSession

URL = "https://athento.zendesk.com/api/v2/tickets/1.json"
RATE_LIMITED = {
    "status": 429,
    "body": "Number of allowed API requests per minute exceeded",
    "content_type": "text/plain",
}


def session(budget: float = 60.0) -> tuple[ZendeskSession, list[float]]:
    slept: list[float] = []
    return ZendeskSession(wait_budget_seconds=budget, sleep=slept.append, attempts=3), slept


@responses.activate
def test_429_waits_retry_after_then_succeeds() -> None:
    responses.get(
        URL,
        headers={"Retry-After": "3", "X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "0"},
        **RATE_LIMITED,
    )
    responses.get(URL, json={"ticket": {"id": 1}})
    http, slept = session()
    assert http.get(URL).json() == {"ticket": {"id": 1}}
    assert slept == [3.0]
    assert http.meter.rate_limit_waits == 1


@responses.activate
def test_429_beyond_the_cycle_budget_ends_the_cycle() -> None:
    responses.get(URL, headers={"Retry-After": "30"}, **RATE_LIMITED)
    http, slept = session(budget=45)
    responses.get(URL, headers={"Retry-After": "30"}, **RATE_LIMITED)
    with pytest.raises(RateLimited, match="wait budget"):
        http.get(URL)
    assert slept == [30.0]
    http.new_cycle()
    responses.replace(responses.GET, URL, json={"ticket": {"id": 1}})
    assert http.get(URL).status_code == 200


@responses.activate
def test_5xx_on_a_read_is_retried_with_backoff() -> None:
    responses.get(URL, status=503, body="Service Unavailable", content_type="text/plain")
    responses.get(URL, status=500, json={"error": "InternalError"})
    responses.get(URL, json={"ticket": {"id": 1}})
    http, slept = session()
    assert http.get(URL).status_code == 200
    assert http.meter.retries == 2
    assert len(slept) == 2


@responses.activate
def test_persistent_5xx_gives_up_after_the_stop() -> None:
    responses.get(URL, status=500, json={"error": "InternalError"})
    http, _ = session()
    with pytest.raises(Transient):
        http.get(URL)
    assert len(responses.calls) == 3


@responses.activate
def test_a_500_on_a_write_is_not_resent() -> None:
    responses.put(URL, status=500, json={"error": "InternalError"})
    http, _ = session()
    assert http.put(URL, json={}).status_code == 500
    assert len(responses.calls) == 1


@responses.activate
def test_a_503_on_a_write_is_resent() -> None:
    responses.put(URL, status=503, body="Service Unavailable", content_type="text/plain")
    responses.put(URL, json={"ticket": {"id": 1}})
    http, _ = session()
    assert http.put(URL, json={}).status_code == 200


@responses.activate
def test_a_write_with_no_answer_has_an_unknown_outcome() -> None:
    responses.put(URL, body=requests.ConnectionError("Connection reset by peer"))
    http, _ = session()
    with pytest.raises(OutcomeUnknown):
        http.put(URL, json={})
    assert len(responses.calls) == 1


@responses.activate
def test_a_read_with_no_answer_is_retried() -> None:
    responses.get(URL, body=requests.ConnectionError("Connection reset by peer"))
    responses.get(URL, json={"ticket": {"id": 1}})
    http, _ = session()
    assert http.get(URL).status_code == 200
