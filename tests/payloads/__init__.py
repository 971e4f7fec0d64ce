"""Zendesk bodies shaped like recorded traffic (ZENDESK_API_NOTES.md), and small builders."""

from __future__ import annotations

import base64
import copy
from typing import Any

BASE = "https://athento.zendesk.com"

# The recorded ticket of TicketsIncrementalTest.test_pagination (every key, every JSON type).
TICKET: dict[str, Any] = {
    "url": f"{BASE}/api/v2/tickets/29.json",
    "id": 29,
    "external_id": None,
    "via": {"channel": "email", "source": {"from": {}, "to": {}, "rel": None}},
    "created_at": "2026-02-02T07:00:00Z",
    "updated_at": "2026-02-02T07:00:00Z",
    "type": None,
    "subject": "Producción caída",
    "raw_subject": "Producción caída",
    "description": "Caído",
    "priority": None,
    "status": "new",
    "recipient": None,
    "requester_id": 6130907993114,
    "submitter_id": 6130907993114,
    "assignee_id": None,
    "organization_id": 6130869157658,
    "group_id": None,
    "collaborator_ids": [],
    "follower_ids": [],
    "email_cc_ids": [],
    "forum_topic_id": None,
    "problem_id": None,
    "has_incidents": False,
    "is_public": True,
    "due_at": None,
    "tags": [],
    "custom_fields": [],
    "satisfaction_rating": None,
    "sharing_agreement_ids": [],
    "custom_status_id": 6130830355738,
    "fields": [],
    "followup_ids": [],
    "ticket_form_id": 6130830344474,
    "brand_id": 6130830354842,
    "allow_channelback": False,
    "allow_attachments": True,
    "from_messaging_channel": False,
    "generated_timestamp": 1770015600,
}


def ticket(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(TICKET)
    data.update(overrides)
    if "id" in overrides:
        data["url"] = f"{BASE}/api/v2/tickets/{overrides['id']}.json"
    return data


def cursor(generated_timestamp: int, ticket_id: int) -> str:
    return base64.b64encode(f"{generated_timestamp}.0||{ticket_id}|".encode()).decode()


def cursor_page(
    tickets: list[dict[str, Any]], *, end: bool, per_page: int = 1000
) -> dict[str, Any]:
    last = tickets[-1] if tickets else TICKET
    after = cursor(last["generated_timestamp"], last["id"])
    return {
        "tickets": tickets,
        "after_url": f"{BASE}/api/v2/incremental/tickets/cursor.json?cursor="
        f"{after.replace('=', '%3D')}&per_page={per_page}",
        "before_url": None,
        "after_cursor": after,
        "before_cursor": None,
        "end_of_stream": end,
    }


def job_status(
    job_id: str, status: str, results: list[dict[str, Any]] | None = None, total: int = 1
) -> dict[str, Any]:
    progress = {"queued": None, "working": total // 2}.get(status, total)
    message = {
        "working": "Updating tickets",
        "completed": "Completed at 2026-02-02 07:00:00 +0000",
        "failed": "Failed at 2026-02-02 07:00:00 +0000",
    }.get(status)
    return {
        "id": job_id,
        "url": f"{BASE}/api/v2/job_statuses/{job_id}.json",
        "total": total,
        "progress": progress,
        "status": status,
        "message": message,
        "results": results,
    }


def updated(ticket_id: int) -> dict[str, Any]:
    return {"action": "update", "status": "Updated", "success": True, "id": ticket_id}


def failed(index: int, ticket_id: int, error: str, details: str) -> dict[str, Any]:
    return {"index": index, "id": ticket_id, "error": error, "details": details, "success": False}


def ticket_event(
    ticket_id: int,
    timestamp: int,
    *children: dict[str, Any],
    via: str = "Web form",
    updater_id: int = 1,
) -> dict[str, Any]:
    return {
        "id": timestamp * 10,
        "ticket_id": ticket_id,
        "timestamp": timestamp,
        "created_at": "2026-02-02T07:00:00Z",
        "updater_id": updater_id,
        "via": via,
        "system": {
            "client": "Mozilla/5.0",
            "ip_address": None,
            "location": None,
            "latitude": None,
            "longitude": None,
        },
        "event_type": "Audit",
        "child_events": list(children),
    }


def comment_event(
    child_id: int, author_id: int, public: bool, channel: str = "web"
) -> dict[str, Any]:
    return {
        "id": child_id,
        "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
        "via_reference_id": None,
        "type": "Comment",
        "author_id": author_id,
        "body": "Hola",
        "html_body": '<div class="zd-comment"><p>Hola</p></div>',
        "public": public,
        "attachments": [],
        "audit_id": 91048994468,
        "created_at": "2026-02-02T07:00:00Z",
        "event_type": "Comment",
    }
