"""Texts people read, rendered from the YAML templates: `{name}` placeholders, validated.

A template is rendered in one pass over the template itself, so a value that
contains braces (a requester named "Ana {close_on}") is inserted verbatim and
never expanded. `{{` and `}}` stand for literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def template_errors(template: str, allowed: Collection[str]) -> list[str]:
    """What is wrong with `template`: malformed braces, unknown placeholders."""
    errors: list[str] = []
    for match in _TOKEN.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            errors.append(f"unmatched {token!r} at character {match.start() + 1}")
        elif not _NAME.match(name):
            errors.append(f"malformed placeholder {token!r}")
        elif name not in allowed:
            known = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
            errors.append(f"unknown placeholder {token!r} (known: {known})")
    return errors


def render(template: str, values: Mapping[str, object]) -> str:
    """The template with each placeholder replaced by its value; the result stripped.
    A placeholder without a value, or a stray brace, is left as written."""
    return "".join(
        str(values[name]) if name is not None and name in values else text
        for text, name in _parts(template)
    ).strip()


@lru_cache(maxsize=1024)
def _parts(template: str) -> tuple[tuple[str, str | None], ...]:
    """The template cut once into literal text (name None) and placeholders (their
    token and name): a few dozen templates are rendered hundreds of thousands of times."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for match in _TOKEN.finditer(template):
        if match.start() > at:
            parts.append((template[at : match.start()], None))
        token = match.group(0)
        parts.append((token[0], None) if token in ("{{", "}}") else (token, match.group(1)))
        at = match.end()
    if at < len(template):
        parts.append((template[at:], None))
    return tuple(parts)
