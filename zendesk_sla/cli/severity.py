"""Commands for severity rules: `classify` tries the YAML's rules (and the model beside them)
on tickets, JSON lines in and out, so a support lead can test a change before deploying it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from zendesk_sla.cli.common import add_config, load_policy
from zendesk_sla.core.classification import classify


def _one(line: str, config: Any) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except ValueError as exc:
        return {"error": f"not JSON: {exc}"}
    if not isinstance(item, dict):
        return {"error": "expected a JSON object"}
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return {"error": "tags: expected a list of text"}
    text = f"{item.get('subject') or ''}\n{item.get('description') or ''}"
    decision = classify(
        config.policy.severity,
        field_value=str(item["field"]) if item.get("field") else None,
        tags=tags,
        priority=str(item["priority"]) if item.get("priority") else None,
        text=text,
        tag_prefix=config.policy.tags.severity_input_prefix,
    )
    return {
        "severity": decision.severity,
        "source": decision.source,
        "reason": decision.reason,
        "review": decision.review,
        "chance": None if decision.chance is None else round(decision.chance, 3),
    }


def cmd_classify(args: argparse.Namespace) -> int:
    config = load_policy(args)
    errors = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        out = _one(line, config)
        errors += "error" in out
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 1 if errors else 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = (
        "classify tickets with the YAML's severity rules: JSON lines on stdin (subject, "
        "description, optional priority, tags, field), one JSON line out per ticket"
    )
    command = sub.add_parser("classify", help=text, description=text)
    add_config(command)
    command.set_defaults(func=cmd_classify)
