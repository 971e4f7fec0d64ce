"""`check-account`'s lines as an operator reads them: the YAML messages, filled in, one per
check, marked ok, warn or FAIL, and the exit code they add up to."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from zendesk_sla.core.templates import render
from zendesk_sla.preflight.checks import FAIL, Line


@cache
def messages() -> dict[str, str]:
    text = resources.files("zendesk_sla.preflight").joinpath("messages.yaml").read_text("utf-8")
    loaded = yaml.safe_load(text)
    return {str(k): str(v) for k, v in loaded.items()}


def printed(lines: list[Line]) -> tuple[list[str], int]:
    """The printed lines (a summary last) and the exit code: 1 when any check failed."""
    texts = messages()
    out = [f"{line.level:<4}  {render(texts[line.key], line.values)}" for line in lines]
    failed = sum(1 for line in lines if line.level == FAIL)
    if len(lines) == 1:  # stopped at once (unreachable, credentials): that line says it all
        return out, 1 if failed else 0
    if failed:
        summary = render(texts["summary_failed"], {"failed": failed, "count": len(lines)})
    else:
        summary = render(texts["summary_ok"], {"count": len(lines)})
    return [*out, summary], 1 if failed else 0
