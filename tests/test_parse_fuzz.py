"""Any payload Zendesk could send is read or refused with `BadPayload`; what is read can be
stored. Bounded property-based fuzz of the edge."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.store import StateStore
from zendesk_sla.zendesk.parse import event_rows, org_row, ticket_row, user_row
from zendesk_sla.zendesk.validate import BadPayload

from tests import payloads

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True)
    | st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=20)
    | st.sampled_from(["2026-02-02T10:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
TICKET_KEYS = [
    "id",
    "status",
    "priority",
    "subject",
    "description",
    "via",
    "organization_id",
    "requester_id",
    "submitter_id",
    "tags",
    "custom_fields",
    "created_at",
    "updated_at",
    "generated_timestamp",
]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(TICKET_KEYS), values, max_size=5))
def test_a_ticket_is_read_and_stored_or_refused(changes: dict[str, Any]) -> None:
    data = {**payloads.ticket(), **changes}
    warnings: list[tuple[str, str]] = []
    try:
        row = ticket_row(data, warn=lambda f, r: warnings.append((f, r)))
    except BadPayload:
        return
    store = StateStore(":memory:")
    with store.transaction():
        store.put_tickets([row])
    assert store.tickets([row.id])[row.id].subject == row.subject


@settings(max_examples=200, deadline=None)
@given(values, values, values)
def test_an_event_a_user_or_an_organization_is_read_or_refused(
    event: Any, user: Any, org: Any
) -> None:
    store = StateStore(":memory:")
    for parse, item in (
        (lambda d: event_rows(d, 1), event),
        (lambda d: [user_row(d, "sla_authorized_contact")], user),
        (lambda d: [org_row(d)], org),
    ):
        try:
            rows = parse(item)
        except BadPayload:
            continue
        with store.transaction():
            for row in rows:
                if hasattr(row, "event_id"):
                    store.put_events([row])
                elif hasattr(row, "role"):
                    store.put_users([row])
                else:
                    store.put_orgs([row])
