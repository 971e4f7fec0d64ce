"""Organization memberships: a user belongs to its default organization and maybe others.
A mixin of `Account`."""

from __future__ import annotations

from zendesk_sla.sandbox.errors import not_found
from zendesk_sla.sandbox.model import Json, iso
from zendesk_sla.sandbox.records import Organization, User


class Memberships:
    """Needs of the mixin, provided by `Account`."""

    users: dict[int, User]
    organizations: dict[int, Organization]
    memberships: dict[int, set[int]]

    def user_memberships(self, user_id: int) -> list[Json]:
        """A user's organization memberships, the default one first, as Zendesk lists them."""
        user = self.users.get(user_id)
        if user is None:
            raise not_found()
        orgs = ([user.organization_id] if user.organization_id else []) + sorted(
            self.memberships.get(user_id, set()) - {user.organization_id}
        )
        return [
            {
                "id": user_id * 1000 + index,
                "user_id": user_id,
                "organization_id": org_id,
                "default": org_id == user.organization_id,
                "organization_name": self.organizations[org_id].name
                if org_id in self.organizations
                else None,
                "view_tickets": True,
                "created_at": iso(user.created_at),
                "updated_at": iso(user.updated_at),
            }
            for index, org_id in enumerate(orgs)
        ]

    def all_memberships(self) -> list[Json]:
        """Every membership of the account (GET /organization_memberships), by user."""
        return [m for user_id in sorted(self.users) for m in self.user_memberships(user_id)]
