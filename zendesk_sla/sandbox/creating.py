"""New tickets, as `POST /api/v2/tickets` makes them: status new, a Create audit, the opening
comment. A mixin of `Account`; tests also call it directly to pick the channel."""

from __future__ import annotations

from typing import Any

from zendesk_sla.sandbox.errors import invalid
from zendesk_sla.sandbox.model import PRIORITIES, Audit, Json, Ticket


class TicketCreation:
    """Needs of the mixin, provided by `Account`."""

    tickets: dict[int, Ticket]
    api_user_id: int | None

    def now(self) -> int:
        raise NotImplementedError

    def next_id(self) -> int:
        raise NotImplementedError

    def new_child_id(self) -> int:
        raise NotImplementedError

    def add_ticket(self, ticket: Ticket, audits: Any = ()) -> Ticket:
        raise NotImplementedError

    def _record(self, ticket: Ticket, audit: Audit) -> None:
        raise NotImplementedError

    def create_ticket(self, spec: Json, author_id: int | None, via: str = "api") -> Ticket:
        comment = spec.get("comment")
        body = str(comment.get("body") or "") if isinstance(comment, dict) else ""
        if not body:
            raise invalid("comment", "Comment: cannot be blank")
        requester = spec.get("requester_id") or author_id
        if not isinstance(requester, int):
            raise invalid("requester_id", "Requester: cannot be blank")
        priority = spec.get("priority")
        if priority is not None and priority not in PRIORITIES:
            raise invalid("priority", f"Priority: {priority} is not valid")
        now = self.now()
        ticket = Ticket(
            id=self.next_id(),
            subject=str(spec.get("subject") or body[:60]),
            description=body,
            status="new",
            priority=priority,
            requester_id=requester,
            organization_id=spec.get("organization_id"),
            via_channel=via,
            created_at=now,
            updated_at=now,
            generated_timestamp=now,
            tags=[str(t) for t in spec.get("tags") or []],
            submitter_id=spec.get("submitter_id") or author_id or requester,
        )
        self.add_ticket(ticket)
        children: list[Json] = [
            {"id": self.new_child_id(), "event_type": "Create", "status": "new"},
            {
                "id": self.new_child_id(),
                "event_type": "Comment",
                "type": "Comment",
                "author_id": ticket.submitter_id,
                "body": body,
                "html_body": f"<p>{body}</p>",
                "public": True,
                "attachments": [],
            },
        ]
        submitter = ticket.submitter_id or requester
        self._record(ticket, Audit(self.next_id(), ticket.id, now, submitter, via, children))
        return ticket
