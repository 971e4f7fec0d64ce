"""The report command: quota, contacts and SLA reports from the worker state."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING

from zendesk_sla.cli.common import (
    UsageError,
    add_config,
    settings,
)
from zendesk_sla.config import load_config

if TYPE_CHECKING:
    pass


def cmd_report(args: argparse.Namespace) -> int:
    from zendesk_sla import reports
    from zendesk_sla.store import StateStore

    current = settings()
    config = load_config(args.config or current.zendesk_sla_config)
    state = args.state or current.state_target
    if not str(state).startswith("postgres") and not Path(state).exists():
        raise UsageError(f"no worker state at {state}: run the worker first (or pass --state)")
    if args.month and not re.fullmatch(r"\d{4}-\d{2}", args.month):
        raise UsageError(f"--month: {args.month!r} is not YYYY-MM")
    store = StateStore(state)
    try:
        if args.kind == "quota":
            rows = reports.quota_report(store, config, args.org, args.year)
        elif args.kind == "contacts":
            rows = reports.contacts_report(store, config, args.org)
        elif args.kind == "rejects":
            rows = reports.rejects_report(store)
        elif args.kind == "severity":
            rows = reports.severity_report(store, config)
        else:
            rows = reports.sla_report(store, config, args.org, args.year, args.month)
    finally:
        store.close()
    title = f"zendesk-sla {args.kind} report"
    text = reports.render(rows, args.format, title, chart=args.kind == "sla")
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output: cannot write {args.output}: {exc.strerror}") from None
        print(f"{args.output}: {len(rows)} rows")
    else:
        print(text)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report", help="quota, contacts, SLA or rejects report from the worker state"
    )
    report.add_argument(
        "kind",
        choices=("quota", "contacts", "sla", "rejects", "severity"),
        help="rejects: records and fields from Zendesk the worker could not read; severity: "
        "tickets where an agent's severity differs from the text's, with the rules that fired",
    )
    report.add_argument("--org", type=int, help="one organization id")
    period = report.add_mutually_exclusive_group()
    period.add_argument("--year", type=int, help="quota year (start) or creation year")
    period.add_argument("--month", help="creation month, YYYY-MM (sla report)")
    report.add_argument("--format", choices=("table", "json", "csv", "html"), default="table")
    report.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    report.add_argument("--state", metavar="FILE", help="state file (default $ZENDESK_SLA_STATE)")
    add_config(report)
    report.set_defaults(func=cmd_report)
