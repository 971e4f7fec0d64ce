"""The sample account's people: organizations on every plan with their contacts, and agents."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.model import Json
from zendesk_sla.sandbox.records import FieldDef, Organization, User
from zendesk_sla.sandbox.sample_data import (
    API_EMAIL,
    COMPANIES,
    CONTACT_CAPS,
    FIRST_NAMES,
    LAST_NAMES,
    ORG_FIELDS,
    PLAN_WEIGHTS,
    SEVERITY_FIELD_TITLE,
    USER_FIELDS,
)


@dataclass
class Directory:
    """Who exists, so tickets can pick requesters and agents by index."""

    agents: list[int] = field(default_factory=list)
    orgs: list[tuple[int, str]] = field(default_factory=list)
    contacts: dict[int, list[tuple[int, bool]]] = field(default_factory=dict)
    severity_field: int = 0


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*weighted, strict=True)
    return str(rng.choices(names, weights)[0])


def seed_people(account: Account, seed: int, tickets: int, anchor: int) -> Directory:
    rng = random.Random(seed)
    created = anchor - 400 * 86400
    directory = Directory()
    for key, title, kind in ORG_FIELDS:
        options = (
            [{"name": p.capitalize(), "value": p} for p in PLAN_WEIGHTS]
            if kind == "dropdown"
            else []
        )
        account.add_field(
            FieldDef(account.next_id(), "organization", kind, title, key, created, options)
        )
    for key, title, kind in USER_FIELDS:
        account.add_field(FieldDef(account.next_id(), "user", kind, title, key, created))
    severity = FieldDef(
        account.next_id(),
        "ticket",
        "tagger",
        SEVERITY_FIELD_TITLE,
        None,
        created,
        [
            {"id": account.next_id(), "name": s.capitalize(), "value": s}
            for s in ("blocker", "critical", "major", "trivial")
        ],
    )
    directory.severity_field = account.add_field(severity).id
    api_user = User(account.next_id(), "SLA worker", API_EMAIL, "admin", None, created, created)
    account.add_user(api_user)
    for n in range(6):
        agent = User(
            account.next_id(),
            f"Agente {FIRST_NAMES[n]}",
            f"agent{n}@athento.example",
            "admin" if n == 0 else "agent",
            None,
            created,
            created,
        )
        directory.agents.append(account.add_user(agent).id)

    plans = tuple(PLAN_WEIGHTS.items())
    for n in range(max(6, tickets // 150)):
        plan = list(PLAN_WEIGHTS)[n] if n < len(PLAN_WEIGHTS) else pick(rng, plans)
        start = date.fromtimestamp(anchor) - timedelta(days=rng.randrange(30, 1000))
        go_lives = sorted(
            date.fromtimestamp(anchor) - timedelta(days=rng.randrange(5, 500))
            for _ in range(rng.randrange(0, 3))
        )
        bundles = (
            f"{date.fromtimestamp(anchor).year}:{rng.choice((25, 50))}"
            if rng.random() < 0.15
            else ""
        )
        fields: Json = {
            "support_plan": plan,
            "contract_start": start.isoformat() if rng.random() < 0.8 else None,
            "project_go_lives": ", ".join(d.isoformat() for d in go_lives) or None,
            "ticket_bundles": bundles or None,
        }
        org = Organization(
            account.next_id(),
            f"{COMPANIES[n % len(COMPANIES)]} {n + 1}",
            created,
            created,
            external_id=f"ERP-{1000 + n}",
            organization_fields=fields,
        )
        account.add_organization(org)
        directory.orgs.append((org.id, plan))
        # Some organizations are over their cap, one has none recorded ("not set up").
        authorized = 0 if n == 5 else CONTACT_CAPS[plan] + (1 if rng.random() < 0.15 else 0)
        people: list[tuple[int, bool]] = []
        for c in range(authorized + 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            is_authorized = c < authorized
            user = User(
                account.next_id(),
                f"{first} {last}",
                f"{_ascii(first)}.{c}.{org.id}@cliente.example",
                "end-user",
                org.id,
                created,
                created,
                user_fields={"sla_authorized_contact": is_authorized},
            )
            people.append((account.add_user(user).id, is_authorized))
        directory.contacts[org.id] = people
    return directory
