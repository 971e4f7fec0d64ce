"""Every plan x severity x target of POLICY.md section 2, from a Monday opening.

Created Monday 2026-02-02 at the plan's opening (CET, UTC+1): no holiday and no
DST change before mid-March, so each due time is plain arithmetic on the table.
"""

from __future__ import annotations

import pytest
from zendesk_sla.core.explain import due
from zendesk_sla.core.policy import Policy

from tests.helpers import madrid

OPENING = {"plus": "10:00", "standard": "10:00", "company": "09:00", "enterprise": "08:00"}

TABLE = [
    # plan, severity, kind, target, due (UTC)
    ("plus", "blocker", "response", "8h", "2026-02-03T13:00:00Z"),
    ("plus", "critical", "response", "3d", "2026-02-04T13:00:00Z"),
    ("plus", "major", "response", "4d", "2026-02-05T13:00:00Z"),
    ("plus", "trivial", "response", "best effort after 5d", "2026-02-06T13:00:00Z"),
    ("standard", "blocker", "response", "6h", "2026-02-02T15:00:00Z"),
    ("standard", "critical", "response", "2d", "2026-02-03T16:00:00Z"),
    ("standard", "major", "response", "3d", "2026-02-04T16:00:00Z"),
    ("standard", "trivial", "response", "best effort after 4d", "2026-02-05T16:00:00Z"),
    ("standard", "blocker", "resolution", "10h", "2026-02-03T12:00:00Z"),
    ("standard", "critical", "resolution", "5d", "2026-02-06T16:00:00Z"),
    ("standard", "major", "resolution", "10d", "2026-02-13T16:00:00Z"),
    ("standard", "trivial", "resolution", "30d", "2026-03-13T16:00:00Z"),
    ("company", "blocker", "response", "4h", "2026-02-02T12:00:00Z"),
    ("company", "critical", "response", "8h", "2026-02-02T16:00:00Z"),
    ("company", "major", "response", "2d", "2026-02-03T17:00:00Z"),
    ("company", "trivial", "response", "best effort after 3d", "2026-02-04T17:00:00Z"),
    ("company", "blocker", "resolution", "7h", "2026-02-02T15:00:00Z"),
    ("company", "critical", "resolution", "2d", "2026-02-03T17:00:00Z"),
    ("company", "major", "resolution", "5d", "2026-02-06T17:00:00Z"),
    ("company", "trivial", "resolution", "15d", "2026-02-20T17:00:00Z"),
    ("enterprise", "blocker", "response", "2h", "2026-02-02T09:00:00Z"),
    ("enterprise", "critical", "response", "4h", "2026-02-02T11:00:00Z"),
    ("enterprise", "major", "response", "1d", "2026-02-02T19:00:00Z"),
    ("enterprise", "trivial", "response", "best effort after 2d", "2026-02-03T19:00:00Z"),
    ("enterprise", "blocker", "resolution", "4h", "2026-02-02T11:00:00Z"),
    ("enterprise", "critical", "resolution", "1d", "2026-02-02T19:00:00Z"),
    ("enterprise", "major", "resolution", "3d", "2026-02-04T19:00:00Z"),
    ("enterprise", "trivial", "resolution", "7d", "2026-02-10T19:00:00Z"),
]


@pytest.mark.parametrize(("plan", "severity", "kind", "target", "expected"), TABLE)
def test_target_from_monday_opening(
    policy: Policy, plan: str, severity: str, kind: str, target: str, expected: str
) -> None:
    result = due(policy, plan, severity, madrid(f"2026-02-02 {OPENING[plan]}"))
    assert result[f"{kind}_target"] == target
    assert result[f"{kind}_due"] == expected


@pytest.mark.parametrize("severity", ["blocker", "critical", "major", "trivial"])
def test_plus_has_no_resolution_target(policy: Policy, severity: str) -> None:
    result = due(policy, "plus", severity, madrid("2026-02-02 10:00"))
    assert result["resolution_due"] is None


@pytest.mark.parametrize("severity", ["blocker", "critical", "major", "trivial"])
def test_starter_has_no_due_dates(policy: Policy, severity: str) -> None:
    result = due(policy, "starter", severity, madrid("2026-02-02 10:00"))
    assert result["response_due"] is None
    assert result["resolution_due"] is None
    assert result["business_hours"] is False


@pytest.mark.parametrize("plan", ["plus", "standard", "company", "enterprise"])
def test_only_trivial_response_is_best_effort(policy: Policy, plan: str) -> None:
    flags = {
        sev: due(policy, plan, sev, madrid("2026-02-02 10:00"))["response_best_effort"]
        for sev in ("blocker", "critical", "major", "trivial")
    }
    assert flags == {"blocker": False, "critical": False, "major": False, "trivial": True}


@pytest.mark.parametrize(
    ("plan", "day_hours"), [("plus", 4), ("standard", 7), ("company", 9), ("enterprise", 12)]
)
def test_a_business_day_is_the_plan_window(policy: Policy, plan: str, day_hours: int) -> None:
    assert policy.calendars[plan].day_length() == day_hours * 3600
