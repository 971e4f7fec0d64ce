"""The zenpy gateway against `responses` replaying Zendesk-shaped payloads."""

from __future__ import annotations

import json

import pytest
import responses
from responses import matchers
from zendesk_sla.zendesk.gateway import (
    CONFLICT,
    FAILED,
    OK,
    REFUSED,
    UNKNOWN,
    Write,
    ZendeskGateway,
)
from zendesk_sla.zendesk.parse import event_rows, ticket_row
from zendesk_sla.zendesk.transport import ZendeskSession
from zendesk_sla.zendesk.validate import BadPayload
from zenpy import Zenpy
from zenpy.lib.api_objects import Ticket

from tests import payloads
from tests.payloads import BASE

API = f"{BASE}/api/v2"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> ZendeskGateway:
    monkeypatch.delenv("ZENPY_FORCE_NETLOC", raising=False)
    monkeypatch.delenv("ZENPY_FORCE_SCHEME", raising=False)
    session = ZendeskSession(sleep=lambda _s: None)
    client = Zenpy(subdomain="athento", email="worker@athento.example", token="t", session=session)
    return ZendeskGateway(
        client, session, BASE, job_poll_interval=0, job_poll_timeout=5, sleep=lambda _s: None
    )


@responses.activate
def test_cursor_page_reads_tickets_and_the_after_cursor(gateway: ZendeskGateway) -> None:
    page = payloads.cursor_page([payloads.ticket(id=1), payloads.ticket(id=2)], end=True)
    responses.get(
        f"{API}/incremental/tickets/cursor.json",
        match=[
            matchers.query_param_matcher(
                {"start_time": "0", "per_page": "1000", "include": "metric_sets"}
            )
        ],
        json=page,
    )
    got = gateway.ticket_page(start_time=0)
    assert [t["id"] for t in got.items] == [1, 2]
    assert got.end_of_stream is True
    assert got.after_cursor == payloads.cursor(1770015600, 2)


@responses.activate
def test_resume_sends_the_saved_cursor(gateway: ZendeskGateway) -> None:
    saved = payloads.cursor(1770015600, 2)
    responses.get(
        f"{API}/incremental/tickets/cursor.json",
        match=[
            matchers.query_param_matcher(
                {"cursor": saved, "per_page": "1000", "include": "metric_sets"}
            )
        ],
        json=payloads.cursor_page([], end=True),
    )
    assert gateway.ticket_page(cursor=saved).items == []


@responses.activate
def test_bulk_write_polls_jobs_and_reports_each_ticket(gateway: ZendeskGateway) -> None:
    responses.put(
        f"{API}/tickets/update_many.json",
        json={"job_status": payloads.job_status("V3-abc", "queued", total=3)},
    )
    responses.get(
        f"{API}/job_statuses/show_many.json",
        json={"job_statuses": [payloads.job_status("V3-abc", "working", total=3)]},
    )
    responses.get(
        f"{API}/job_statuses/show_many.json",
        json={
            "job_statuses": [
                payloads.job_status(
                    "V3-abc",
                    "completed",
                    total=3,
                    results=[
                        payloads.updated(1),
                        payloads.failed(
                            1,
                            2,
                            "UpdateConflict",
                            "Safe Update prevented the update due to outdated ticket data.",
                        ),
                        payloads.failed(
                            2, 3, "TicketUpdateFailed", "Status: closed prevents ticket update"
                        ),
                    ],
                )
            ]
        },
    )
    writes = [Write(i, "2026-02-02T07:00:00Z", add_tags=("sla_at_risk",)) for i in (1, 2, 3)]
    outcomes = gateway.write(writes)
    assert [(o.ticket_id, o.result) for o in outcomes] == [(1, OK), (2, CONFLICT), (3, FAILED)]
    body = json.loads(responses.calls[0].request.body)
    # The worker's own tags are merged by Zendesk: no safe_update in bulk (it is documented
    # for single updates only).
    assert body["tickets"][0] == {"id": 1, "additional_tags": ["sla_at_risk"]}


@responses.activate
def test_writes_are_split_into_jobs_of_100(gateway: ZendeskGateway) -> None:
    ids = iter(["V3-a", "V3-b"])
    responses.add_callback(
        responses.PUT,
        f"{API}/tickets/update_many.json",
        callback=lambda req: (
            200,
            {},
            json.dumps({"job_status": payloads.job_status(next(ids), "queued")}),
        ),
    )
    done = [payloads.job_status(j, "completed", results=[]) for j in ("V3-a", "V3-b")]
    responses.get(f"{API}/job_statuses/show_many.json", json={"job_statuses": done})
    gateway.write([Write(i, "2026-02-02T07:00:00Z", add_tags=("x",)) for i in range(150)])
    sizes = [
        len(json.loads(c.request.body)["tickets"])
        for c in responses.calls
        if c.request.method == "PUT"
    ]
    assert sizes == [100, 50]


