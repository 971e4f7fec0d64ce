"""The sandbox's webhooks (Zendesk's Webhooks API) and their deliveries.

A trigger's `notification_webhook` action sends its body to the webhook's endpoint, as
Zendesk does: in the background, after the update, with the ticket placeholders the
worker's bodies use rendered. Every delivery is recorded, answered or not.
"""

from __future__ import annotations

import threading
import urllib.request
from dataclasses import dataclass
from typing import Any

from zendesk_sla.sandbox.errors import ApiError
from zendesk_sla.sandbox.model import Json, Ticket, iso


@dataclass
class Delivery:
    webhook_id: int
    ticket_id: int
    body: str
    status: int | None = None  # the endpoint's answer (None: none yet, or unreachable)


def _invalid(description: str) -> ApiError:
    return ApiError(400, {"error": {"title": "Invalid webhook", "message": description}})


class Webhooks:
    """Webhooks of one account. Callers hold the account lock."""

    def __init__(self) -> None:
        self.hooks: dict[int, Json] = {}
        self.deliveries: list[Delivery] = []

    def create(self, spec: Any, new_id: int, now: int) -> Json:
        if not isinstance(spec, dict) or not spec.get("name"):
            raise _invalid("name is required")
        endpoint = str(spec.get("endpoint") or "")
        if not endpoint.startswith(("http://", "https://")):
            raise _invalid("endpoint must be an http(s) URL")
        if spec.get("http_method", "POST") not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            raise _invalid("http_method is not valid")
        if spec.get("request_format", "json") not in ("json", "xml", "form_encoded"):
            raise _invalid("request_format is not valid")
        hook = {
            "id": str(new_id),  # Zendesk's webhook ids are strings
            "name": spec["name"],
            "endpoint": endpoint,
            "http_method": spec.get("http_method", "POST"),
            "request_format": spec.get("request_format", "json"),
            "status": spec.get("status", "active"),
            "subscriptions": list(spec.get("subscriptions") or ["conditional_ticket_events"]),
            "created_at": iso(now),
        }
        self.hooks[new_id] = hook
        return hook

    def deliver(self, webhook_id: str, ticket: Ticket, body: str, base: str) -> None:
        """Send `body` for `ticket` to the webhook, in the background."""
        hook = self.hooks.get(int(webhook_id)) if str(webhook_id).isdigit() else None
        if hook is None or hook["status"] != "active":
            return
        rendered = (
            body.replace("{{ticket.id}}", str(ticket.id))
            .replace("{{ticket.title}}", ticket.subject)
            .replace("{{ticket.link}}", f"{base}/agent/tickets/{ticket.id}")
        )
        delivery = Delivery(int(webhook_id), ticket.id, rendered)
        self.deliveries.append(delivery)

        def send() -> None:
            request = urllib.request.Request(
                hook["endpoint"],
                data=rendered.encode(),
                method=hook["http_method"],
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    delivery.status = reply.status
            except OSError:
                delivery.status = None

        threading.Thread(target=send, name="webhook", daemon=True).start()
