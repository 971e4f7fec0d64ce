"""What every command shares: the policy file option, usage errors, the app and its lock."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from zendesk_sla.config import Config, load_config
from zendesk_sla.ops.settings import Settings, load_settings

if TYPE_CHECKING:
    from zendesk_sla.app import App
    from zendesk_sla.sync.summary import Summary

DEFAULT_CONFIG = "the bundled config/athento.yaml"


class UsageError(Exception):
    """Bad input on the command line, phrased for a person."""


class LockHeld(Exception):
    """Another replica holds the worker lock (PostgreSQL state)."""


_SETTINGS: list[Settings] = []


def settings() -> Settings:
    """One settings object for every command (environment and `.env`), read once."""
    if not _SETTINGS:
        _SETTINGS.append(load_settings())
    return _SETTINGS[0]


def forget_settings() -> None:
    """A new command reads the environment afresh."""
    _SETTINGS.clear()


def config_path(args: argparse.Namespace) -> str:
    return str(args.config or settings().zendesk_sla_config)


def load_policy(args: argparse.Namespace) -> Config:
    return load_config(config_path(args))


def created_arg(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--created: {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise UsageError(f"--created: {value!r} has no UTC offset (add Z or +01:00)")
    return moment


def check_plan(config: Config, plan: str) -> None:
    if plan not in config.policy.plans:
        known = ", ".join(config.policy.plans)
        raise UsageError(f"--plan: unknown plan {plan!r} (known: {known})")


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"policy YAML (default: $ZENDESK_SLA_CONFIG or {DEFAULT_CONFIG})",
    )


def make_app(args: argparse.Namespace, *, dry_run: bool = False) -> App:
    from zendesk_sla.app import App
    from zendesk_sla.ops.logs import configure

    current = settings()
    configure(current.zendesk_sla_log_format, current.zendesk_sla_log_level)
    config = load_config(config_path(args))
    return App(current, config, dry_run=dry_run)


def hold_lock(app: App, dry_run: bool) -> None:
    if not dry_run and not app.store.acquire():
        raise LockHeld(
            "another zendesk-sla process (the daemon, a run or a backfill) holds the state's "
            "lock: stop it first, or wait; this one writes nothing"
        )


@contextmanager
def stoppable(app: App) -> Iterator[list[int]]:
    """Ctrl-C or SIGTERM during a one-shot command: the first asks the work to stop (a
    wait is cut short at once, the page being recorded is finished); a second quits at
    once (exit 130). Yields the signals received."""
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        if app.stop.is_set():
            raise KeyboardInterrupt
        received.append(signum)
        app.stop.set()
        print("stopping: what is done is kept (Ctrl-C again to quit at once)", file=sys.stderr)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def stopped_line(summary: Summary, again: str) -> str:
    """What an interrupted command did, and how to go on."""
    return (
        f"stopped: {summary.tickets_seen} tickets read, {summary.evaluated} decided, "
        f"{summary.written} written; what was done is saved: {again}"
    )
