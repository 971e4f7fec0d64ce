"""Tickets: show, show_many, comments, single update (with its audit), update_many jobs."""

from __future__ import annotations

from zendesk_sla.sandbox.errors import ApiError
from zendesk_sla.sandbox.model import STATUSES, Json, iso
from zendesk_sla.sandbox.routing import (
    Reply,
    Routes,
    found,
    ids_arg,
    json_reply,
    listing,
    paged,
)

UPDATES_PER_TICKET = 30  # per user and ticket in 10 minutes, single updates


class TicketRoutes(Routes):
    updates_by_ticket: dict[int, list[int]]

    def show_ticket(self, _query: dict[str, str], _body: Json, ticket_id: str) -> Reply:
        ticket = self.account.ticket(int(ticket_id)).to_json(self.base_url)
        ticket.pop("generated_timestamp", None)  # only the incremental export carries it
        return json_reply(200, {"ticket": ticket})

    def count_tickets(self, _query: dict[str, str], _body: Json) -> Reply:
        """GET tickets/count: Zendesk's (cached) count of the account's tickets."""
        count = {"value": len(self.account.tickets), "refreshed_at": iso(self.account.now())}
        return json_reply(200, {"count": count})

    def custom_statuses(self, _query: dict[str, str], _body: Json) -> Reply:
        """GET custom_statuses: the account's statuses, one system status per category
        (the ids the sandbox's tickets carry as custom_status_id)."""
        items = [
            {
                "id": 6130830355738 + STATUSES.index(category),
                "status_category": category,
                "agent_label": category.capitalize(),
                "end_user_label": category.capitalize(),
                "description": "",
                "active": True,
                "default": True,
            }
            for category in STATUSES
            if category != "closed"
        ]
        return json_reply(200, {"custom_statuses": items})

    def show_tickets(self, query: dict[str, str], _body: Json) -> Reply:
        tickets = found(self.account.tickets, query, self.base_url)
        for ticket in tickets:
            ticket.pop("generated_timestamp", None)  # only the incremental export carries it
        return listing("tickets", tickets)

    def ticket_comments(self, query: dict[str, str], _body: Json, ticket_id: str) -> Reply:
        comments = [
            {
                **audit.comment_json(child),
                "via": {"channel": audit.via, "source": {"from": {}, "to": {}, "rel": None}},
                "created_at": iso(audit.timestamp),
            }
            for audit, child in self.account.comments(int(ticket_id))
        ]
        url = f"{self.base_url}/api/v2/tickets/{ticket_id}/comments.json"
        return paged("comments", comments, query, url)

    def update_ticket(self, _query: dict[str, str], body: Json, ticket_id: str) -> Reply:
        changes = body.get("ticket")
        if not isinstance(changes, dict):
            raise ApiError(400, {"error": "InvalidValue", "description": "ticket is required"})
        self._per_ticket_limit(int(ticket_id))
        audit = self.account.update_ticket(int(ticket_id), changes, self.account.api_user_id)
        ticket = self.account.ticket(int(ticket_id))
        audit_json = (
            audit.to_audit_json() if audit else {"id": None, "ticket_id": ticket.id, "events": []}
        )
        return json_reply(200, {"ticket": ticket.to_json(self.base_url), "audit": audit_json})

    def _per_ticket_limit(self, ticket_id: int) -> None:
        """Zendesk: at most 30 updates of one ticket by one user in 10 minutes."""
        now = self.account.now()
        recent = [t for t in self.updates_by_ticket.get(ticket_id, []) if now - t < 600]
        if len(recent) >= UPDATES_PER_TICKET:
            wait = 600 - (now - recent[0])
            # Documented as text/html, unlike the account's plain-text 429 (API notes 1.2).
            words = b"Rate limit for ticket updates exceeded, please wait before updating "
            raise ApiError(
                429,
                {},
                {"Retry-After": str(max(wait, 1))},
                text=(words + b"this ticket again", "text/html; charset=utf-8"),
            )
        self.updates_by_ticket[ticket_id] = [*recent, now]

    def create_ticket(self, _query: dict[str, str], body: Json) -> Reply:
        spec = body.get("ticket")
        if not isinstance(spec, dict):
            raise ApiError(400, {"error": "InvalidValue", "description": "ticket is required"})
        ticket = self.account.create_ticket(spec, self.account.api_user_id)
        audit = self.account.audits_by_ticket[ticket.id][-1]
        return json_reply(
            201, {"ticket": ticket.to_json(self.base_url), "audit": audit.to_audit_json()}
        )

    def update_many(self, query: dict[str, str], body: Json) -> Reply:
        if "ids" in query:
            template = body.get("ticket") or {}
            items: list[Json] = [{**template, "id": i} for i in ids_arg(query)]
        else:
            items = body.get("tickets")  # type: ignore[assignment]
            if not isinstance(items, list):
                raise ApiError(400, {"error": "InvalidValue", "description": "tickets is required"})
        job = self.account.enqueue(items, self.account.api_user_id)
        return json_reply(200, {"job_status": job.to_json(self.base_url)})
