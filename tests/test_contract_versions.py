"""Contract versions: a ticket is judged by the terms in force when it was created."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from zendesk_sla.config import Config, ConfigError, load_config
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.core.facts import OrgFacts, TicketFacts
from zendesk_sla.core.plan_ticket import decide

from tests.conftest import CONFIG
from tests.helpers import madrid, ticket_facts, timeline

# From 2027-01-01 company answers a blocker in 2h (was 4h) and gets 150 tickets a year.
VERSION = {
    "effective": "2027-01-01",
    "description": "renovación 2027",
    "plans": {"company": {"response": {"blocker": "2h"}, "tickets_per_year": 150}},
}


ORG = OrgFacts(7, "company", frozenset({100}), "Textil Sur")


def urgent_ticket(created: str) -> TicketFacts:
    """An urgent (blocker) ticket of the company organization's contact, created then."""
    return ticket_facts(
        madrid(created), timeline(created), priority="urgent", organization_id=7, requester_id=100
    )


def versioned(tmp_path: Path, *versions: dict[str, Any]) -> Path:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["contract_versions"] = list(versions)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def config(tmp_path: Path, *versions: dict[str, Any]) -> Config:
    return load_config(versioned(tmp_path, *versions))


def response_due(cfg: Config, created: str) -> str:
    policy = cfg.policy.in_force(madrid(created))
    clocks = sla_clocks(policy, "company", "blocker", timeline(created), madrid(created))
    assert clocks.response.due is not None
    return f"{clocks.response.due.astimezone(madrid(created).tzinfo):%Y-%m-%d %H:%M}"


def test_a_ticket_created_before_the_version_keeps_the_old_target(tmp_path: Path) -> None:
    cfg = config(tmp_path, VERSION)
    assert response_due(cfg, "2026-12-30 10:00") == "2026-12-30 14:00"  # 4h


def test_a_ticket_created_on_the_effective_day_gets_the_new_target(tmp_path: Path) -> None:
    cfg = config(tmp_path, VERSION)
    assert response_due(cfg, "2027-01-04 10:00") == "2027-01-04 12:00"  # 2h


def test_the_version_changes_only_what_it_names(tmp_path: Path) -> None:
    cfg = config(tmp_path, VERSION)
    old, new = cfg.policy.plans["company"], cfg.policy.latest().plans["company"]
    assert str(new.target("response", "critical")) == str(old.target("response", "critical"))
    assert str(new.target("resolution", "blocker")) == str(old.target("resolution", "blocker"))
    assert new.weekly == old.weekly and new.channels == old.channels
    assert (old.yearly_tickets, new.yearly_tickets) == (125, 150)
    assert cfg.policy.latest().plans["standard"] == cfg.policy.plans["standard"]


def test_decide_judges_by_creation_and_rejudge_by_the_latest_terms(tmp_path: Path) -> None:
    cfg = config(tmp_path, VERSION)
    facts = urgent_ticket("2026-12-30 10:00")
    now = madrid("2027-01-05 09:00")
    kept = decide(cfg.policy, facts, ORG, None, now)
    rejudged = decide(cfg.policy.latest(), facts, ORG, None, now)
    assert kept.fields["response_due"] == "2026-12-30T13:00:00Z"
    assert rejudged.fields["response_due"] == "2026-12-30T11:00:00Z"
    terms = [n for n in rejudged.notes if n.key.startswith("sla-terms:2027-01-01")]
    assert len(terms) == 1 and "renovación 2027" in terms[0].text
    assert not any(n.key.startswith("sla-terms") for n in kept.notes)


def test_the_terms_note_names_the_version_as_a_person_reads_it(tmp_path: Path) -> None:
    facts = urgent_ticket("2026-12-30 10:00")
    now = madrid("2027-01-05 09:00")
    for version, named in (
        (VERSION, "(«renovación 2027», en vigor desde el 01/01/2027)"),
        ({**VERSION, "description": ""}, "(en vigor desde el 01/01/2027)"),
    ):
        latest = config(tmp_path, version).policy.latest()
        [note] = [n for n in decide(latest, facts, ORG, None, now).notes if "sla-terms" in n.key]
        assert named in note.body
        assert "2027-01-01" not in note.body  # no machine date in what the agent reads


def test_decide_judges_a_ticket_created_after_the_version_by_the_new_terms(
    tmp_path: Path,
) -> None:
    cfg = config(tmp_path, VERSION)
    facts = urgent_ticket("2027-01-04 10:00")
    decision = decide(cfg.policy, facts, ORG, None, madrid("2027-01-04 10:30"))
    assert decision.fields["response_due"] == "2027-01-04T11:00:00Z"  # 2h, not 4h
    assert not any(n.key.startswith("sla-terms") for n in decision.notes)


def test_two_versions_stack_in_date_order(tmp_path: Path) -> None:
    later = {"effective": "2027-07-01", "plans": {"company": {"response": {"critical": "6h"}}}}
    cfg = config(tmp_path, VERSION, later)
    july = cfg.policy.in_force(madrid("2027-07-02 10:00")).plans["company"]
    assert str(july.target("response", "blocker")) == "2h"  # from the first version
    assert str(july.target("response", "critical")) == "6h"
    march = cfg.policy.in_force(madrid("2027-03-01 10:00")).plans["company"]
    assert str(march.target("response", "critical")) == "8h"


@pytest.mark.parametrize(
    ("versions", "message"),
    [
        (
            [{"effective": "2027-01-01", "plans": {"gold": {"tickets_per_year": 9}}}],
            "contract_versions.0.plans.gold: unknown plan 'gold'",
        ),
        (
            [VERSION, {**VERSION, "effective": "2026-06-01"}],
            "contract_versions.1.effective: 2026-06-01 is not after",
        ),
        (
            [{"effective": "2027-01-01", "plans": {"company": {"response": {"blocker": "2x"}}}}],
            "contract_versions.0.plans.company.response.blocker",
        ),
        (
            [{"effective": "2027-01-01", "plans": {"company": {"channels": ["fax"]}}}],
            "contract_versions.0.plans.company.channels: ['fax']",
        ),
        (
            [{"effective": "2027-02-30", "plans": {}}],
            "contract_versions.0.effective",
        ),
        (
            [{"effective": "2027-01-01", "plans": {"company": {"hourz": 1}}}],
            "contract_versions.0.plans.company.hourz: unknown key",
        ),
    ],
)
def test_a_bad_version_is_one_line_naming_the_key_path(
    tmp_path: Path, versions: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        config(tmp_path, *versions)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
