"""Commands on the contract file alone: check-config, due, explain."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from zendesk_sla.cli.common import (
    DEFAULT_CONFIG,
    add_config,
    check_plan,
    config_path,
    created_arg,
    load_policy,
)
from zendesk_sla.config import load_config
from zendesk_sla.core.explain import due, explain
from zendesk_sla.core.policy import SEVERITIES

if TYPE_CHECKING:
    pass


def cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(args.file or config_path(args))
    plans = ", ".join(config.policy.plans)
    print(f"{config.path}: OK ({len(config.policy.plans)} plans: {plans})")
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    config = load_policy(args)
    check_plan(config, args.plan)
    print(json.dumps(due(config.policy, args.plan, args.severity, created_arg(args.created))))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    config = load_policy(args)
    check_plan(config, args.plan)
    print("\n".join(explain(config.policy, args.plan, args.severity, created_arg(args.created))))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser("check-config", help="validate a policy YAML file (exit 0 or 1)")
    check.add_argument("file", nargs="?", help=f"YAML file (default {DEFAULT_CONFIG})")
    add_config(check)
    check.set_defaults(func=cmd_check_config)

    for name, func, text in (
        ("due", cmd_due, "print the due times of a new ticket as JSON"),
        ("explain", cmd_explain, "show how the due times of a new ticket are computed"),
    ):
        command = sub.add_parser(name, help=text, description=text)
        command.add_argument("--plan", required=True, help="support plan, e.g. enterprise")
        command.add_argument("--severity", required=True, choices=SEVERITIES)
        command.add_argument(
            "--created", required=True, metavar="ISO8601", help="e.g. 2026-11-27T19:30:00+01:00"
        )
        add_config(command)
        command.set_defaults(func=func)
