"""Users, organizations and memberships from Zendesk's JSON -> rows for the state store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zendesk_sla.zendesk.validate import (
    BadPayload,
    Warn,
    ident,
    json_safe,
    opt_ident,
    opt_text,
    text,
)


@dataclass(frozen=True)
class UserRow:
    id: int
    role: str
    organization_id: int | None
    authorized: bool | None
    name: str = ""
    locale: str = ""  # the user's language in Zendesk ("es", "en-US", "pt-BR")
    # Organizations the user is an authorized contact of, by a user tag `<prefix><id>`.
    contact_orgs: frozenset[int] = frozenset()


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    external_id: str | None
    fields: dict[str, Any]


def user_row(
    data: Any, authorized_key: str, warn: Warn | None = None, contact_prefix: str = "sla_contact_"
) -> UserRow:
    if not isinstance(data, dict):
        raise BadPayload("user is not an object")
    fields = data.get("user_fields") or {}
    flag = fields.get(authorized_key) if isinstance(fields, dict) else None
    authorized: bool | None = None
    if flag in (True, "true", "1", 1):
        authorized = True
    elif flag in (False, "false", "0", 0, None):
        authorized = None if flag is None else False
    elif warn is not None:
        warn(
            f"user_fields.{authorized_key}", f"{str(flag)[:40]!r} is not a checkbox value: ignored"
        )
    return UserRow(
        id=ident(data.get("id"), "id"),
        role=text(data.get("role"), "role", warn) or "end-user",
        organization_id=opt_ident(data.get("organization_id"), "organization_id"),
        authorized=authorized,
        name=text(data.get("name"), "name", warn),
        locale=text(data.get("locale"), "locale", warn),
        contact_orgs=frozenset(
            int(tag[len(contact_prefix) :])
            for tag in data.get("tags") or ()
            if isinstance(tag, str)
            and tag.startswith(contact_prefix)
            and tag[len(contact_prefix) :].isdigit()
        ),
    )


def membership_row(data: Any, warn: Warn | None = None) -> tuple[int, int]:
    """(user, organization) of an organization membership."""
    if not isinstance(data, dict):
        raise BadPayload("organization membership is not an object")
    return ident(data.get("user_id"), "user_id"), ident(
        data.get("organization_id"), "organization_id"
    )


def org_row(data: Any, warn: Warn | None = None) -> OrgRow:
    if not isinstance(data, dict):
        raise BadPayload("organization is not an object")
    fields = data.get("organization_fields") or {}
    if not isinstance(fields, dict):
        raise BadPayload("organization_fields must be an object")
    external = data.get("external_id")
    if external is not None and not isinstance(external, str | int):
        if warn is not None:
            warn("external_id", f"expected text, got {type(external).__name__}: ignored")
        external = None
    return OrgRow(
        id=ident(data.get("id"), "id"),
        name=text(data.get("name"), "name", warn),
        external_id=opt_text(external, "external_id", warn),
        fields=json_safe(fields, "organization_fields", warn) or {},
    )
