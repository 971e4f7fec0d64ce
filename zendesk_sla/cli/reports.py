"""The report command: compliance, at-risk, quota, contacts, rejects and severity reports."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime
from pathlib import Path

from zendesk_sla.cli.common import (
    UsageError,
    add_config,
    settings,
)
from zendesk_sla.config import Config, load_config
from zendesk_sla.core.compliance import GROUPINGS
from zendesk_sla.store import StateStore


def _by(text: str) -> tuple[str, ...]:
    chosen = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in chosen if p not in GROUPINGS]
    if unknown:
        raise UsageError(f"--by: cannot group by {', '.join(unknown)} (choose from {GROUPINGS})")
    return chosen


def _compliance(args: argparse.Namespace, store: StateStore, config: Config) -> tuple[str, int]:
    from zendesk_sla.core.compliance import Filters
    from zendesk_sla.reports.compliance import at_risk_rows, compliance_report, render_compliance
    from zendesk_sla.reports.render import render

    filters = Filters(args.org, args.plan, args.severity, args.month, args.year)
    now = datetime.now(UTC)
    if args.kind == "at-risk":
        report = compliance_report(store, config, (), filters, now)
        rows = at_risk_rows(report, config.policy.timezone)
        return render(rows, args.format, "zendesk-sla: at risk now"), len(rows)
    current = settings()
    agent_url = current.base_url if current.zendesk_url or current.zendesk_subdomain else None
    return render_compliance(
        store, config, _by(args.by), filters, args.format, now, agent_url=agent_url
    )


def cmd_report(args: argparse.Namespace) -> int:
    from zendesk_sla.reports import labels, leads
    from zendesk_sla.reports.render import render

    current = settings()
    config = load_config(args.config or current.zendesk_sla_config)
    state = args.state or current.state_target
    if not str(state).startswith("postgres") and not Path(state).exists():
        raise UsageError(f"no worker state at {state}: run the worker first (or pass --state)")
    if args.month and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        raise UsageError(f"--month: {args.month!r} is not a month, YYYY-MM (01 to 12)")
    store = StateStore(state, read_only=True)
    try:
        if args.kind in ("compliance", "sla", "at-risk"):
            text, count = _compliance(args, store, config)
            return _emit(args, text, count)
        if args.kind == "quota":
            rows = leads.quota_report(store, config, args.org, args.year)
        elif args.kind == "contacts":
            rows = leads.contacts_report(store, config, args.org)
        elif args.kind == "rejects":
            rows = leads.rejects_report(store)
        elif args.kind == "severity-confusion":
            rows = labels.severity_confusion(store, config)
        else:
            rows = labels.severity_report(store, config)
    finally:
        store.close()
    title = f"zendesk-sla {args.kind} report"
    return _emit(args, render(rows, args.format, title), len(rows))


def _emit(args: argparse.Namespace, text: str, count: int) -> int:
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output: cannot write {args.output}: {exc.strerror}") from None
        print(f"{args.output}: {count} rows")
    else:
        print(text)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report",
        help="SLA compliance, at-risk, quota, contacts, rejects or severity report",
        description="Reports from the worker state. compliance: per organization, plan, "
        "severity and month (--by), response and resolution apart, with rates, breached ids "
        "and what is at risk now; at-risk: only the tickets to act on now.",
    )
    report.add_argument(
        "kind",
        choices=(
            "compliance",
            "at-risk",
            "quota",
            "contacts",
            "sla",
            "rejects",
            "severity",
            "severity-confusion",
        ),
        help="sla is another name for compliance; rejects: records and fields from Zendesk "
        "the worker could not read; severity: "
        "tickets where an agent's severity differs from the text's, with the rules that fired "
        "and the words that weighed; severity-confusion: agents' severities against the text's",
    )
    report.add_argument("--org", type=int, help="one organization id")
    report.add_argument("--plan", help="one plan (compliance)")
    report.add_argument("--severity", help="one severity (compliance)")
    report.add_argument(
        "--by",
        default="organization,plan,severity,month",
        help="compliance groups, comma-separated among organization, plan, severity, month "
        "(default: all four; '' for one total)",
    )
    period = report.add_mutually_exclusive_group()
    period.add_argument("--year", type=int, help="quota year (start) or creation year")
    period.add_argument("--month", help="creation month, YYYY-MM (compliance)")
    report.add_argument("--format", choices=("table", "json", "csv", "html"), default="table")
    report.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    report.add_argument("--state", metavar="FILE", help="state file (default $ZENDESK_SLA_STATE)")
    add_config(report)
    report.set_defaults(func=cmd_report)
