"""Deterministic sample data for the sandbox: organizations on every plan, contacts, tickets.

Every record is a function of (seed, index), produced one at a time, so any
size from a thousand to a million tickets streams in constant memory. Ticket
histories are realistic: the opening comment, trigger auto-replies, agent
replies and private notes, pending and hold spells, customer replies,
solves, reopenings and closes; subjects in Spanish and English.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.model import Audit, Json, Ticket
from zendesk_sla.sandbox.sample_data import (
    API_EMAIL,
    CHANNELS,
    SUBJECTS,
)
from zendesk_sla.sandbox.sample_people import Directory, pick, seed_people


def seed_account(
    account: Account,
    *,
    tickets: int,
    seed: int = 1,
    now: datetime | None = None,
    days: int = 120,
) -> Directory:
    """Fill `account` with deterministic sample data ending two minutes before `now`."""
    anchor = int((now or datetime.fromtimestamp(account.now(), UTC)).timestamp())
    directory = seed_people(account, seed, tickets, anchor)
    for ticket, audits in generate_tickets(directory, seed, tickets, anchor, days, account):
        account.add_ticket(ticket, audits)
    account.reindex()
    return directory


def generate_tickets(
    directory: Directory, seed: int, count: int, anchor: int, days: int, account: Account
) -> Iterator[tuple[Ticket, list[Audit]]]:
    span = days * 86400
    last_ok = anchor - 120
    for index in range(count):
        rng = random.Random(seed * 1_000_003 + index)
        created = anchor - span + (index * span) // max(count, 1) + rng.randrange(0, 600)
        created = min(created, last_ok - 60)
        yield _ticket(rng, directory, account, index + 1, created, last_ok)


def _ticket(
    rng: random.Random, d: Directory, account: Account, ticket_id: int, created: int, last_ok: int
) -> tuple[Ticket, list[Audit]]:
    org_id, _plan = rng.choice(d.orgs)
    people = d.contacts[org_id]
    authorized = [u for u, ok in people if ok]
    requester = (
        rng.choice(authorized) if authorized and rng.random() < 0.85 else rng.choice(people)[0]
    )
    channel = pick(rng, CHANNELS)
    severity = rng.choice(("blocker", "critical", "major", "major", "trivial", "trivial", "none"))
    subject = rng.choice(SUBJECTS[severity])
    priority = rng.choice((None, None, "urgent", "high", "normal", "low"))
    agent = rng.choice(d.agents)
    ticket = Ticket(
        id=ticket_id,
        subject=subject,
        description=f"{subject}. Detalle del cliente #{rng.randrange(10_000)}.",
        status="new",
        priority=priority,
        requester_id=requester,
        organization_id=org_id,
        via_channel=channel,
        created_at=created,
        updated_at=created,
        generated_timestamp=created,
        assignee_id=None,
    )
    tags: list[str] = []
    if rng.random() < 0.05:
        tags.append(f"sla_sev_{rng.choice(('blocker', 'critical', 'major', 'trivial'))}")
    if rng.random() < 0.03:
        tags.append("sla_third_party")
    if rng.random() < 0.03:
        tags.append("sla_out_of_scope")
    if rng.random() < 0.2:
        tags.append(rng.choice(("vip", "facturacion", "integracion", "migracion")))
    ticket.tags = tags
    if rng.random() < 0.1:
        ticket.custom_fields[d.severity_field] = rng.choice(
            ("blocker", "critical", "major", "trivial")
        )

    audits: list[Audit] = []
    at = created

    def audit(who: int, via: str, *children: Json) -> None:
        nonlocal at
        for child in children:
            child["id"] = account.new_child_id()
        audits.append(Audit(account.next_id(), ticket.id, at, who, via, list(children)))

    def comment(who: int, public: bool, body: str, rel: str | None = None) -> Json:
        return {
            "event_type": "Comment",
            "type": "Comment",
            "author_id": who,
            "body": body,
            "html_body": f"<p>{body}</p>",
            "public": public,
            "attachments": [],
            "_via_rel": rel,
        }

    def change(name: str, value: object, previous: object) -> Json:
        return {"event_type": "Change", name: value, "previous_value": previous}

    create: Json = {
        "event_type": "Create",
        "status": "new",
        "subject": subject,
        "priority": priority,
        "tags": list(tags),
    }
    audit(requester, channel, create, comment(requester, True, ticket.description))
    if rng.random() < 0.3:
        at += rng.randrange(1, 30)
        audit(agent, "rule", comment(agent, True, "Hemos recibido su solicitud.", "trigger"))
    status = "new"
    for _step in range(rng.randrange(0, 7)):
        step = rng.randrange(5 * 60, 8 * 3600)  # most answers come within a working day
        if at + step >= last_ok:
            break
        at += step
        roll = rng.random()
        if status in ("new", "open") and roll < 0.45:
            nxt = rng.choice(("open", "pending", "pending", "hold"))
            audit(
                agent,
                "web",
                comment(agent, True, "Estamos revisando el caso, ¿puede enviar el log?"),
                change("status", nxt, status),
            )
            status = nxt
        elif status in ("new", "open") and roll < 0.6:
            audit(
                agent, "web", comment(agent, False, "Nota interna: reproducido en preproducción.")
            )
        elif status in ("pending", "hold") and roll < 0.5:
            audit(
                requester,
                "email",
                comment(requester, True, "Adjunto la información solicitada."),
                change("status", "open", status),
            )
            status = "open"
        elif status in ("open", "pending", "hold"):
            audit(
                agent,
                "web",
                comment(agent, True, "Solucionado en la versión 4.2."),
                change("status", "solved", status),
            )
            status = "solved"
        elif status == "solved" and roll < 0.2:
            audit(
                requester,
                "email",
                comment(requester, True, "El problema ha vuelto a aparecer."),
                change("status", "open", status),
            )
            status = "open"
    # A help desk solves most of what is not recent: an old ticket still open is rare.
    if status in ("new", "open", "hold") and last_ok - at > 3 * 86400 and rng.random() < 0.9:
        at += rng.randrange(10 * 60, 6 * 3600)
        audit(
            agent,
            "web",
            comment(agent, True, "Solucionado: aplique el parche indicado."),
            change("status", "solved", status),
        )
        status = "solved"
    if status == "solved" and last_ok - at > 4 * 86400 and rng.random() < 0.8:
        at += 4 * 86400
        audit(-1, "rule", change("status", "closed", "solved"))
        status = "closed"
    if rng.random() < 0.005:
        status = "deleted"
    ticket.status = status
    ticket.assignee_id = agent if len(audits) > 1 else None
    ticket.updated_at = ticket.generated_timestamp = at
    return ticket, audits


def stream(
    tickets: int, *, seed: int = 1, now: datetime | None = None, days: int = 120
) -> Iterator[Json]:
    """The sample account as JSON lines, one record at a time (constant memory at any size).

    Organizations, users and field definitions first (as the API shows them), then each
    ticket with its audits as ticket events.
    """
    account = Account(api_user_email=API_EMAIL)
    anchor = int((now or datetime.now(UTC)).timestamp())
    directory = seed_people(account, seed, tickets, anchor)
    base = "https://athento.zendesk.com"
    for fdef in account.fields.values():
        yield {"type": f"{fdef.kind}_field", "data": fdef.to_json(base)}
    for org in account.organizations.values():
        yield {"type": "organization", "data": org.to_json(base)}
    for user in account.users.values():
        yield {"type": "user", "data": user.to_json(base)}
    for ticket, audits in generate_tickets(directory, seed, tickets, anchor, days, account):
        yield {
            "type": "ticket",
            "data": ticket.to_json(base),
            "events": [a.to_event_json(True) for a in audits],
        }


__all__ = ["API_EMAIL", "Directory", "generate_tickets", "seed_account", "stream"]
