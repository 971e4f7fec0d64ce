"""The compliance report from the worker's state: verdicts loaded, counted by the core, as rows.

Rows are what the table, JSON and CSV show; `compliance_rows` flattens the
groups (response and resolution apart, counts, rates and breached ids) and
`at_risk_rows` the tickets to act on now, with their due times in the support
team's zone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from zendesk_sla.config import Config
from zendesk_sla.core.compliance import (
    GROUPINGS,
    JUDGED,
    KINDS,
    Compliance,
    Filters,
    Group,
    TicketVerdict,
    compliance,
)
from zendesk_sla.reports import compliance_html
from zendesk_sla.reports.render import render
from zendesk_sla.store import StateStore
from zendesk_sla.sync.timelines import load_orgs

Row = dict[str, Any]
CHARTED = ("organization", "severity", "month")
STAMP = "%Y-%m-%d %H:%M"


def _due(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def load_verdicts(store: StateStore, config: Config) -> list[TicketVerdict]:
    """Every ticket the worker judged under an SLA (eligible, with a plan and a severity)."""
    zone = ZoneInfo(config.policy.timezone)
    applied = [a for a in store.applied_rows() if a.eligible and a.plan and a.severity]
    orgs = load_orgs(store, config, {a.organization_id for a in applied if a.organization_id})
    verdicts = []
    for a in applied:
        org = orgs.get(a.organization_id) if a.organization_id else None
        label = (org.name or f"#{org.id}") if org else "-"
        created = datetime.fromtimestamp(a.created_at, UTC).astimezone(zone)
        verdicts.append(
            TicketVerdict(
                ticket_id=a.ticket_id,
                org_id=a.organization_id,
                organization=label,
                plan=a.plan or "-",
                severity=a.severity or "-",
                month=f"{created:%Y-%m}",
                states={"response": a.response_state, "resolution": a.resolution_state},
                dues={"response": _due(a.response_due), "resolution": _due(a.resolution_due)},
            )
        )
    return verdicts


def compliance_report(
    store: StateStore,
    config: Config,
    by: tuple[str, ...],
    filters: Filters,
    now: datetime,
) -> Compliance:
    return compliance(load_verdicts(store, config), by, now, filters)


def group_row(by: tuple[str, ...], group: Group) -> Row:
    row: Row = dict(zip(by, group.key, strict=True))
    row["tickets"] = group.tickets
    for kind in KINDS:
        counts = group.counts[kind]
        for state in JUDGED:
            row[f"{kind}_{state}"] = getattr(counts, state)
        row[f"{kind}_open"] = counts.open
        for state in JUDGED:
            row[f"{kind}_{state}_rate"] = counts.rate(state)
    for kind in KINDS:
        row[f"{kind}_breached_ids"] = " ".join(str(i) for i in group.breached_ids[kind])
    return row


def compliance_rows(report: Compliance) -> list[Row]:
    return [group_row(report.by, g) for g in report.groups]


def at_risk_rows(report: Compliance, timezone: str) -> list[Row]:
    zone = ZoneInfo(timezone)
    return [
        {
            "ticket_id": a.ticket_id,
            "organization": a.organization,
            "plan": a.plan,
            "severity": a.severity,
            "clock": a.kind,
            "state": a.state,
            "due_local": f"{a.due.astimezone(zone):{STAMP}}",
            "due_utc": a.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for a in report.at_risk
    ]


def as_json(report: Compliance, timezone: str, now: datetime) -> dict[str, Any]:
    return {
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "grouped_by": list(report.by),
        "total": group_row((), report.total),
        "groups": compliance_rows(report),
        "at_risk_now": at_risk_rows(report, timezone),
    }


def _compact(by: tuple[str, ...], group: Group) -> Row:
    """A table row narrow enough for a terminal: met/breached/over/open and the met rate."""
    row: Row = dict(zip(by, group.key or ("all",), strict=True))
    row["tickets"] = group.tickets
    for kind, short in zip(KINDS, ("resp", "resol"), strict=True):
        c = group.counts[kind]
        row[f"{short} met/brch/over/open"] = f"{c.met}/{c.breached}/{c.over_target}/{c.open}"
        rate = c.rate("met")
        row[f"{short} met %"] = f"{rate:.1%}" if rate is not None else "-"
    ids = sorted({i for kind in KINDS for i in group.breached_ids[kind]})
    row["breached ids"] = " ".join(map(str, ids[:6])) + (
        f" +{len(ids) - 6}" if len(ids) > 6 else ""
    )
    return row


def describe(by: tuple[str, ...], filters: Filters) -> str:
    chosen = [f"{k}={v}" for k, v in vars(filters).items() if v is not None]
    return f"Grouped by {', '.join(by) or 'nothing'}; " + (
        f"only {', '.join(chosen)}." if chosen else "all SLA tickets."
    )


def _choices(verdicts: list[TicketVerdict]) -> dict[str, list[tuple[str, str]]]:
    """What the page's filters offer: the values present in the state."""
    orgs = sorted({(str(v.org_id), v.organization) for v in verdicts if v.org_id is not None})
    return {
        "org": sorted(orgs, key=lambda o: o[1]),
        "plan": [(p, p) for p in sorted({v.plan for v in verdicts})],
        "severity": [(s, s) for s in sorted({v.severity for v in verdicts})],
        "month": [(m, m) for m in sorted({v.month for v in verdicts}, reverse=True)],
    }


