"""Commands that run the worker: run, plan, daemon, backfill, setup, health."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from zendesk_sla.cli.change_report import ChangeReport
from zendesk_sla.cli.common import (
    UsageError,
    add_config,
    hold_lock,
    make_app,
    stoppable,
    stopped_line,
)
from zendesk_sla.ops.progress import Progress, cycle_progress

if TYPE_CHECKING:
    from zendesk_sla.app import App
    from zendesk_sla.sync.cycles import Worker
    from zendesk_sla.sync.summary import Summary


def _report_summary(summary: Summary) -> int:
    data = summary.as_dict()
    print(json.dumps(data, default=str))
    return 0 if summary.error is None else 3


def cmd_run(args: argparse.Namespace) -> int:
    dry_run = args.dry_run or args.command == "plan"
    if not args.once and args.command == "run" and not dry_run:
        return cmd_daemon(args)
    app = make_app(args, dry_run=dry_run)
    try:
        report = ChangeReport()
        progress = Progress("poll")
        with stoppable(app) as signals:  # from the first request on: a wait may come at once
            hold_lock(app, dry_run)
            worker = app.worker(
                on_change=report if dry_run else None,
                on_evaluated=report.evaluated if dry_run else None,
                on_quotas=report.quotas if dry_run else None,
                on_progress=cycle_progress(progress),
            )
            poll = worker.run_cycle()
            progress.close()
            sweep = worker.run_sweep()
        if dry_run:
            report.write(sys.stdout)
        code = max(_report_summary(poll), _report_summary(sweep))
        if dry_run:
            print(f"dry run: {len(report.seen)} tickets would change; nothing was written")
        if signals:
            print(stopped_line(poll, "the next run resumes from there"), file=sys.stderr)
            return 130
        return code
    finally:
        app.close()


def cmd_daemon(args: argparse.Namespace) -> int:
    from zendesk_sla.cli.daemon import run_daemon_command

    return run_daemon_command(args)


def _day(value: str, flag: str) -> int:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{flag}: {value!r} is not a date (YYYY-MM-DD)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _run_reported(
    app: App,
    dry_run: bool,
    kind: str,
    run: Callable[[Worker], Summary],
    *,
    verdicts: bool = False,
    again: str = "run the same command again to resume where it stopped",
    note: Callable[[Summary], str | None] = lambda _s: None,
) -> int:
    """One range cycle with progress; a dry run prints its change report, and `verdicts`
    prints how verdicts and compliance moved even when it writes."""
    progress = Progress(kind)
    report = ChangeReport()
    try:
        with stoppable(app) as signals:  # from the first request on: a wait may come at once
            hold_lock(app, dry_run)
            worker = app.worker(
                on_change=report if dry_run or verdicts else None,
                on_evaluated=report.evaluated if dry_run or verdicts else None,
                on_quotas=report.quotas if dry_run else None,
                on_progress=cycle_progress(progress),
            )
            summary = run(worker)
        progress.close()
        if dry_run:
            report.write(sys.stdout)
        elif verdicts:
            print("\n".join(report.verdicts()))
        code = _report_summary(summary)
        if signals:
            print(stopped_line(summary, again), file=sys.stderr)
            return 130
        said = note(summary)
        if said:
            print(said, file=sys.stderr)
        return code
    finally:
        app.close()


def cmd_backfill(args: argparse.Namespace) -> int:
    since = _day(args.since, "--since")
    until = _day(args.until, "--until") if args.until else None
    if until is not None and until <= since:
        raise UsageError("--until must be after --since")
    app = make_app(args, dry_run=args.dry_run)
    if not args.dry_run and not app.store.acquire():  # the daemon runs: hand it the work
        try:
            with app.store.transaction():
                waiting = app.store.queue_backfill(since, until)
        finally:
            app.close()
        shown = " to ".join(_shown_day(d) for d in waiting if d is not None)
        print(
            f"another zendesk-sla process (the daemon) holds the worker lock: the backfill "
            f"from {shown} is queued and it runs it after its next poll (its log says "
            "backfill_started, then a cycle of kind backfill)"
        )
        return 0
    return _run_reported(
        app,
        args.dry_run,
        "backfill",
        lambda w: w.run_backfill(since, until),
        note=lambda s: _nothing_found(s, since, until),
    )


def _nothing_found(summary: Summary, since: int, until: int | None) -> str | None:
    """Why a backfill that ran found no ticket: the range is of last changes."""
    if summary.tickets_seen or summary.error or summary.interrupted:
        return None
    if until is None:
        return f"no ticket was changed in Zendesk since {_shown_day(since)}: nothing to redo"
    return (
        f"no ticket found whose last change falls between {_shown_day(since)} and "
        f"{_shown_day(until)}: --since and --until select tickets by their last change in "
        "Zendesk (a ticket of that period changed again later is outside); leave out "
        "--until to redo every ticket changed since --since"
    )


def _shown_day(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).date().isoformat()


def cmd_reevaluate(args: argparse.Namespace) -> int:
    """Re-decide the stored history under the YAML now, from the state: no export request."""
    from zendesk_sla.config import Config

    app = make_app(args, dry_run=args.dry_run)
    if args.rejudge:  # the lead asks: every ticket by the newest terms, whatever its creation
        app.config = Config(app.config.path, app.config.raw, app.config.policy.latest())
    everything = args.all
    return _run_reported(
        app,
        args.dry_run,
        "reevaluate",
        lambda w: w.run_reevaluate(everything=everything),
        verdicts=True,
    )


def cmd_setup(args: argparse.Namespace) -> int:
    from zendesk_sla.account.fields import provision
    from zendesk_sla.account.views_triggers import provision_rules
    from zendesk_sla.sync.fields import NotSetUp

    app = make_app(args)
    try:
        me = app.gateway.me()
        if me.get("role") != "admin":
            raise NotSetUp(
                f"the API token belongs to {me.get('email')}, whose role is {me.get('role')}: "
                "creating fields needs an admin's token (see README, Permissions)"
            )
        print(f"API user {me.get('email')} (admin): checking the fields the worker needs")
        fields = provision(app.gateway, app.config)
        for item in fields:
            state = "created" if item.created else "exists"
            print(f"{item.kind:<13} {item.name:<28} id={item.field_id:<16} {state}")
        titles = app.config.fields.ticket_fields
        due = next(
            (
                f.field_id
                for f in fields
                if f.kind == "ticket" and f.name == titles.get("next_due_local")
            ),
            None,
        )
        for rule in provision_rules(app.gateway, app.config, due):
            state = "created" if rule.created else "exists"
            state = "deactivated (replaced by one trigger per breach)" if rule.retired else state
            print(f"{rule.kind:<13} {rule.title:<46} id={rule.rule_id:<16} {state}")
        return 0
    finally:
        app.close()


def _health(args: argparse.Namespace) -> int:
    from zendesk_sla.cli.health import cmd_health

    return cmd_health(args)


def port(value: str) -> int:
    """A TCP port (1-65535), else argparse's one line and exit 2."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port (1-65535)")
    return number


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="poll Zendesk and apply the contract (--once for one cycle)")
    run.add_argument("--once", action="store_true", help="one poll and one sweep, then exit")
    run.add_argument("--dry-run", action="store_true", help="decide and print, write nothing")
    add_config(run)
    run.set_defaults(func=cmd_run)

    plan = sub.add_parser("plan", help="print the change set one cycle would write (a dry run)")
    add_config(plan)
    plan.set_defaults(func=cmd_run, once=True, dry_run=True)

    daemon = sub.add_parser("daemon", help="run the scheduler: polls and sweeps until SIGTERM")
    daemon.add_argument(
        "--metrics-port", type=port, metavar="PORT", help="serve /metrics and /healthz on PORT"
    )
    daemon.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        metavar="HOST",
        help="address to serve them on (default 127.0.0.1; 0.0.0.0 in a container)",
    )
    add_config(daemon)
    daemon.set_defaults(func=cmd_daemon)

    backfill = sub.add_parser(
        "backfill", help="re-evaluate history from a date, without moving the live cursor"
    )
    backfill.add_argument("--since", required=True, metavar="DATE", help="e.g. 2026-01-01")
    backfill.add_argument(
        "--until",
        metavar="DATE",
        help="only tickets whose last change in Zendesk is before this date (not a creation date)",
    )
    backfill.add_argument("--dry-run", action="store_true", help="decide and print, write nothing")
    add_config(backfill)
    backfill.set_defaults(func=cmd_backfill)

    text = (
        "re-decide the stored history under the YAML as it is now, from the worker's state "
        "(no export); writes only what changes"
    )
    again = sub.add_parser(
        "reevaluate",
        help=text,
        description=text + ". Each ticket is judged by the contract version in force when it "
        "was created, so a new version never re-judges the past unless --rejudge; only "
        "tickets judged under other terms than those now in force are re-decided. Quota "
        "ledgers are recounted only for organizations counted under other quota terms "
        "(plans' quotas, channels and support, the quota rules and texts).",
    )
    again.add_argument("--dry-run", action="store_true", help="print old -> new, write nothing")
    again.add_argument(
        "--all",
        action="store_true",
        help="re-decide every stored ticket, not only those whose contract terms changed",
    )
    again.add_argument(
        "--rejudge",
        action="store_true",
        help="judge every ticket by the newest contract terms, ignoring effective dates "
        "(the lead asks to re-judge the past; open tickets get a note with their new dues)",
    )
    add_config(again)
    again.set_defaults(func=cmd_reevaluate)

    setup = sub.add_parser(
        "setup",
        help="create the Zendesk fields, views and triggers the worker needs (idempotent)",
    )
    add_config(setup)
    setup.set_defaults(func=cmd_setup)

    health = sub.add_parser("health", help="exit 0 if a cycle succeeded recently (for cron)")
    add_config(health)
    health.set_defaults(func=_health)
