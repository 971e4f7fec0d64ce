"""Ticket, user and organization fields: list and create (a duplicate key is refused)."""

from __future__ import annotations

from collections.abc import Callable

from zendesk_sla.sandbox.errors import ApiError
from zendesk_sla.sandbox.model import Json
from zendesk_sla.sandbox.routing import (
    Reply,
    Routes,
    json_reply,
    paged,
)


class FieldRoutes(Routes):
    def _fields_lister(self, kind: str) -> Callable[..., Reply]:
        def handler(query: dict[str, str], _body: Json) -> Reply:
            fields = [
                f.to_json(self.base_url) for f in self.account.fields.values() if f.kind == kind
            ]
            url = f"{self.base_url}/api/v2/{kind}_fields.json"
            return paged(f"{kind}_fields", fields, query, url)

        return handler

    def _fields_creator(self, kind: str) -> Callable[..., Reply]:
        def handler(_query: dict[str, str], body: Json) -> Reply:
            spec = body.get(f"{kind}_field")
            if not isinstance(spec, dict):
                raise ApiError(
                    400, {"error": "InvalidValue", "description": f"{kind}_field is required"}
                )
            created = self.account.create_field(kind, spec)
            return json_reply(201, {f"{kind}_field": created.to_json(self.base_url)})

        return handler