def render_compliance(
    store: StateStore,
    config: Config,
    by: tuple[str, ...],
    filters: Filters,
    fmt: str,
    now: datetime,
    *,
    agent_url: str | None = None,
    query: dict[str, str] | None = None,
) -> tuple[str, int]:
    """The report in `fmt` (table, json, csv, html), and its number of group rows."""
    verdicts = load_verdicts(store, config)
    report = compliance(verdicts, by, now, filters)
    rows, risk = compliance_rows(report), at_risk_rows(report, config.policy.timezone)
    if fmt == "json":
        text = json.dumps(as_json(report, config.policy.timezone, now), indent=2)
    elif fmt == "csv":
        text = render(rows, "csv", "")
    elif fmt == "html":
        overall = {dim: compliance(verdicts, (dim,), now, filters) for dim in CHARTED}
        local = now.astimezone(ZoneInfo(config.policy.timezone))
        text = compliance_html.page(
            "SLA compliance",
            describe(by, filters),
            overall,
            report,
            risk,
            now,
            as_of=f"{local:{STAMP}} ({config.policy.timezone})",
            agent_url=agent_url,
            choices=_choices(verdicts),
            query=query,
        )
    else:
        total = replace(report.total, key=("all",) + ("",) * max(len(by) - 1, 0))
        table = [_compact(by or ("total",), g) for g in report.groups]
        table += [_compact(by or ("total",), total)] if len(report.groups) != 1 else []
        text = "\n\n".join(
            [
                describe(by, filters),
                render(table if rows else [], "table", ""),
                f"At risk now ({len(risk)}):",
                render(risk, "table", "") if risk else "(nothing)",
            ]
        )
    return text, len(rows)


FORMATS = {"html": "text/html; charset=utf-8", "json": "application/json", "csv": "text/csv"}


def report_page(
    state: str,
    config: Callable[[], Config],
    now: Callable[[], datetime],
    agent_url: str | None = None,
) -> Callable[[dict[str, str]], tuple[int, str, bytes]]:
    """The daemon's live /report: `?by=organization,severity&plan=company&format=json`.

    Each request reads the state on a connection of its own, so it never waits for or
    disturbs the cycle that is writing."""

    def serve(query: dict[str, str]) -> tuple[int, str, bytes]:
        fmt = query.get("format", "html")
        by = tuple(p for p in query.get("by", "organization,plan,severity,month").split(",") if p)
        try:
            org = int(query["org"]) if query.get("org") else None
            year = int(query["year"]) if query.get("year") else None
            if fmt not in FORMATS or set(by) - set(GROUPINGS):
                raise ValueError(f"format one of {sorted(FORMATS)}, by among {GROUPINGS}")
        except ValueError as exc:
            return 400, "text/plain; charset=utf-8", f"bad query: {exc}\n".encode()
        filters = Filters(org, query.get("plan"), query.get("severity"), query.get("month"), year)
        store = StateStore(state, read_only=True)
        try:
            text, _ = render_compliance(
                store, config(), by, filters, fmt, now(), agent_url=agent_url, query=query
            )
        finally:
            store.close()
        return 200, FORMATS[fmt], text.encode()

    return serve
