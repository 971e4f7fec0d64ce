"""Quota rules of POLICY.md section 8, as tables: months, quota years, grace edges, the ledger."""

from __future__ import annotations

import random
from datetime import date

import pytest
from zendesk_sla.core.quota import QuotaTicket, add_months, in_grace, ledger, quota_year


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 2, date(2027, 2, 15)),
        (date(2026, 3, 10), 2, date(2026, 5, 10)),
    ],
)
def test_calendar_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("contract_start", "day", "expected"),
    [
        (None, date(2026, 12, 31), (date(2026, 1, 1), date(2027, 1, 1))),
        (None, date(2027, 1, 1), (date(2027, 1, 1), date(2028, 1, 1))),
        (date(2025, 6, 1), date(2026, 5, 31), (date(2025, 6, 1), date(2026, 6, 1))),
        (date(2025, 6, 1), date(2026, 6, 1), (date(2026, 6, 1), date(2027, 6, 1))),
        (date(2025, 6, 1), date(2025, 6, 1), (date(2025, 6, 1), date(2026, 6, 1))),
        (date(2024, 2, 29), date(2025, 3, 1), (date(2025, 2, 28), date(2026, 2, 28))),
    ],
)
def test_quota_year_is_the_contract_year_else_the_calendar_year(
    contract_start: date | None, day: date, expected: tuple[date, date]
) -> None:
    assert quota_year(contract_start, day) == expected


GO_LIVE = [(None, date(2026, 3, 10))]


@pytest.mark.parametrize(
    ("created", "in_window"),
    [
        (date(2026, 3, 9), False),  # the day before the go-live
        (date(2026, 3, 10), True),  # the day of the go-live
        (date(2026, 5, 9), True),  # the last day of the two months
        (date(2026, 5, 10), False),  # two calendar months later
    ],
)
def test_go_live_grace_edges(created: date, in_window: bool) -> None:
    assert in_grace(created, GO_LIVE, 2) is in_window


def test_a_ticket_naming_its_project_uses_that_projects_go_live() -> None:
    go_lives = [("Portal", date(2026, 1, 1)), ("ERP", date(2026, 6, 1))]
    assert in_grace(date(2026, 6, 15), go_lives, 2, project="Portal") is False
    assert in_grace(date(2026, 6, 15), go_lives, 2, project="ERP") is True
    assert in_grace(date(2026, 6, 15), go_lives, 2, project=None) is True
    assert in_grace(date(2026, 6, 15), go_lives, 2, project="unknown") is True


def _tickets(*days: str, exempt: dict[int, str] | None = None) -> list[QuotaTicket]:
    return [
        QuotaTicket(i, date.fromisoformat(d), (exempt or {}).get(i)) for i, d in enumerate(days, 1)
    ]


def _states(tickets: list[QuotaTicket], **kwargs: object) -> dict[int, str]:
    options: dict[str, object] = {
        "plan_quota": 3,
        "contract_start": None,
        "go_lives": [],
        "bundles": {},
        "grace_months": 2,
    }
    options.update(kwargs)
    lines, _ = ledger(tickets, **options)  # type: ignore[arg-type]
    return {line.ticket_id: line.state for line in lines}


def test_tickets_past_the_included_ones_are_exceeded() -> None:
    days = ("2026-01-05", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01")
    assert _states(_tickets(*days)) == {
        1: "counted",
        2: "counted",
        3: "counted",
        4: "exceeded",
        5: "exceeded",
    }


def test_bundles_add_to_the_plan_quota_of_their_year() -> None:
    days = ("2026-01-05", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01")
    states = _states(_tickets(*days), bundles={2026: 1})
    assert list(states.values()) == ["counted"] * 4 + ["exceeded"]
    assert list(_states(_tickets(*days), bundles={2025: 9}).values()).count("exceeded") == 2


def test_a_ticket_later_found_exempt_frees_its_unit() -> None:
    days = ("2026-01-05", "2026-02-01", "2026-03-01", "2026-04-01")
    assert _states(_tickets(*days))[4] == "exceeded"
    assert _states(_tickets(*days, exempt={2: "out of scope"})) == {
        1: "counted",
        2: "exempt",
        3: "counted",
        4: "counted",
    }


def test_contract_year_rollover_starts_a_fresh_count() -> None:
    days = ("2026-03-01", "2026-04-01", "2026-05-01", "2026-05-31", "2026-06-01")
    states = _states(_tickets(*days), contract_start=date(2025, 6, 1))
    assert states == {1: "counted", 2: "counted", 3: "counted", 4: "exceeded", 5: "counted"}


def test_grace_tickets_use_no_quota() -> None:
    days = ("2026-03-01", "2026-03-10", "2026-04-01", "2026-05-20", "2026-06-01")
    states = _states(_tickets(*days), go_lives=[(None, date(2026, 3, 10))], plan_quota=2)
    assert states == {1: "counted", 2: "grace", 3: "grace", 4: "counted", 5: "exceeded"}


def test_ledger_is_the_same_whatever_order_tickets_arrive_in() -> None:
    tickets = _tickets(*[f"2026-{m:02d}-{d:02d}" for m in range(1, 13) for d in (3, 17)])
    shuffled = tickets[:]
    random.Random(4).shuffle(shuffled)
    assert _states(shuffled) == _states(tickets)


def test_80_and_100_percent_crossings_name_the_ticket() -> None:
    days = [f"2026-01-{d:02d}" for d in range(1, 13)]
    _, years = ledger(
        _tickets(*days), plan_quota=10, contract_start=None, go_lives=[], bundles={}, grace_months=2
    )
    assert years[0].crossings == {0.8: 8, 1.0: 10}
    assert (years[0].used, years[0].included, years[0].remaining) == (12, 10, -2)


def test_unlimited_plan_never_exceeds() -> None:
    days = [f"2026-01-{d:02d}" for d in range(1, 20)]
    assert set(_states(_tickets(*days), plan_quota=None).values()) == {"counted"}


@pytest.mark.parametrize(
    ("tag_project", "go_live_name", "matches"),
    [
        ("portal", "Portal", True),
        ("portal_clientes", "Portal clientes", True),
        ("portal-clientes", "Portal  Clientes", True),
        ("gestion_documental", "Gestión Documental", True),
        ("otro_proyecto", "Portal clientes", False),  # the other project's go-live, 2025
    ],
)
def test_a_project_named_by_a_tag_matches_its_go_live_whatever_the_spelling(
    tag_project: str, go_live_name: str, matches: bool
) -> None:
    go_lives = [(go_live_name, date(2026, 6, 1)), ("Otro Proyecto", date(2025, 1, 1))]
    # Created a month after its own project's go-live, long after the other one's.
    assert in_grace(date(2026, 7, 1), go_lives, 2, tag_project) is matches
