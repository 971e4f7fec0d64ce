"""Commands on the contract file alone: check-config, due, explain."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from zendesk_sla.cli.common import (
    DEFAULT_CONFIG,
    UsageError,
    add_config,
    check_plan,
    config_path,
    created_arg,
    load_policy,
    settings,
)
from zendesk_sla.cli.timeline_input import clock_json, read_history
from zendesk_sla.config import load_config
from zendesk_sla.core.explain import due, explain, explain_clocks, explain_history, iso_z
from zendesk_sla.core.policy import SEVERITIES


def cmd_check_config(args: argparse.Namespace) -> int:
    config = load_config(args.file or config_path(args))
    plans = ", ".join(config.policy.plans)
    model = config.model
    if model is not None and model.problem is not None:
        print(
            f"{config.path}: severity.model: {model.problem} (the worker would decide "
            "severity by the phrase rules alone)",
            file=sys.stderr,
        )
        return 1
    beside = f"; severity model {model.digest[:12]}" if model and model.digest else ""
    print(f"{config.path}: OK ({len(config.policy.plans)} plans: {plans}){beside}")
    return 0


def _new_ticket(args: argparse.Namespace) -> None:
    missing = [f"--{k}" for k in ("plan", "severity", "created") if getattr(args, k) is None]
    if missing:
        raise UsageError(f"give --timeline FILE, or {', '.join(missing)} for a new ticket")


def cmd_due(args: argparse.Namespace) -> int:
    config = load_policy(args)
    if args.timeline:
        history = read_history(args.timeline, config.policy)
        clocks = history.clocks(config.policy)
        out = {
            "plan": history.plan,
            "severity": history.severity,
            "now": iso_z(history.now),
            "response": clock_json(clocks.response),
            "resolution": clock_json(clocks.resolution),
        }
        if clocks.next_reply.state != "none":  # the plan sets a next-reply target
            out["next_reply"] = {
                **clock_json(clocks.next_reply),
                "breaches": clocks.next_reply_breaches,
            }
        print(json.dumps(out, indent=2))
        return 0
    _new_ticket(args)
    check_plan(config, args.plan)
    print(json.dumps(due(config.policy, args.plan, args.severity, created_arg(args.created))))
    return 0


def _explain_ticket(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from zendesk_sla.reports.explain import UnknownTicket, explain_ticket
    from zendesk_sla.store import StateStore

    current = settings()
    config = load_config(args.config or current.zendesk_sla_config)
    state = current.state_target
    if not state.startswith("postgres") and not Path(state).exists():
        raise UsageError(f"no worker state at {state}: run the worker first")
    store = StateStore(state, read_only=True)
    try:
        lines, data = explain_ticket(store, config, args.ticket, datetime.now(UTC))
    except UnknownTicket as exc:
        print(f"zendesk-sla explain: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(json.dumps(data, indent=2) if args.format == "json" else "\n".join(lines))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    if getattr(args, "ticket", None) is not None:
        return _explain_ticket(args)
    config = load_policy(args)
    if args.timeline:
        history = read_history(args.timeline, config.policy)
        clocks = history.clocks(config.policy)
        lines = explain_history(config.policy, history.plan, history.severity, history.timeline)
        lines += explain_clocks(config.policy, history.plan, clocks, history.timeline, history.now)
        print("\n".join(lines))
        return 0
    _new_ticket(args)
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
        command.add_argument("--plan", help="support plan of a new ticket, e.g. enterprise")
        command.add_argument("--severity", choices=SEVERITIES, help="its severity")
        command.add_argument(
            "--created", metavar="ISO8601", help="its creation, e.g. 2026-11-27T19:30:00+01:00"
        )
        command.add_argument(
            "--timeline",
            metavar="FILE",
            help="a ticket's history as JSON (- for stdin): plan, severity, created_at, now, "
            "statuses, comments, third_party; see README",
        )
        if name == "explain":
            command.add_argument(
                "--ticket", type=int, metavar="ID", help="a ticket from the worker's state"
            )
            command.add_argument("--format", choices=("text", "json"), default="text")
        add_config(command)
        command.set_defaults(func=func)
