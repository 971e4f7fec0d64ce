"""An organization's quota plan (POLICY 8): crossing and exceeded notes, tickets, fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from zendesk_sla.core.calendar import epoch
from zendesk_sla.core.facts import OrgFacts, TicketFacts
from zendesk_sla.core.plan_org import OrgPlan, plan_organization
from zendesk_sla.core.policy import Policy
from zendesk_sla.core.timeline import StatusChange, Timeline

from tests.helpers import madrid, ticket_facts

FIRST = madrid("2026-02-02 10:00")
TODAY = date(2026, 6, 1)


def org(plan: str | None = "standard", **changes: object) -> OrgFacts:
    base = OrgFacts(9, plan, authorized=frozenset({100}), name="Acme")
    return replace(base, **changes)  # type: ignore[arg-type]


def tickets(count: int, *, status: str = "open", start: datetime = FIRST) -> list[TicketFacts]:
    out = []
    for n in range(count):
        created = start + timedelta(hours=n)
        out.append(
            ticket_facts(
                created,
                Timeline(created, (StatusChange(epoch(created), status),), ()),
                id=1000 + n,
                status=status,
                priority="normal",
                subject="Duda",
                organization_id=9,
                requester_id=100,
                updated_stamp="2026-02-02T08:00:00Z",
            )
        )
    return out


def plan(policy: Policy, ts: list[TicketFacts], **kwargs: object) -> OrgPlan:
    return plan_organization(policy, kwargs.pop("o", org()), ts, today=TODAY, **kwargs)  # type: ignore[arg-type]


def note_keys(result: OrgPlan) -> dict[int, list[str]]:
    return {tid: [k for k, _ in notes] for tid, notes in result.notes.items()}


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        # standard: 50 a year; 80 % is the 40th counted ticket, 100 % the 50th, 51st exceeded.
        (39, {}),
        (40, {1039: ["quota-80:2026-01-01"]}),
        (50, {1039: ["quota-80:2026-01-01"], 1049: ["quota-100:2026-01-01"]}),
        (
            51,
            {
                1039: ["quota-80:2026-01-01"],
                1049: ["quota-100:2026-01-01"],
                1050: ["quota-exceeded:2026-01-01"],
            },
        ),
    ],
)
def test_crossing_notes_go_to_the_ticket_that_crossed(
    policy: Policy, count: int, expected: dict[int, list[str]]
) -> None:
    assert note_keys(plan(policy, tickets(count))) == expected


def test_a_crossing_already_posted_in_the_organization_is_not_planned_again(
    policy: Policy,
) -> None:
    result = plan(policy, tickets(40), posted={"quota-80:2026-01-01"})
    assert not [t for t in result.notes if t >= 1050]


def test_notes_already_on_the_ticket_are_not_planned_and_the_ticket_is_not_re_decided(
    policy: Policy,
) -> None:
    result = plan(policy, tickets(40), notes_done={1039: {"quota-80:2026-01-01"}})
    assert not [t for t in result.notes if t >= 1050]
    assert 1039 not in result.changed


@pytest.mark.parametrize("status", ["solved", "closed"])
def test_the_past_is_not_re_announced_solved_and_closed_tickets_get_no_quota_note(
    policy: Policy, status: str
) -> None:
    assert plan(policy, tickets(51, status=status)).notes == {}


def test_exceeded_tickets_are_re_decided_until_they_carry_the_tag(policy: Policy) -> None:
    ts = tickets(53)
    tagged = [replace(t, tags=frozenset({policy.tags.quota_exceeded})) for t in ts[50:52]]
    result = plan(
        policy, ts[:50] + tagged + ts[52:], notes_done={1050: {"quota-exceeded:2026-01-01"}}
    )
    assert 1050 not in result.changed  # tagged, its note already posted
    assert 1051 not in result.changed  # tagged: the tickets after the crossing get no note
    assert 1052 in result.changed  # exceeded, still without its tag
    assert not [t for t in result.notes if t >= 1050]


def test_one_exceeded_note_a_year_however_many_tickets_go_past(policy: Policy) -> None:
    """A first run over a busy year wrote one identical note on each ticket past the
    quota (135 for one organization); the lead needs one, on the ticket that went past."""
    result = plan(policy, tickets(80))
    exceeded = {
        t: keys for t, keys in note_keys(result).items() if "quota-exceeded:2026-01-01" in keys
    }
    assert exceeded == {1050: ["quota-exceeded:2026-01-01"]}
    assert result.changed >= set(range(1050, 1080))  # each of them is tagged
    again = plan(policy, tickets(80), posted={"quota-exceeded:2026-01-01"})
    assert not any("quota-exceeded:2026-01-01" in k for k in note_keys(again).values())


def test_a_ticket_that_left_the_exceeded_state_is_re_decided_to_drop_the_tag(
    policy: Policy,
) -> None:
    ts = tickets(3)
    ts[0] = replace(ts[0], tags=frozenset({policy.tags.quota_exceeded}))
    assert plan(policy, ts).changed == {1000}


@pytest.mark.parametrize(
    ("have", "expected"),
    [
        (None, None),  # the account has no quota fields
        ({"quota_used": 3, "quota_included": 50, "quota_remaining": 47}, None),  # as wanted
        ({"quota_used": "3", "quota_included": "50", "quota_remaining": "47"}, None),
        (
            {"quota_used": 2, "quota_included": 50, "quota_remaining": 48},
            {"quota_used": 3, "quota_included": 50, "quota_remaining": 47},
        ),
        (
            {},
            {"quota_used": 3, "quota_included": 50, "quota_remaining": 47},
        ),
    ],
)
def test_organization_fields_are_written_only_when_they_differ(
    policy: Policy, have: dict[str, object] | None, expected: dict[str, int] | None
) -> None:
    assert plan(policy, tickets(3), have_fields=have).fields == expected


def test_unlimited_plan_has_no_included_and_no_remaining(policy: Policy) -> None:
    result = plan(policy, tickets(3), o=org("plus"), have_fields={})
    assert result.fields == {"quota_used": 3, "quota_included": None, "quota_remaining": None}


def test_note_texts_come_from_the_yaml_templates(policy: Policy) -> None:
    custom = replace(
        policy,
        quota=replace(
            policy.quota,
            crossing_template="{organization}: {percent}% de {included} ({year_start})",
            exceeded_template="{organization}: {used}/{included} hasta {year_end}",
        ),
    )
    texts = {k: t for notes in plan(custom, tickets(51)).notes.values() for k, t in notes}
    assert texts["quota-80:2026-01-01"] == "Acme: 80% de 50 (01/01/2026)"
    assert (
        texts["quota-exceeded:2026-01-01"] == "Acme: 51/50 hasta 31/12/2026"
    )  # the year's last day


@pytest.mark.parametrize(
    ("plan_name", "contract_start", "bundles", "today", "expected"),
    [
        # An anniversary with a bundle and no ticket yet: the bundle is already included.
        ("enterprise", date(2025, 6, 1), {2026: 30}, date(2026, 6, 1), (0, 230, 230)),
        ("enterprise", date(2025, 6, 1), {2026: 30}, date(2026, 5, 31), (3, 200, 197)),
        # 1 January without a contract start: the calendar year's bundle.
        ("standard", None, {2027: 10}, date(2027, 1, 1), (0, 60, 60)),
        ("plus", None, {2027: 10}, date(2027, 1, 1), (0, None, None)),
    ],
)
def test_the_current_quota_year_always_includes_its_bundles(
    policy: Policy,
    plan_name: str,
    contract_start: date | None,
    bundles: dict[int, int],
    today: date,
    expected: tuple[int, int | None, int | None],
) -> None:
    o = org(plan_name, contract_start=contract_start, bundles=bundles)
    start = madrid("2026-02-02 10:00")
    result = plan_organization(policy, o, tickets(3, start=start), today=today, have_fields={})
    assert result.fields is not None
    got = (result.fields["quota_used"], result.fields["quota_included"])
    assert (*got, result.fields["quota_remaining"]) == expected


def test_an_unknown_plan_is_not_set_up_and_gets_no_quota_fields(policy: Policy) -> None:
    result = plan(policy, tickets(3), o=org("gold"), have_fields={})
    assert result.fields is None


def test_the_ledger_follows_creation_time_not_ids(policy: Policy) -> None:
    # Imported tickets: the higher id was created first, the same day.
    ts = tickets(50)
    early = replace(ts[-1], id=9999, created_at=FIRST - timedelta(minutes=5))
    result = plan(policy, [*ts[:-1], early])
    positions = {line.ticket_id: line.position for line in result.lines}
    assert positions[9999] == 1
    assert positions[1000] == 2


@pytest.mark.parametrize(
    ("contract_start", "today", "expected"),
    [
        (None, date(2026, 6, 1), "del 01/01/2026 al 31/12/2026"),  # calendar year
        (date(2025, 3, 1), date(2026, 2, 28), "del 01/03/2025 al 28/02/2026"),
        (date(2025, 3, 1), date(2026, 3, 1), "del 01/03/2026 al 28/02/2027"),  # anniversary
        (date(2024, 3, 1), date(2028, 2, 29), "del 01/03/2027 al 29/02/2028"),  # leap year
    ],
)
def test_the_quota_year_field_names_the_year_the_counts_cover(
    policy: Policy, contract_start: date | None, today: date, expected: str
) -> None:
    custom = replace(
        policy, quota=replace(policy.quota, year_template="del {year_start} al {year_end}")
    )
    o = org("standard", contract_start=contract_start)
    start = madrid("2026-02-02 10:00")
    result = plan_organization(
        custom, o, tickets(3, start=start), today=today, have_fields={"quota_year": None}
    )
    assert result.fields is not None
    assert result.fields["quota_year"] == expected


def test_the_quota_year_field_is_left_alone_when_the_account_has_none(policy: Policy) -> None:
    result = plan(policy, tickets(3), have_fields={})
    assert result.fields is not None
    assert "quota_year" not in result.fields


def test_a_quota_year_field_already_right_is_not_rewritten(policy: Policy) -> None:
    want = plan(policy, tickets(3), have_fields={"quota_year": "stale"}).fields
    assert want is not None
    assert plan(policy, tickets(3), have_fields=dict(want)).fields is None


def test_remaining_is_never_written_below_zero(policy: Policy) -> None:
    """Over the quota (standard: 50 included, 53 used) the organization's field says 0, as
    the customer's page does; used and included say by how much."""
    result = plan(policy, tickets(53), have_fields={})
    assert result.fields == {"quota_used": 53, "quota_included": 50, "quota_remaining": 0}
