"""Where the worker reads and writes in Zendesk: the YAML's logical fields resolved to the
account's fields, or one clear refusal to start.

Zendesk ticket fields have no key: they are found by title among the *active* fields, or
pinned by id in the YAML. Organization and user fields are found by key. A missing or
ambiguous field stops the worker (it would silently write nothing): run `setup`, or pin it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zendesk_sla.config import Config
from zendesk_sla.zendesk.gateway import ZendeskGateway


@dataclass(frozen=True)
class FieldMap:
    """Logical names <-> Zendesk field ids and keys, resolved at start-up."""

    ticket_ids: Mapping[str, int]  # logical ticket field -> id
    org_keys: Mapping[str, str]  # logical org field -> key
    authorized_key: str

    @property
    def ticket_names(self) -> dict[str, str]:
        return {str(fid): name for name, fid in self.ticket_ids.items()}


class NotSetUp(Exception):
    """The Zendesk account lacks fields the worker needs, or names them ambiguously."""


def _active(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in fields if f.get("active", True) and isinstance(f.get("id"), int)]


def resolve_ticket_fields(
    fields: list[dict[str, Any]], wanted: Mapping[str, str | int]
) -> tuple[dict[str, int], list[str]]:
    """logical name -> field id, and the problems found (missing, ambiguous, inactive)."""
    active = _active(fields)
    ids: dict[str, int] = {}
    problems: list[str] = []
    for logical, spec in wanted.items():
        if isinstance(spec, int):
            if any(f["id"] == spec for f in active):
                ids[logical] = spec
            else:
                problems.append(f"ticket field {logical}: no active field has id {spec}")
            continue
        matches = [f["id"] for f in active if f.get("title") == spec]
        if len(matches) == 1:
            ids[logical] = matches[0]
        elif not matches:
            problems.append(f"ticket field {logical}: no active field titled {spec!r}")
        else:
            listed = ", ".join(str(m) for m in matches)
            problems.append(
                f"ticket field {logical}: {len(matches)} active fields titled {spec!r} "
                f"(ids {listed}); pin one by id in zendesk.ticket_fields"
            )
    return ids, problems


def _keyed(kind: str, fields: list[dict[str, Any]], keys: Mapping[str, str]) -> list[str]:
    present = {f.get("key") for f in _active(fields)}
    return [
        f"{kind} field {logical}: no active field with key {key!r}"
        for logical, key in keys.items()
        if key not in present
    ]


def field_map(gateway: ZendeskGateway, config: Config) -> FieldMap:
    """The account's fields for the YAML's names; `NotSetUp` names every problem at once."""
    wanted = config.fields
    ids, problems = resolve_ticket_fields(
        gateway.fields("ticket"), {str(k): v for k, v in wanted.ticket_fields.items()}
    )
    org_keys = {str(k): v for k, v in wanted.organization_fields.items()}
    user_keys = {str(k): v for k, v in wanted.user_fields.items()}
    problems += _keyed("organization", gateway.fields("organization"), org_keys)
    problems += _keyed("user", gateway.fields("user"), user_keys)
    if problems:
        raise NotSetUp(
            "the Zendesk account is not set up for the worker: "
            + "; ".join(problems)
            + ". Run `zendesk-sla setup` (it creates what is missing), or fix zendesk: in "
            + str(config.path)
        )
    return FieldMap(ticket_ids=ids, org_keys=org_keys, authorized_key=user_keys["authorized"])
