"""Configuration: the bundled file is valid; every error names file, key path and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from zendesk_sla.config import ConfigError, load_config

from tests.conftest import CONFIG


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _bundled() -> dict[str, object]:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_bundled_policy_has_the_five_plans() -> None:
    policy = load_config(CONFIG).policy
    assert list(policy.plans) == ["starter", "plus", "standard", "company", "enterprise"]
    assert policy.plans["company"].channels == frozenset({"email", "web", "phone"})
    assert policy.plans["standard"].max_contacts == 4
    assert policy.plans["plus"].yearly_tickets is None
    assert policy.pending.notify_after_seconds == 7 * 86400


def test_unknown_key_is_named_with_its_path(tmp_path: Path) -> None:
    data = _bundled()
    data["plans"]["company"]["hourz"] = {}  # type: ignore[index]
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    assert f"{tmp_path / 'policy.yaml'}: plans.company.hourz: unknown key" in str(err.value)


def test_bad_duration_is_explained(tmp_path: Path) -> None:
    data = _bundled()
    data["plans"]["enterprise"]["response"]["blocker"] = "2x"  # type: ignore[index]
    with pytest.raises(
        ConfigError, match=r"plans\.enterprise\.response\.blocker: invalid duration"
    ):
        load_config(_write(tmp_path, data))


def test_unknown_severity_is_rejected(tmp_path: Path) -> None:
    data = _bundled()
    data["severity"]["default"] = "urgentisimo"  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"severity\.default: Input should be"):
        load_config(_write(tmp_path, data))


def test_channel_must_be_mapped(tmp_path: Path) -> None:
    data = _bundled()
    data["plans"]["plus"]["channels"] = ["fax"]  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"plans\.plus\.channels: \['fax'\]"):
        load_config(_write(tmp_path, data))


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("timezone: Europe/Madrid\nplans: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.yaml: line 3"):
        load_config(path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.yaml")


def test_extra_holidays_close_the_calendar(tmp_path: Path) -> None:
    data = _bundled()
    data["holidays"]["extra"] = ["2026-12-24"]  # type: ignore[index]
    policy = load_config(_write(tmp_path, data)).policy
    assert policy.calendars["plus"].spans_on(__import__("datetime").date(2026, 12, 24)) == ()


def test_unknown_tag_name_is_rejected(tmp_path: Path) -> None:
    data = _bundled()
    data["tags"]["at_risky"] = "sla_x"  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"tags: unknown tag names \['at_risky'\]"):
        load_config(_write(tmp_path, data))


@pytest.mark.parametrize(
    ("section", "key", "text", "error"),
    [
        ("pending_closure", "notice", "Hola {nombre}", "unknown placeholder '{nombre}'"),
        ("pending_closure", "closing", "Hola {x", "unmatched '{'"),
        ("quota", "crossing_note", "{percent} % {orgnization}", "unknown placeholder"),
        ("quota", "exceeded_note", "{used}} de {included}", "unmatched '}'"),
    ],
)
def test_a_placeholder_typo_in_a_template_is_an_error_naming_its_key(
    tmp_path: Path, section: str, key: str, text: str, error: str
) -> None:
    data = _bundled()
    data[section][key] = text  # type: ignore[index]
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, data))
    assert f"{tmp_path / 'policy.yaml'}: {section}.{key}: {error}" in str(err.value)
