"""Writing account content the worker provisions or keeps up to date: views and triggers
(setup), and the support center's segments, sections and articles (consumption pages).

A mixin of `ZendeskGateway`: JSON in, the created or updated record out; a refusal
is raised once, classified by `errors`.
"""

from __future__ import annotations

from typing import Any

from zendesk_sla.zendesk.errors import Kind, Rejected, Transient, classify_status, describe
from zendesk_sla.zendesk.transport import ZendeskSession


class ContentWriter:
    """Needs of the mixin, provided by `ZendeskGateway`."""

    session: ZendeskSession
    base_url: str

    def _all(self, path: str, key: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _send(self, method: str, path: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.base_url}/api/v2/{path}.json"
        response = self.session.request(method, url, json=body)
        kind = classify_status(response.status_code)
        if kind is Kind.TRANSIENT:
            raise Transient(f"{method} {path}: {describe(response)}")
        if kind is not Kind.OK:
            raise Rejected(f"{method} {path}: {describe(response)}")
        try:
            record = response.json()[key]
        except (ValueError, KeyError, TypeError):
            raise Transient(f"{method} {path}: no {key} in the answer") from None
        return dict(record)

    def list_records(self, path: str, key: str) -> list[dict[str, Any]]:
        return self._all(path, key)

    def find_records(self, path: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The first page of a filtered list (a label is expected to match one record)."""
        return [r for r in self._get(path, params).get(key) or [] if isinstance(r, dict)]

    def create_record(
        self, path: str, key: str, spec: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        return self._send("POST", path, key, {key: spec, **extra})

    def update_record(self, path: str, key: str, spec: dict[str, Any]) -> dict[str, Any]:
        return self._send("PUT", path, key, {key: spec})
