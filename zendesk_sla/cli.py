"""Command line: parses arguments, turns every expected failure into a message and an exit code."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from zendesk_sla.config import Config, ConfigError, load_config
from zendesk_sla.core.explain import due, explain
from zendesk_sla.core.policy import SEVERITIES
from zendesk_sla.settings import Settings, SettingsError
from zendesk_sla.zendesk.errors import ZendeskError

if TYPE_CHECKING:
    from zendesk_sla.app import App
    from zendesk_sla.evaluate import Evaluation
    from zendesk_sla.summary import Summary

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


def _app(args: argparse.Namespace, *, dry_run: bool = False) -> App:
    from zendesk_sla.app import App
    from zendesk_sla.logs import configure

    settings = Settings()
    configure(settings.zendesk_sla_log_format, settings.zendesk_sla_log_level)
    config = load_config(args.config or settings.zendesk_sla_config)
    return App(settings, config, dry_run=dry_run)


class LockHeld(Exception):
    """Another replica holds the worker lock (PostgreSQL state)."""


def _lock(app: App, dry_run: bool) -> None:
    if not dry_run and not app.store.acquire():
        raise LockHeld("another replica holds the worker lock: this one writes nothing")


class ChangePrinter:
    """Prints each planned change once (a dry run's sweep sees the poll's tickets again)."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def __call__(self, evaluation: Evaluation) -> None:
        change = evaluation.change
        if change is None or change.ticket_id in self.seen:
            return
        self.seen.add(change.ticket_id)
        _print_change(evaluation)


def _print_change(evaluation: Evaluation) -> None:
    change = evaluation.change
    if change is None:
        return
    parts = [f"#{change.ticket_id}"]
    parts += [f"+{t}" for t in change.add_tags] + [f"-{t}" for t in change.remove_tags]
    parts += [f"{k}={v if v is not None else '(clear)'}" for k, v in change.fields.items()]
    parts += [f"note:{n.key}{'(public)' if n.public else ''}" for n in change.notes]
    if change.status:
        parts.append(f"status={change.status}")
    print("  ".join(parts))


def _report_summary(summary: Summary) -> int:
    data = summary.as_dict()
    print(json.dumps(data, default=str))
    return 0 if summary.error is None else 3


def cmd_run(args: argparse.Namespace) -> int:
    dry_run = args.dry_run or args.command == "plan"
    if not args.once and args.command == "run" and not dry_run:
        return cmd_daemon(args)
    app = _app(args, dry_run=dry_run)
    try:
        _lock(app, dry_run)
        printer = ChangePrinter()
        worker = app.worker(on_change=printer if dry_run else None)
        poll = worker.run_cycle()
        sweep = worker.run_sweep()
        code = max(_report_summary(poll), _report_summary(sweep))
        if dry_run:
            print(f"dry run: {len(printer.seen)} tickets would change; nothing was written")
        return code
    finally:
        app.close()


def cmd_daemon(args: argparse.Namespace) -> int:
    from zendesk_sla.scheduler import run_daemon

    app = _app(args)
    try:
        signal.signal(signal.SIGTERM, lambda *_: app.stop.set())
        if not app.wait_for_lock():
            return 0
        sync = app.config.sync
        return run_daemon(
            app.worker(),
            sync.poll_interval_seconds,
            sync.sweep_interval_seconds,
            metrics_port=getattr(args, "metrics_port", None),
            health_max_age=sync.health_max_age_seconds,
        )
    finally:
        app.close()


def _day(value: str, flag: str) -> int:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{flag}: {value!r} is not a date (YYYY-MM-DD)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def cmd_backfill(args: argparse.Namespace) -> int:
    since = _day(args.since, "--since")
    until = _day(args.until, "--until") if args.until else None
    if until is not None and until <= since:
        raise UsageError("--until must be after --since")
    app = _app(args, dry_run=args.dry_run)
    started = time.monotonic()

    def progress(summary: Summary, position: int) -> None:
        rate = summary.tickets_seen / max(time.monotonic() - started, 1e-6)
        where = (
            datetime.fromtimestamp(position, UTC).strftime("%Y-%m-%d %H:%M") if position else "-"
        )
        line = (
            f"backfill: {summary.tickets_seen} tickets, {summary.changes} changes, "
            f"{summary.written} written, up to {where} UTC, {rate:,.0f} tickets/s"
        )
        end = "\r" if sys.stderr.isatty() else "\n"
        print(line, end=end, file=sys.stderr, flush=True)

    try:
        _lock(app, args.dry_run)
        worker = app.worker(
            on_change=ChangePrinter() if args.dry_run else None, on_progress=progress
        )
        summary = worker.run_backfill(since, until)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        return _report_summary(summary)
    finally:
        app.close()


def cmd_setup(args: argparse.Namespace) -> int:
    from zendesk_sla.provision import provision

    app = _app(args)
    try:
        for item in provision(app.gateway, app.config):
            state = "created" if item.created else "exists"
            print(f"{item.kind:<13} {item.name:<28} id={item.field_id:<16} {state}")
        return 0
    finally:
        app.close()


