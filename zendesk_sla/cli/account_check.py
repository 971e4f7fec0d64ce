"""`zendesk-sla check-account`: a read-only pre-flight against the live account."""

from __future__ import annotations

import argparse
import time

from zendesk_sla.cli.common import add_config, config_path, settings
from zendesk_sla.config import load_config


def cmd_check_account(args: argparse.Namespace) -> int:
    """One line per check (ok, warn, FAIL) and exit 0, or 1 when a check blocks the worker."""
    from zendesk_sla.app import connect
    from zendesk_sla.ops.logs import configure
    from zendesk_sla.preflight.checks import AccountCheck
    from zendesk_sla.preflight.report import printed

    current = settings()
    current.check()
    configure(current.zendesk_sla_log_format, "WARNING")  # the lines are the report
    config = load_config(config_path(args))
    # Two tries and 20 s at most: an unreachable account is said at once, not after minutes.
    session, _, gateway = connect(current, config, attempts=2, timeout=20.0)
    try:
        lines, code = printed(AccountCheck(gateway, config, int(time.time())).run())
    finally:
        session.close()
    for line in lines:
        print(line)
    return code


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser(
        "check-account",
        help="read-only pre-flight of the Zendesk account before the first write (exit 0 or 1)",
    )
    add_config(check)
    check.set_defaults(func=cmd_check_account)
