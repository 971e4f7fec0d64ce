"""Command line: parses arguments, turns every expected failure into a message and an exit code."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime

from zendesk_sla.config import Config, ConfigError, load_config
from zendesk_sla.core.explain import due, explain
from zendesk_sla.core.policy import SEVERITIES

DEFAULT_CONFIG = "config/athento.yaml"


class UsageError(Exception):
    """Bad input on the command line, phrased for a person."""


def _config_path(args: argparse.Namespace) -> str:
    return str(args.config or os.environ.get("ZENDESK_SLA_CONFIG") or DEFAULT_CONFIG)


def _load(args: argparse.Namespace) -> Config:
    return load_config(_config_path(args))


def _created(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--created: {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise UsageError(f"--created: {value!r} has no UTC offset (add Z or +01:00)")
    return moment


def _check_plan(config: Config, plan: str) -> None:
    if plan not in config.policy.plans:
        known = ", ".join(config.policy.plans)
        raise UsageError(f"--plan: unknown plan {plan!r} (known: {known})")


def cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(args.file or _config_path(args))
    plans = ", ".join(config.policy.plans)
    print(f"{config.path}: OK ({len(config.policy.plans)} plans: {plans})")
    return 0


def cmd_due(args: argparse.Namespace) -> int:
    config = _load(args)
    _check_plan(config, args.plan)
    print(json.dumps(due(config.policy, args.plan, args.severity, _created(args.created))))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    config = _load(args)
    _check_plan(config, args.plan)
    print("\n".join(explain(config.policy, args.plan, args.severity, _created(args.created))))
    return 0


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from zendesk_sla.sandbox.serve import build_sandbox, serve
    from zendesk_sla.sandbox.server import Faults, RateLimits

    limits = RateLimits(args.rate_limit, args.incremental_rate_limit)
    faults = Faults(error_rate=args.error_rate, drop_rate=args.drop_rate, seed=args.seed)
    server = build_sandbox(
        tickets=args.tickets, seed=args.seed, limits=limits, faults=faults, port=args.port
    )
    serve(server)
    return 0


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"policy YAML (default: $ZENDESK_SLA_CONFIG or {DEFAULT_CONFIG})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zendesk-sla",
        description="Enforce Athento's support contract (SLAs, quotas, contacts) on Zendesk.",
        epilog="Zendesk credentials come from ZENDESK_* environment variables or .env; "
        "see README.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser("check-config", help="validate a policy YAML file (exit 0 or 1)")
    check.add_argument("file", nargs="?", help=f"YAML file (default {DEFAULT_CONFIG})")
    _add_config(check)
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
        _add_config(command)
        command.set_defaults(func=func)
    sandbox = sub.add_parser("sandbox", help="the bundled Zendesk sandbox (a fake Zendesk)")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="ACTION")
    serve = sandbox_sub.add_parser(
        "serve", help="serve the Zendesk Support API on loopback with generated data"
    )
    serve.add_argument("--port", type=int, default=8999, help="port (0 picks a free one)")
    serve.add_argument("--tickets", type=int, default=1000, help="tickets to generate")
    serve.add_argument("--seed", type=int, default=1, help="data generator seed")
    serve.add_argument(
        "--rate-limit", type=int, default=700, help="requests per minute, 0 for none"
    )
    serve.add_argument(
        "--incremental-rate-limit", type=int, default=10, help="incremental exports per minute"
    )
    serve.add_argument("--error-rate", type=float, default=0.0, help="share of 500/503 replies")
    serve.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped connections")
    serve.set_defaults(func=cmd_sandbox_serve)
    return parser


Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Handler = args.func
    try:
        return func(args)
    except ConfigError as exc:
        print(f"configuration error:\n{exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"zendesk-sla {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
