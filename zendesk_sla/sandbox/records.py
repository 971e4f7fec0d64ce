"""Users, organizations, field definitions and jobs as the account keeps them, with their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zendesk_sla.sandbox.model import Json, iso


@dataclass(slots=True)
class User:
    id: int
    name: str
    email: str
    role: str  # end-user, agent, admin
    organization_id: int | None
    created_at: int
    updated_at: int
    user_fields: dict[str, Any] = field(default_factory=dict)
    locale: str = ""  # empty: from the id, so sample data speaks several languages
    tags: list[str] = field(default_factory=list)  # user tags (the account has them on)

    def language(self) -> str:
        """Zendesk's `locale`: most sample users Spanish, some English or Portuguese."""
        return self.locale or {3: "en-US", 7: "pt-BR", 8: "en-GB"}.get(self.id % 10, "es")

    def to_json(self, base: str) -> Json:
        return {
            "url": f"{base}/api/v2/users/{self.id}.json",
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "time_zone": "Madrid",
            "iana_time_zone": "Europe/Madrid",
            "phone": None,
            "locale": self.language(),
            "organization_id": self.organization_id,
            "role": self.role,
            "verified": True,
            "external_id": None,
            "tags": list(self.tags),
            "active": True,
            "shared": False,
            "suspended": False,
            "restricted_agent": self.role == "end-user",
            "user_fields": dict(self.user_fields),
        }


@dataclass(slots=True)
class Organization:
    id: int
    name: str
    created_at: int
    updated_at: int
    external_id: str | None = None
    organization_fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)

    def to_json(self, base: str) -> Json:
        return {
            "url": f"{base}/api/v2/organizations/{self.id}.json",
            "id": self.id,
            "name": self.name,
            "shared_tickets": False,
            "shared_comments": False,
            "external_id": self.external_id,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "domain_names": [],
            "details": None,
            "notes": None,
            "group_id": None,
            "tags": list(self.tags),
            "organization_fields": dict(self.organization_fields),
        }


@dataclass(slots=True)
class FieldDef:
    """A ticket, user or organization field definition."""

    id: int
    kind: str  # ticket, user, organization
    type: str
    title: str
    key: str | None
    created_at: int
    options: list[Json] = field(default_factory=list)
    required: bool = False  # ticket fields: agents must fill it before solving
    active: bool = True

    def to_json(self, base: str) -> Json:
        plural = {
            "ticket": "ticket_fields",
            "user": "user_fields",
            "organization": "organization_fields",
        }
        data: Json = {
            "url": f"{base}/api/v2/{plural[self.kind]}/{self.id}.json",
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "raw_title": self.title,
            "description": "",
            "raw_description": "",
            "position": 9999,
            "active": self.active,
            "system": False,
            "regexp_for_validation": None,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.created_at),
        }
        if self.kind != "ticket":
            data["key"] = self.key
        else:
            data.update(
                {
                    "required": self.required,
                    "visible_in_portal": False,
                    "editable_in_portal": False,
                }
            )
        if self.options:
            data["custom_field_options"] = self.options
        return data


@dataclass(slots=True)
class Job:
    id: str
    created_real: float
    items: list[Json]
    author_id: int | None = None
    kind: str = "ticket"
    status: str = "queued"
    done: int = 0
    results: list[Json] | None = None

    def to_json(self, base: str, message: str | None = None) -> Json:
        total = len(self.items)
        progress = {"queued": None, "working": self.done}.get(self.status, total)
        return {
            "id": self.id,
            "url": f"{base}/api/v2/job_statuses/{self.id}.json",
            "total": total,
            "progress": progress,
            "status": self.status,
            "message": message,
            # Results appear with the final status, as Zendesk shows them.
            "results": self.results if self.status in ("completed", "failed") else None,
        }
