"""The contract file is strict: each kind of bad file is refused with one line naming the
file, the key path and the problem; nothing crashes; nothing is silently accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zendesk_sla.config import ConfigError, load_config

from tests.conftest import CONFIG

TEXT = CONFIG.read_text(encoding="utf-8")


def bundled() -> dict[str, Any]:
    data = yaml.safe_load(TEXT)
    assert isinstance(data, dict)
    return data


def set_path(data: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[part]
    node[last] = value
    return data


MUTATIONS = [
    ("plans.company.tickets_per_year", True, "plans.company.tickets_per_year"),
    ("plans.company.authorized_contacts", "7", "plans.company.authorized_contacts"),
    ("plans.enterprise.response.blocker", "99999999999d", "must be between 1d and 366d"),
    ("plans.enterprise.response.blocker", "0h", "must be between 1h"),
    ("quota.grace_months", 1_000_000_000, "quota.grace_months"),
    ("quota.warn_at", [0.8, -1], "quota.warn_at.1"),
    ("zendesk.user_fields", {}, "user_fields: required authorized is missing"),
    ("zendesk.organization_fields.plan", "", "zendesk.organization_fields.plan"),
    ("tags.plan_prefix", "", "is not a Zendesk tag"),
    ("tags.plan_prefix", "sla_", "overlap"),
    ("tags.severity_prefix", "sla_sev_", "overlap"),
    ("tags.at_risk", "SLA at risk", "is not a Zendesk tag"),
    ("plans.company.hours.windows", ["09:00-14:00", "13:00-18:00"], "overlap"),
    ("plans.company.hours.windows", [], "at least one window"),
    ("plans.company.hours.days", [], "at least one day"),
    ("holidays.extra", ["2026-13-45"], "holidays.extra.0"),
    ("pending_closure.notice", "Hola {nombre}", "unknown placeholder '{nombre}'"),
    ("timezone", "Mars/Olympus", "unknown time zone"),
    ("plans.enterprise.at_risk_ratio", 1.5, "plans.enterprise.at_risk_ratio"),
    ("quota.year_field", "{x", "quota.year_field"),
    ("help_center.body", "<p>{usados}</p>", "help_center.body: unknown placeholder '{usados}'"),
    ("help_center.locale", "Spanish", "help_center.locale"),
    ("views.at_risk", 7, "views.at_risk"),
    ("alerts.breached.subject", "", "alerts.breached.subject"),
    ("plans.company.at_risk", {"blocker": "2x"}, "plans.company.at_risk.blocker"),
    ("plans.company.at_risk", {"blocker": 1.5}, "plans.company.at_risk.blocker"),
    ("notes.sla_terms", "{terminos}", "notes.sla_terms: unknown placeholder"),
    ("notes.terms_named", "{descripcion}", "notes.terms_named: unknown placeholder"),
    ("notes.terms_dated", "desde el {description}", "notes.terms_dated: unknown placeholder"),
    ("notes.plan_names", {"compnay": "Company"}, "notes.plan_names.compnay: not a plan"),
    ("notes.severity_names", {"urgent": "Urgente"}, "notes.severity_names.urgent: not a severity"),
]


@pytest.mark.parametrize(("path", "value", "message"), MUTATIONS)
def test_each_kind_of_bad_value_is_one_line(
    tmp_path: Path, path: str, value: object, message: str
) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text(yaml.safe_dump(set_path(bundled(), path, value)), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(file)
    text = str(err.value)
    assert len(text.splitlines()) == 1, text
    assert text.startswith(f"{file}:") and message in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (TEXT + "\ntimezone: America/New_York\n", "duplicate key 'timezone'"),
        (TEXT.replace("  extra: []", "  extra: [2026-13-45]"), "holidays.extra.0"),
        ("a: " + "[" * 3000, ""),  # nesting: a clear error, never a traceback
        ("- 1\n- 2\n", "expected a mapping at the top level"),
    ],
)
def test_bad_documents_are_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(file)
    assert str(err.value).startswith(str(file)) and message in str(err.value)


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_file_that_is_not_utf8_is_named(tmp_path: Path, encoding: str) -> None:
    file = tmp_path / "policy.yaml"
    file.write_bytes(TEXT.replace("Madrid", "Madrid # año").encode(encoding))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config(file)


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
PATHS = [
    "timezone",
    "at_risk_ratio",
    "plans.company",
    "plans.company.hours",
    "channels",
    "plans.plus.response",
    "severity.keywords",
    "tags",
    "quota.warn_at",
    "pending_closure",
    "zendesk.ticket_fields",
    "sync.page_size",
    "organizations",
    "holidays.extra",
    "refused_writes.max_attempts",
]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(PATHS), values)
def test_any_value_anywhere_is_accepted_or_one_clear_error(
    tmp_path: Path, path: str, value: object
) -> None:
    file = tmp_path / "fuzz.yaml"
    file.write_text(yaml.safe_dump(set_path(bundled(), path, value)), encoding="utf-8")
    error = None
    try:
        load_config(file)
    except ConfigError as exc:
        error = str(exc)
    assert error is None or error.startswith(str(file))


def test_a_plan_may_set_its_own_at_risk_ratio(tmp_path: Path) -> None:
    file = tmp_path / "policy.yaml"
    data = set_path(bundled(), "plans.enterprise.at_risk_ratio", 0.5)
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    plans = load_config(file).policy.plans
    assert plans["enterprise"].at_risk_ratio == 0.5
    assert plans["company"].at_risk_ratio is None  # the top-level one applies