@responses.activate
def test_custom_fields_and_notes_are_sent_as_zendesk_expects(gateway: ZendeskGateway) -> None:
    responses.put(
        f"{API}/tickets/update_many.json",
        json={"job_status": payloads.job_status("V3-c", "queued")},
    )
    responses.get(
        f"{API}/job_statuses/show_many.json",
        json={
            "job_statuses": [
                payloads.job_status("V3-c", "completed", results=[payloads.updated(7)])
            ]
        },
    )
    write = Write(
        7,
        "2026-02-02T07:00:00Z",
        remove_tags=("sla_at_risk",),
        custom_fields={900: "2026-02-02T09:00:00Z"},
        comment=("Nota", False),
    )
    gateway.write([write])
    sent = json.loads(responses.calls[0].request.body)["tickets"][0]
    assert sent["custom_fields"] == [{"id": 900, "value": "2026-02-02T09:00:00Z"}]
    assert sent["comment"] == {"body": "Nota", "public": False}
    assert sent["remove_tags"] == ["sla_at_risk"]


@responses.activate
def test_the_job_payload_is_what_zenpy_would_send_for_the_same_writes(
    gateway: ZendeskGateway,
) -> None:
    # The gateway writes the update_many payload itself; zenpy's own ticket objects are the
    # second implementation it must agree with, key for key.
    writes = [
        Write(
            1,
            "s",
            add_tags=("sla_plan_company", "sla_at_risk"),
            remove_tags=("sla_response_breached",),
            custom_fields={900: "2026-02-02T09:00:00Z", 901: None},
            comment=("Nota «interna»\nsegunda línea", False),
            status="solved",
        ),
        Write(2, "s", add_tags=("sla_quota_counted",)),
        Write(3, "s", custom_fields={902: "critical"}, comment=("Aviso", True)),
    ]
    url = f"{API}/tickets/update_many.json"
    responses.put(url, json={"job_status": payloads.job_status("V3-z", "queued")})
    gateway.submit(writes)
    ours = json.loads(responses.calls[0].request.body)
    gateway.client.tickets.update([Ticket(id=w.ticket_id, **w.changes()) for w in writes])
    assert json.loads(responses.calls[1].request.body) == ours


@responses.activate
def test_a_job_that_never_finishes_leaves_the_outcome_unknown(gateway: ZendeskGateway) -> None:
    gateway.job_poll_timeout = 0
    responses.put(
        f"{API}/tickets/update_many.json",
        json={"job_status": payloads.job_status("V3-d", "queued")},
    )
    responses.get(
        f"{API}/job_statuses/show_many.json",
        json={"job_statuses": [payloads.job_status("V3-d", "working")]},
    )
    outcomes = gateway.write([Write(1, "2026-02-02T07:00:00Z", add_tags=("x",))])
    assert [o.result for o in outcomes] == [UNKNOWN]


@pytest.mark.parametrize(
    ("status", "body", "result"),
    [
        # A request refused whole: nothing was queued, the request (not each ticket) was
        # refused; it is retried with back-off and handed over like a refused write.
        (
            400,
            {
                "error": "TooManyValues",
                "description": "Parameter  cannot specify more than 100 values",
                "max_count": 100,
            },
            REFUSED,
        ),
        (
            403,
            {"error": {"title": "Forbidden", "message": "You do not have access to this page."}},
            REFUSED,
        ),
        (
            422,
            {
                "error": "RecordInvalid",
                "description": "Record validation errors",
                "details": {"base": [{"description": "Ticket is not updatable"}]},
            },
            REFUSED,
        ),
        # A 500 may come after Zendesk queued the job: notes are verified before a resend.
        (500, {"error": "InternalError", "description": "Something went wrong"}, UNKNOWN),
    ],
)
@responses.activate
def test_a_job_request_that_fails_whole_gives_each_ticket_the_same_outcome(
    gateway: ZendeskGateway, status: int, body: dict[str, object], result: str
) -> None:
    responses.put(f"{API}/tickets/update_many.json", status=status, json=body)
    outcomes = gateway.write([Write(1, "s", add_tags=("x",)), Write(2, "s", add_tags=("x",))])
    assert [o.result for o in outcomes] == [result, result]
    error = body["error"]
    said = error["title"] if isinstance(error, dict) else error
    assert f"HTTP {status} {said}" in outcomes[0].detail