def cmd_health(args: argparse.Namespace) -> int:
    from zendesk_sla.store import StateStore

    settings = Settings()
    config = load_config(args.config or settings.zendesk_sla_config)
    target = settings.state_target
    if not settings.zendesk_sla_database_url and not Path(target).exists():
        print(f"unhealthy: no state at {target}")
        return 1
    store = StateStore(target)
    try:
        last = store.last_success()
    finally:
        store.close()
    limit = config.sync.health_max_age_seconds
    if last is None or time.time() - last > limit:
        age = "never" if last is None else f"{time.time() - last:.0f}s ago"
        print(f"unhealthy: last successful cycle {age} (limit {limit}s)")
        return 1
    print(f"healthy: last successful cycle {time.time() - last:.0f}s ago")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from zendesk_sla import reports
    from zendesk_sla.store import StateStore

    settings = Settings()
    config = load_config(args.config or settings.zendesk_sla_config)
    state = args.state or settings.state_target
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
        else:
            rows = reports.sla_report(store, config, args.org, args.year, args.month)
    finally:
        store.close()
    title = f"zendesk-sla {args.kind} report"
    text = reports.render(rows, args.format, title, chart=args.kind == "sla")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{args.output}: {len(rows)} rows")
    else:
        print(text)
    return 0


def cmd_sandbox_generate(args: argparse.Namespace) -> int:
    from zendesk_sla.sandbox.generator import stream

    out = open(args.out, "w", encoding="utf-8") if args.out != "-" else sys.stdout  # noqa: SIM115
    try:
        for record in stream(args.tickets, seed=args.seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from zendesk_sla.sandbox.serve import build_sandbox, serve
    from zendesk_sla.sandbox.server import Faults, RateLimits

    limits = RateLimits(args.rate_limit, args.incremental_rate_limit, args.rate_window)
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
    run = sub.add_parser("run", help="poll Zendesk and apply the contract (--once for one cycle)")
    run.add_argument("--once", action="store_true", help="one poll and one sweep, then exit")
    run.add_argument("--dry-run", action="store_true", help="decide and print, write nothing")
    _add_config(run)
    run.set_defaults(func=cmd_run)

    plan = sub.add_parser("plan", help="print the change set one cycle would write (a dry run)")
    _add_config(plan)
    plan.set_defaults(func=cmd_run, once=True, dry_run=True)

    daemon = sub.add_parser("daemon", help="run the scheduler: polls and sweeps until SIGTERM")
    daemon.add_argument(
        "--metrics-port", type=int, metavar="PORT", help="serve /metrics and /healthz on PORT"
    )
    _add_config(daemon)
    daemon.set_defaults(func=cmd_daemon)

    backfill = sub.add_parser(
        "backfill", help="re-evaluate history from a date, without moving the live cursor"
    )
    backfill.add_argument("--since", required=True, metavar="DATE", help="e.g. 2026-01-01")
    backfill.add_argument("--until", metavar="DATE", help="stop at tickets changed after this")
    backfill.add_argument("--dry-run", action="store_true", help="decide and print, write nothing")
    _add_config(backfill)
    backfill.set_defaults(func=cmd_backfill)

    setup = sub.add_parser("setup", help="create the Zendesk fields the worker needs (idempotent)")
    _add_config(setup)
    setup.set_defaults(func=cmd_setup)

    health = sub.add_parser("health", help="exit 0 if a cycle succeeded recently (for cron)")
    _add_config(health)
    health.set_defaults(func=cmd_health)

    report = sub.add_parser("report", help="quota, contacts or SLA report from the worker state")
    report.add_argument("kind", choices=("quota", "contacts", "sla"))
    report.add_argument("--org", type=int, help="one organization id")
    period = report.add_mutually_exclusive_group()
    period.add_argument("--year", type=int, help="quota year (start) or creation year")
    period.add_argument("--month", help="creation month, YYYY-MM (sla report)")
    report.add_argument("--format", choices=("table", "json", "csv", "html"), default="table")
    report.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    report.add_argument("--state", metavar="FILE", help="state file (default $ZENDESK_SLA_STATE)")
    _add_config(report)
    report.set_defaults(func=cmd_report)

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
    serve.add_argument(
        "--rate-window", type=float, default=60.0, help="seconds per rate-limit window"
    )
    serve.add_argument("--error-rate", type=float, default=0.0, help="share of 500/503 replies")
    serve.add_argument("--drop-rate", type=float, default=0.0, help="share of dropped connections")
    serve.set_defaults(func=cmd_sandbox_serve)
    generate = sandbox_sub.add_parser(
        "generate", help="write the sample data as JSON lines (streams: any size, little memory)"
    )
    generate.add_argument("--tickets", type=int, default=1000)
    generate.add_argument("--seed", type=int, default=1)
    generate.add_argument("--out", default="-", metavar="FILE", help="file, or - for stdout")
    generate.set_defaults(func=cmd_sandbox_generate)
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
    except SettingsError as exc:
        print(f"settings error: {exc}", file=sys.stderr)
        return 1
    except ZendeskError as exc:
        print(f"zendesk error: {exc}", file=sys.stderr)
        return 3
    except LockHeld as exc:
        print(f"zendesk-sla {args.command}: {exc}", file=sys.stderr)
        return 4
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
