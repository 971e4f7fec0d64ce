"""Templates people read: one-pass rendering, placeholders validated."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from zendesk_sla.core.templates import render, template_errors


def test_values_are_inserted_verbatim_never_expanded() -> None:
    text = render(
        "Hola {name}, cerramos el {close_on}.", {"name": "Ana {close_on}", "close_on": "1"}
    )
    assert text == "Hola Ana {close_on}, cerramos el 1."


def test_doubled_braces_are_literal_braces() -> None:
    assert render("{{x}} {a}", {"a": 1}) == "{x} 1"


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("Hola {nombre}", "unknown placeholder '{nombre}'"),
        ("Hola {x", "unmatched '{'"),
        ("Hola x}", "unmatched '}'"),
        ("Hola {Name}", "malformed placeholder '{Name}'"),
        ("Hola { name }", "malformed placeholder '{ name }'"),
    ],
)
def test_bad_placeholders_are_errors(template: str, error: str) -> None:
    errors = template_errors(template, {"name"})
    assert errors and errors[0].startswith(error)


def test_a_good_template_has_no_errors() -> None:
    assert template_errors("Hola {name}, {{literal}}", {"name"}) == []


def substituted(template: str, values: dict[str, str]) -> str:
    """A second reading of the rules, token by token with one regular expression."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if token.startswith("{") and token.endswith("}") and token[1:-1] in values:
            return values[token[1:-1]]
        return token

    return re.sub(r"\{\{|\}\}|\{[^{}]*\}|[{}]", one, template).strip()


@given(
    st.lists(st.sampled_from(["Hola ", "{name}", "{x}", "{", "}", "{{", "}}", " ", "é", "{}"])),
    st.dictionaries(st.sampled_from(["name", "x", "y"]), st.sampled_from(["Ana", "{x}", "}", ""])),
)
@settings(max_examples=300, deadline=None)
def test_rendering_is_what_substituting_token_by_token_gives(
    pieces: list[str], values: dict[str, str]
) -> None:
    template = "".join(pieces)
    assert render(template, values) == substituted(template, values)
