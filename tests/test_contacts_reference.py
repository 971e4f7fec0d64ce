"""Who is an authorized contact of which organization (POLICY 7 and the per-organization
tag), read by the state's SQL and by a naive loop over the same users: they must agree."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.store import StateStore
from zendesk_sla.zendesk.parse import UserRow

ORGS = (1, 2, 3)


def naive(users: list[UserRow], memberships: dict[int, set[int]]) -> dict[int, set[int]]:
    """A tagged contact speaks for the organizations it is tagged for, whatever else it
    is; otherwise the checkbox makes it a contact of every organization it belongs to."""
    out: dict[int, set[int]] = {}
    for user in users:
        if user.contact_orgs:
            orgs = set(user.contact_orgs)
        elif user.authorized:
            orgs = memberships.get(user.id, set()) | {user.organization_id} - {None}
        else:
            orgs = set()
        for org in orgs & set(ORGS):
            out.setdefault(org, set()).add(user.id)
    return out


@st.composite
def directory(draw: st.DrawFn) -> tuple[list[UserRow], dict[int, set[int]]]:
    users, memberships = [], {}
    for user_id in range(1, draw(st.integers(1, 8)) + 1):
        users.append(
            UserRow(
                user_id,
                "end-user",
                draw(st.sampled_from((None, *ORGS))),
                draw(st.sampled_from((None, True, False))),
                contact_orgs=frozenset(draw(st.sets(st.sampled_from(ORGS)))),
            )
        )
        memberships[user_id] = draw(st.sets(st.sampled_from(ORGS)))
    return users, memberships


@settings(max_examples=300, deadline=None)
@given(directory())
def test_the_state_s_authorized_contacts_agree_with_a_naive_reading(
    found: tuple[list[UserRow], dict[int, set[int]]],
) -> None:
    users, memberships = found
    store = StateStore(":memory:")
    try:
        with store.transaction():
            store.put_users(users)
            for user_id, orgs in memberships.items():
                store.put_memberships(user_id, orgs)
        assert store.authorized(ORGS) == naive(users, memberships)
    finally:
        store.close()
