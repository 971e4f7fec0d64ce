"""`make demo`: the worker against the bundled Zendesk sandbox, and what it did.

Starts the sandbox on a free loopback port with generated sample data,
provisions the fields, runs one full cycle (poll and sweep), then a second
one to show it writes nothing more, and prints a table of tickets and the
requests made.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zendesk_sla.account.fields import provision
from zendesk_sla.account.views_triggers import provision_rules
from zendesk_sla.app import App
from zendesk_sla.config import load_config
from zendesk_sla.core.compliance import Filters
from zendesk_sla.ops.logs import configure
from zendesk_sla.reports import leads
from zendesk_sla.reports.compliance import render_compliance
from zendesk_sla.reports.render import render
from zendesk_sla.sandbox.serve import build_sandbox, sandbox_settings
from zendesk_sla.sandbox.server import RateLimits
from zendesk_sla.store import Applied

ROOT = Path(__file__).resolve().parents[2]  # the checkout: zendesk_sla/cli/demo.py


def _row(a: Applied, org: str, status: str) -> str:
    def short(value: str | None) -> str:
        return value[:16].replace("T", " ") if value else "-"

    state = a.response_state or "-"
    if a.resolution_state and a.resolution_state != "none":
        state += f"/{a.resolution_state}"
    return (
        f"{a.ticket_id:>5}  {org[:22]:<22} {a.plan or '-':<10} {a.severity or '-':<8} "
        f"{status:<8} {short(a.response_due):<17} {short(a.resolution_due):<17} "
        f"{state if a.eligible else 'no SLA: ' + (a.reason or '')}"
    )


def _new_ticket_note(account: Any, worker: Any) -> None:
    """A customer opens a ticket; the internal note an agent then reads in Zendesk."""
    template = next(
        t
        for t in account.tickets.values()
        if "sla_plan_enterprise" in t.tags and "sla_unauthorized_contact" not in t.tags
    )
    with account.lock:
        ticket = account.create_ticket(
            {
                "subject": "No podemos crear documentos",
                "comment": {"body": "Desde esta mañana nadie puede crear documentos nuevos."},
                "requester_id": template.requester_id,
                "organization_id": template.organization_id,
            },
            template.requester_id,
            via="email",
        )
    account.clock.advance(61)
    worker.run_cycle()
    notes = [
        c["body"]
        for audit in account.audits_by_ticket[ticket.id]
        if audit.author_id == account.api_user_id
        for c in audit.comments()
    ]
    print(f"\n3b. a customer opens #{ticket.id} 'No podemos crear documentos'; the agent reads:")
    for body in notes:
        for line in body.splitlines():
            print(f"   | {line}")
    tags = sorted(t for t in account.tickets[ticket.id].tags if t.startswith("sla_"))
    print(f"   tags: {' '.join(tags)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=25, help="ticket rows to print")
    args = parser.parse_args(argv)
    configure("console", "WARNING")
    server = build_sandbox(
        tickets=args.tickets,
        seed=args.seed,
        limits=RateLimits(per_minute=700, incremental_per_minute=0),
    )
    server.start()
    state_dir = ROOT / ".demo"
    state_dir.mkdir(exist_ok=True)
    for old in state_dir.glob("state.sqlite3*"):
        old.unlink()
    settings = sandbox_settings(server.url, zendesk_sla_state=Path(state_dir) / "state.sqlite3")
    config = load_config(ROOT / "config" / "athento.yaml")
    config.raw.sync.__dict__["initial_lookback_days"] = 0  # the sample spans 120 days
    config.raw.sync.__dict__["incremental_exports_per_minute"] = 0  # no export limit here
    config.raw.sync.__dict__["job_poll_interval_seconds"] = 0.05
    app = App(settings, config)
    try:
        print(f"Zendesk sandbox on {server.url}: {args.tickets} tickets, seed {args.seed}\n")
        print("1. zendesk-sla setup")
        fields = provision(app.gateway, config)
        for item in fields:
            print(f"   {item.kind:<13} {item.name:<24} {'created' if item.created else 'exists'}")
        due = next((f.field_id for f in fields if f.name.startswith("SLA next due")), None)
        for rule in provision_rules(app.gateway, config, due):
            print(f"   {rule.kind:<13} {rule.title:<56} {'created' if rule.created else 'exists'}")
        worker = app.worker()
        print("\n2. zendesk-sla run --once (poll + sweep)")
        first = [worker.run_cycle(), worker.run_sweep()]
        for s in first:
            print(
                f"   {s.kind:<6} tickets={s.tickets_seen} evaluated={s.evaluated} "
                f"changes={s.changes} written={s.written} notes={s.notes} "
                f"conflicts={s.conflicts} requests={s.requests} in {s.seconds:.2f}s"
            )
        server.sandbox.account.clock.advance(61)  # type: ignore[attr-defined]
        print("\n3. the same again, one minute later: nothing to write")
        second = [worker.run_cycle(), worker.run_sweep()]
        for s in second:
            print(
                f"   {s.kind:<6} tickets={s.tickets_seen} changes={s.changes} "
                f"written={s.written} requests={s.requests}"
            )
        account = server.sandbox.account
        _new_ticket_note(account, worker)
        orgs = {o.id: o.name for o in account.organizations.values()}
        rows = app.store.applied_rows()
        print(f"\n4. tickets ({min(args.rows, len(rows))} of {len(rows)}; due times UTC)")
        print(
            f"{'id':>5}  {'organization':<22} {'plan':<10} {'severity':<8} {'status':<8} "
            f"{'response due':<17} {'resolution due':<17} state (response/resolution)"
        )
        for a in rows[: args.rows]:
            status = account.tickets[a.ticket_id].status
            print(_row(a, orgs.get(a.organization_id or 0, "-"), status))
        tags = Counter(
            t for tk in account.tickets.values() for t in tk.tags if t.startswith("sla_")
        )
        print("\n5. tags on the sandbox tickets now")
        for tag, count in sorted(tags.items()):
            print(f"   {tag:<28} {count}")
        print("\n6. requests the worker made")
        for endpoint, count in sorted(app.session.meter.requests.items()):
            print(f"   {count:>5}  {endpoint}")
        print(f"   {app.session.meter.total():>5}  in all")
        print("\n7. zendesk-sla report quota (first rows)")
        quota = leads.quota_report(app.store, config, None, None)
        print(render(quota[:8], "table", ""))
        print("\n8. zendesk-sla report contacts")
        print(render(leads.contacts_report(app.store, config, None), "table", ""))
        hc = server.sandbox.help_center
        print(f"\n9. support center: {len(hc.articles)} consumption pages, one per organization")
        for article in list(hc.articles.values())[:3]:
            segment = hc.segments[article.user_segment_id or 0]
            print(f"   {article.title!r} readable by organizations {segment.organization_ids}")
        nxt = worker.next_transition()
        if nxt is not None:
            print(f"   next at-risk/breach/notice moment: {nxt:%Y-%m-%d %H:%M:%S} UTC")
        print("\n10. zendesk-sla report compliance --by plan,severity")
        now = datetime.fromtimestamp(account.now(), UTC)
        by_plan, _ = render_compliance(
            app.store, config, ("plan", "severity"), Filters(), "table", now
        )
        print("   " + by_plan.replace("\n", "\n   "))
        page = state_dir / "compliance-report.html"
        html, _ = render_compliance(
            app.store, config, ("organization", "plan", "severity", "month"), Filters(), "html", now
        )
        page.write_text(html, encoding="utf-8")
        print(f"\n11. compliance report with its charts: {page}")
        print(
            f"   more: ZENDESK_SLA_STATE={settings.zendesk_sla_state} "
            ".venv/bin/zendesk-sla report compliance --by organization --format table"
        )
    finally:
        app.close()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