@responses.activate
def test_a_close_goes_alone_with_safe_update_and_a_409_is_a_conflict(
    gateway: ZendeskGateway,
) -> None:
    responses.put(
        f"{API}/tickets/7.json",
        status=409,
        json={"error": "UpdateConflict", "description": "Safe Update prevented the update"},
    )
    close = Write(7, "2026-02-02T07:00:00Z", comment=("Hola", True), status="solved")
    assert gateway.update_ticket(close).result == CONFLICT
    body = json.loads(responses.calls[0].request.body)
    assert body["ticket"]["safe_update"] is True
    assert body["ticket"]["updated_stamp"] == "2026-02-02T07:00:00Z"
    assert body["ticket"]["status"] == "solved"


@responses.activate
def test_a_refused_close_says_what_zendesk_refused(gateway: ZendeskGateway) -> None:
    responses.put(
        f"{API}/tickets/7.json",
        status=422,
        json={
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {"base": [{"description": "Motivo: is required when solving a ticket"}]},
        },
    )
    outcome = gateway.update_ticket(Write(7, "s", status="solved"))
    assert outcome.result == FAILED
    assert outcome.detail == "TicketUpdateFailed: Motivo: is required when solving a ticket"


def test_ticket_row_reads_the_recorded_ticket() -> None:
    row = ticket_row(payloads.ticket(tags=["vip"], custom_fields=[{"id": 27642, "value": "745"}]))
    assert row.id == 29
    assert row.via_channel == "email"
    assert row.custom_fields == {"27642": "745"}
    assert row.updated_stamp == "2026-02-02T07:00:00Z"


@pytest.mark.parametrize(
    "broken",
    [
        {"id": "29"},
        {"created_at": "yesterday"},
        {"status": None},
        {"tags": "vip"},
        {"custom_fields": [{"value": 1}]},
    ],
)
def test_bad_ticket_payloads_are_refused_with_a_reason(broken: dict[str, object]) -> None:
    with pytest.raises(BadPayload):
        ticket_row(payloads.ticket(**broken))


def test_event_rows_tell_agent_replies_from_triggers_and_the_worker() -> None:
    event = payloads.ticket_event(
        29,
        1770015700,
        {
            "id": 5,
            "via": "Web form",
            "via_reference_id": None,
            "status": "open",
            "event_type": "Change",
            "previous_value": "new",
        },
        payloads.comment_event(6, author_id=11, public=True),
        payloads.comment_event(7, author_id=12, public=True, channel="rule"),
        payloads.comment_event(8, author_id=99, public=False),
    )
    rows = event_rows(event, worker_user_id=99)
    assert [(r.kind, r.status) for r in rows if r.kind == "status"] == [("status", "open")]
    comments = {r.event_id: r.automated for r in rows if r.kind == "comment"}
    assert comments == {6: False, 7: True, 8: True}


@responses.activate
def test_job_results_are_matched_by_ticket_id_in_any_order(gateway: ZendeskGateway) -> None:
    responses.put(
        f"{API}/tickets/update_many.json",
        json={"job_status": payloads.job_status("V3-def", "queued", total=3)},
    )
    responses.get(
        f"{API}/job_statuses/show_many.json",
        json={
            "job_statuses": [
                payloads.job_status(
                    "V3-def",
                    "completed",
                    total=3,
                    results=[  # successful results carry the id and no index
                        payloads.failed(
                            1, 2, "TicketUpdateFailed", "Motivo: is required when solving a ticket"
                        ),
                        payloads.updated(3),
                        payloads.updated(1),
                    ],
                )
            ]
        },
    )
    writes = [Write(i, "2026-02-02T07:00:00Z", status="solved") for i in (1, 2, 3)]
    outcomes = {o.ticket_id: o.result for o in gateway.write(writes)}
    assert outcomes == {1: OK, 2: FAILED, 3: OK}


@pytest.mark.parametrize(
    ("status", "results", "expected"),
    [
        # Recorded: a completed job whose results are one object, and `total` null.
        ("completed", {"success": True}, OK),
        ("completed", {"success": False}, UNKNOWN),
        ("failed", {}, UNKNOWN),
    ],
)
@responses.activate
def test_a_job_whose_results_are_an_object_gives_every_ticket_that_outcome(
    gateway: ZendeskGateway, status: str, results: dict[str, object], expected: str
) -> None:
    responses.put(
        f"{API}/tickets/update_many.json",
        json={"job_status": payloads.job_status("V3-o", "queued", total=2)},
    )
    done = {**payloads.job_status("V3-o", status), "total": None, "results": results}
    responses.get(f"{API}/job_statuses/show_many.json", json={"job_statuses": [done]})
    outcomes = gateway.write([Write(1, "s", add_tags=("x",)), Write(2, "s", add_tags=("x",))])
    assert [o.result for o in outcomes] == [expected, expected]
