"""Users and organizations: me, show, show_many, organization updates (single and jobs)."""

from __future__ import annotations

from zendesk_sla.sandbox.errors import ApiError, not_found
from zendesk_sla.sandbox.model import Json
from zendesk_sla.sandbox.routing import (
    Reply,
    Routes,
    found,
    json_reply,
    listing,
    paged,
)


class DirectoryRoutes(Routes):
    def me(self, _query: dict[str, str], _body: Json) -> Reply:
        user_id = self.account.api_user_id
        if user_id is None:
            raise not_found()
        return json_reply(200, {"user": self.account.users[user_id].to_json(self.base_url)})

    def show_user(self, _query: dict[str, str], _body: Json, user_id: str) -> Reply:
        user = self.account.users.get(int(user_id))
        if user is None:
            raise not_found()
        return json_reply(200, {"user": user.to_json(self.base_url)})

    def user_memberships(self, query: dict[str, str], _body: Json, user_id: str) -> Reply:
        items = self.account.user_memberships(int(user_id))
        url = f"{self.base_url}/api/v2/users/{user_id}/organization_memberships.json"
        for item in items:
            item["url"] = f"{self.base_url}/api/v2/organization_memberships/{item['id']}.json"
        return paged("organization_memberships", items, query, url)

    def memberships(self, query: dict[str, str], _body: Json) -> Reply:
        items = self.account.all_memberships()
        for item in items:
            item["url"] = f"{self.base_url}/api/v2/organization_memberships/{item['id']}.json"
        url = f"{self.base_url}/api/v2/organization_memberships.json"
        return paged("organization_memberships", items, query, url)

    def show_users(self, query: dict[str, str], _body: Json) -> Reply:
        return listing("users", found(self.account.users, query, self.base_url))

    def show_organization(self, _query: dict[str, str], _body: Json, org_id: str) -> Reply:
        org = self.account.organizations.get(int(org_id))
        if org is None:
            raise not_found()
        return json_reply(200, {"organization": org.to_json(self.base_url)})

    def show_organizations(self, query: dict[str, str], _body: Json) -> Reply:
        return listing("organizations", found(self.account.organizations, query, self.base_url))

    def update_organizations(self, _query: dict[str, str], body: Json) -> Reply:
        items = body.get("organizations")
        if not isinstance(items, list):
            raise ApiError(
                400, {"error": "InvalidValue", "description": "organizations is required"}
            )
        job = self.account.enqueue(items, self.account.api_user_id, kind="organization")
        return json_reply(200, {"job_status": job.to_json(self.base_url)})

    def update_organization(self, _query: dict[str, str], body: Json, org_id: str) -> Reply:
        org = self.account.update_organization(int(org_id), body.get("organization") or {})
        return json_reply(200, {"organization": org.to_json(self.base_url)})
