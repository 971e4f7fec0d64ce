"""The sandbox commands: serve the fake Zendesk, generate its sample data."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from zendesk_sla.cli.common import UsageError
from zendesk_sla.ops.progress import Progress

if TYPE_CHECKING:
    pass


def cmd_sandbox_generate(args: argparse.Namespace) -> int:
    from zendesk_sla.sandbox.generator import stream

    try:
        out = open(args.out, "w", encoding="utf-8") if args.out != "-" else sys.stdout  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"--out: cannot write {args.out}: {exc.strerror}") from None
    progress = Progress("generate", total=args.tickets, terminal=sys.stderr.isatty())
    done = 0
    try:
        for record in stream(args.tickets, seed=args.seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if record.get("type") == "ticket":
                done += 1
                if done % 500 == 0 or done == args.tickets:
                    progress.update(done)
    finally:
        progress.close()
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    from zendesk_sla.sandbox.serve import build_sandbox, serve
    from zendesk_sla.sandbox.server import Faults, RateLimits

    limits = RateLimits(args.rate_limit, args.incremental_rate_limit, args.rate_window)
    faults = Faults(error_rate=args.error_rate, drop_rate=args.drop_rate, seed=args.seed)
    try:
        server = build_sandbox(
            tickets=args.tickets,
            seed=args.seed,
            limits=limits,
            faults=faults,
            port=args.port,
            event_shape=args.event_shape,
        )
    except OSError as exc:
        raise UsageError(f"--port {args.port}: {exc.strerror} (choose another, or 0)") from None
    serve(server)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    serve.add_argument(
        "--event-shape",
        choices=("export", "audit"),
        default="export",
        help="field changes in the ticket-events export: as documented, or as audits record them",
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
