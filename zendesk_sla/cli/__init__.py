"""Command line: parses arguments, turns every expected failure into a message and an exit code.

Commands live in groups: contract (check-config, due, explain), check-account, worker (run,
plan, daemon, backfill, setup, health), severity (train), reports, sandbox.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from zendesk_sla import __version__
from zendesk_sla.cli import (
    account_check,
    contract,
    reports,
    sandbox,
    severity,
    severity_train,
    worker,
)
from zendesk_sla.cli.common import LockHeld, UsageError, forget_settings
from zendesk_sla.config import ConfigError
from zendesk_sla.model.artefact import ModelError
from zendesk_sla.model.corpus import CorpusError
from zendesk_sla.ops.settings import SettingsError
from zendesk_sla.store.base import StateError, storage_failure
from zendesk_sla.sync.fields import NotSetUp
from zendesk_sla.zendesk.errors import Stopped, ZendeskError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zendesk-sla",
        description="Enforce Athento's support contract (SLAs, quotas, contacts) on Zendesk.",
        epilog="Zendesk credentials come from ZENDESK_* environment variables or .env (see "
        ".env.example). Exit codes: 0 done, 1 configuration, settings or state error, 2 bad "
        "command line, 3 Zendesk error, 4 another replica holds the lock, 5 account not set up.",
    )
    parser.add_argument("--version", action="version", version=f"zendesk-sla {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for group in (contract, account_check, severity, severity_train, worker, reports, sandbox):
        group.register(sub)
    return parser


Handler = Callable[[argparse.Namespace], int]

# Each expected failure: one line, with this prefix, and this exit code (see --help).
EXPECTED_ERRORS: dict[type[Exception], tuple[str, int]] = {
    ConfigError: ("", 1),  # each line already names the file, the key path and the problem
    SettingsError: ("settings error: ", 1),
    StateError: ("state error: ", 1),
    UsageError: ("zendesk-sla {command}: ", 2),
    ZendeskError: ("zendesk error: ", 3),
    LockHeld: ("zendesk-sla {command}: ", 4),
    Stopped: ("zendesk-sla {command}: ", 130),  # asked to stop before the cycle began
    NotSetUp: ("zendesk-sla {command}: ", 5),
    ModelError: ("", 1),  # names the model file and the fault
    CorpusError: ("", 1),  # names the batch file and line
}
EXPECTED = tuple(EXPECTED_ERRORS)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Handler = args.func
    forget_settings()
    try:
        return func(args)
    except EXPECTED as exc:
        prefix, code = next(v for k, v in EXPECTED_ERRORS.items() if isinstance(exc, k))
        print(f"{prefix.format(command=args.command)}{exc}", file=sys.stderr)
        return code
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, without a traceback at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the state's disk or database failed during the work
        line = storage_failure(exc)
        if line is None:
            raise
        print(f"state error: {line}", file=sys.stderr)
        return 1
