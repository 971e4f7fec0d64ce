"""What a quota ledger depends on in the contract: a version that moves no quota term
leaves the ledgers as they are; one that does has them recounted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from zendesk_sla.config import load_config
from zendesk_sla.core.plan_org import quota_terms

from tests.conftest import CONFIG
from tests.test_contract_versions import config, versioned

ORIGINAL = quota_terms(load_config(CONFIG).policy)


def test_the_same_yaml_written_in_another_order_has_the_same_quota_terms(
    tmp_path: Path,
) -> None:
    # yaml.safe_dump sorts every key: plans, texts and tags come back in another order.
    assert quota_terms(load_config(versioned(tmp_path)).policy) == ORIGINAL


@pytest.mark.parametrize(
    "plans",
    [
        {"company": {"response": {"blocker": "2h"}}},
        {"standard": {"resolution": {"major": "3d"}}},
        {"enterprise": {"at_risk": {"blocker": 0.5}}},
    ],
)
def test_a_version_that_changes_only_targets_moves_no_quota_term(
    tmp_path: Path, plans: dict[str, Any]
) -> None:
    policy = config(tmp_path, {"effective": "2027-01-01", "plans": plans}).policy
    assert quota_terms(policy) == ORIGINAL
    assert quota_terms(policy.latest()) == ORIGINAL  # re-judging by it counts as none too


@pytest.mark.parametrize(
    "plans",
    [
        {"company": {"tickets_per_year": 150}},
        {"standard": {"channels": ["email"]}},
        {"company": {"response": {"blocker": "2h"}, "tickets_per_year": 10}},
    ],
)
def test_a_version_that_changes_a_quota_or_a_channel_moves_the_quota_terms(
    tmp_path: Path, plans: dict[str, Any]
) -> None:
    later = config(tmp_path, {"effective": "2027-01-01", "plans": plans}).policy
    sooner = config(tmp_path, {"effective": "2026-06-01", "plans": plans}).policy
    assert len({ORIGINAL, quota_terms(later), quota_terms(sooner)}) == 3
