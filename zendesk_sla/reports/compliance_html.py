"""The compliance report as one self-contained HTML page: charts, the table, what is at risk now.

No script and no external file: inline SVG and CSS, so the page opens offline,
prints, and can be mailed. Charts are 100 % stacked bars with an axis, gridlines
and the counts written out; the colours are the Okabe-Ito palette (safe for
colour-blind readers) and breaches are hatched too, so they read in greyscale.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from zendesk_sla.core.compliance import KINDS, Compliance, Group

COLOURS = {"met": "#0072B2", "over_target": "#E69F00", "breached": "#D55E00"}
LABELS = {"met": "met", "over_target": "over target (best effort)", "breached": "breached"}
BAR, GAP, LEFT, PLOT, RIGHT = 22, 10, 180, 420, 200


def _esc(value: object) -> str:
    return html.escape("-" if value is None else str(value))


def _bar(y: int, group: Group, kind: str) -> str:
    counts = group.counts[kind]
    judged = counts.judged
    label = " / ".join(group.key) or "all"
    parts = [f'<text class="name" x="{LEFT - 8}" y="{y + BAR * 0.7:.0f}">{_esc(label)}</text>']
    x = float(LEFT)
    for state in ("met", "over_target", "breached"):
        value = getattr(counts, state)
        if not judged or not value:
            continue
        width = PLOT * value / judged
        fill = "url(#hatch)" if state == "breached" else COLOURS[state]
        tip = f"{label}, {kind}: {value} {LABELS[state]} of {judged}"
        parts.append(
            f'<rect class="{state}" x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
            f'fill="{fill}"><title>{_esc(tip)}</title></rect>'
        )
        x += width
    rate = counts.rate("met")
    text = (
        f"{rate:.0%} met ({counts.met}/{judged})" if rate is not None else "none judged yet"
    ) + (f", {counts.open} open" if counts.open else "")
    parts.append(f'<text class="value" x="{LEFT + PLOT + 6}" y="{y + BAR * 0.7:.0f}">{text}</text>')
    return "".join(parts)


def chart(title: str, report: Compliance, kind: str) -> str:
    """One chart: a bar per group, the judged tickets split met / over target / breached."""
    groups = [g for g in report.groups if g.counts[kind].judged or g.counts[kind].open]
    if not groups:
        return ""
    height = 30 + len(groups) * (BAR + GAP) + 30
    width = LEFT + PLOT + RIGHT
    parts = [
        f"<figure><figcaption>{_esc(title)}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}">'
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{COLOURS["breached"]}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>'
    ]
    axis_y = 20 + len(groups) * (BAR + GAP)
    for tick in range(0, 101, 25):
        x = LEFT + PLOT * tick / 100
        parts.append(
            f'<line class="grid" x1="{x}" y1="16" x2="{x}" y2="{axis_y}" stroke="#ddd"/>'
            f'<text class="tick" x="{x}" y="{axis_y + 16}" text-anchor="middle">{tick} %</text>'
        )
    for index, group in enumerate(groups):
        parts.append(_bar(20 + index * (BAR + GAP), group, kind))
    parts.append(
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{LEFT + PLOT}" y2="{axis_y}" stroke="#333"/>'
        "</svg></figure>"
    )
    return "".join(parts)


def _legend() -> str:
    items = []
    for state in ("met", "over_target", "breached"):
        fill = "url(#hatch)" if state == "breached" else COLOURS[state]
        items.append(
            '<span class="key"><svg width="14" height="14"><defs><pattern id="hatch-key" '
            'width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{COLOURS["breached"]}"/><line x1="0" y1="0" '
            'x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern></defs>'
            f'<rect width="14" height="14" fill="{fill.replace("hatch", "hatch-key")}"/></svg> '
            f"{LABELS[state]}</span>"
        )
    return '<p class="legend">' + " ".join(items) + "</p>"


def _link(ticket_id: int, agent_url: str | None) -> str:
    """A ticket id, linked to its page in the agent interface when the address is known."""
    text = f"#{ticket_id}"
    if not agent_url:
        return text
    return f'<a href="{_esc(agent_url)}/agent/tickets/{ticket_id}">{text}</a>'


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _headline(report: Compliance, at_risk: int) -> str:
    total = report.total.counts
    cards = [
        (
            "Response met",
            _percent(total["response"].rate("met")),
            f"{total['response'].judged} judged",
        ),
        (
            "Resolution met",
            _percent(total["resolution"].rate("met")),
            f"{total['resolution'].judged} judged",
        ),
        ("Breached", str(sum(total[k].breached for k in KINDS)), "response and resolution"),
        ("At risk now", str(at_risk), "act on these first"),
        ("Open", str(max(total[k].open for k in KINDS)), "clocks still running"),
    ]
    return (
        '<section class="cards">'
        + "".join(
            f'<div class="card"><span class="label">{_esc(a)}</span>'
            f'<span class="figure">{_esc(b)}</span><span class="note">{_esc(c)}</span></div>'
            for a, b, c in cards
        )
        + "</section>"
    )


RISK_PANEL = "#FFF1D6"  # the at-risk section's background: the first thing a lead looks at


def _risk_table(at_risk: Sequence[Mapping[str, Any]], agent_url: str | None) -> str:
    return f'<section class="risk">{_risk_rows(at_risk, agent_url)}</section>'


def _risk_rows(at_risk: Sequence[Mapping[str, Any]], agent_url: str | None) -> str:
    if not at_risk:
        return '<p class="none">Nothing is at risk now.</p>'
    rows = "".join(
        f"<tr><td>{_link(int(r['ticket_id']), agent_url)}</td><td>{_esc(r['organization'])}</td>"
        f"<td>{_esc(r['plan'])}</td><td>{_esc(r['severity'])}</td><td>{_esc(r['clock'])}</td>"
        f"<td>{_esc(r['due_local'])}</td></tr>"
        for r in at_risk
    )
    return (
        f'<div class="wide"><table class="risk"><caption>At risk now ({len(at_risk)}), '
        "soonest due first</caption><thead><tr><th>Ticket</th><th>Organization</th>"
        "<th>Plan</th><th>Severity</th><th>Clock</th><th>Due (local)</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )


def _groups_table(report: Compliance, agent_url: str | None) -> str:
    heads = [*report.by, "tickets"]
    heads += [f"{k} {h}" for k in KINDS for h in ("met", "breached", "open")]
    heads.append("breached tickets")
    body = []
    for group in report.groups:
        cells = [_esc(v) for v in group.key] + [str(group.tickets)]
        for kind in KINDS:
            c = group.counts[kind]
            cells += [_percent(c.rate("met")), str(c.breached), str(c.open)]
        ids = sorted({i for k in KINDS for i in group.breached_ids[k]})
        links = " ".join(_link(i, agent_url) for i in ids[:6])
        cells.append(links + (f" +{len(ids) - 6}" if len(ids) > 6 else ""))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{_esc(h)}</th>" for h in heads)
    return (
        '<div class="wide"><table><caption>Compliance per group</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def trend(months: Compliance) -> str:
    """Met % per month, response and resolution side by side (the last twelve months)."""
    groups = sorted(months.groups, key=lambda g: g.key)[-12:]
    if not groups:
        return ""
    width, height, top, base = 70 + 48 * len(groups), 200, 20, 160
    parts = [
        "<figure><figcaption>Met per month (response, resolution)</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Met per month">'
    ]
    for tick in (0, 50, 100):
        y = base - (base - top) * tick / 100
        parts.append(
            f'<line x1="50" y1="{y}" x2="{width}" y2="{y}" stroke="#ddd"/>'
            f'<text class="tick" x="44" y="{y + 4}" text-anchor="end">{tick} %</text>'
        )
    for index, group in enumerate(groups):
        x = 58 + index * 48
        for offset, kind in enumerate(KINDS):
            rate = group.counts[kind].rate("met")
            if rate is None:
                continue
            h = (base - top) * rate
            colour = COLOURS["met"] if kind == "response" else "#56B4E9"
            tip = f"{group.key[0]} {kind}: {rate:.0%} met of {group.counts[kind].judged}"
            parts.append(
                f'<rect class="trend-{kind}" x="{x + offset * 18}" y="{base - h:.1f}" '
                f'width="16" height="{h:.1f}" fill="{colour}"><title>{_esc(tip)}</title></rect>'
            )
        parts.append(
            f'<text class="tick" x="{x + 17}" y="{base + 16}" text-anchor="middle">'
            f"{_esc(group.key[0][2:])}</text>"
        )
    return "".join(parts) + "</svg></figure>"


def _form(choices: Mapping[str, Sequence[tuple[str, str]]], query: Mapping[str, str]) -> str:
    """Filters as a plain GET form: the daemon's /report answers it."""
    fields = []
    for name, options in choices.items():
        chosen = query.get(name, "")
        opts = ['<option value="">all</option>'] + [
            f'<option value="{_esc(v)}"{" selected" if v == chosen else ""}>{_esc(t)}</option>'
            for v, t in options
        ]
        fields.append(
            f'<label>{_esc(name)} <select name="{_esc(name)}">{"".join(opts)}</select></label>'
        )
    return '<form class="filters" method="get">' + "".join(fields) + "<button>Show</button></form>"


def page(
    title: str,
    filters: str,
    overall: Mapping[str, Compliance],
    report: Compliance,
    at_risk: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    as_of: str,
    agent_url: str | None = None,
    choices: Mapping[str, Sequence[tuple[str, str]]] | None = None,
    query: Mapping[str, str] | None = None,
) -> str:
    """A lead's page: headline figures, what is at risk first (linked to the agent view),
    the month trend, charts by organization and severity, then the table per group.
    `overall` holds one report per dimension charted (organization, severity, month)."""
    charts = "".join(
        chart(f"{kind.capitalize()} by {dimension}", overall[dimension], kind)
        for dimension in ("organization", "severity")
        if dimension in overall
        for kind in KINDS
    )
    if not report.groups:
        body = '<p class="empty">No SLA ticket matches these filters in this period.</p>'
    else:
        body = (
            _headline(report, len(at_risk))
            + _risk_table(at_risk, agent_url)
            + (trend(overall["month"]) if "month" in overall else "")
            + _legend()
            + f'<div class="charts">{charts}</div>'
            + _groups_table(report, agent_url)
        )
    form = _form(choices, query or {}) if choices else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:80rem}}
header{{display:flex;flex-wrap:wrap;align-items:baseline;gap:1rem}} h1{{margin:0}}
.asof{{color:#555}} .filters label{{margin-right:.8rem}} .filters select{{max-width:12rem}}
.cards{{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0}}
.card{{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem;min-width:9rem}}
.card .label,.card .note{{display:block;color:#555;font-size:.8rem}}
.card .figure{{display:block;font-size:1.8rem;font-weight:700}}
.charts{{display:flex;flex-wrap:wrap;gap:1.5rem}} figure{{margin:1rem 0}}
figcaption{{font-weight:600;margin-bottom:.3rem}} svg text{{font-size:12px;fill:#222}}
svg text.name{{text-anchor:end}} .legend .key{{margin-right:1.2rem}}
.wide{{overflow-x:auto}} table{{border-collapse:collapse;margin-top:1rem;font-size:.85rem}}
caption{{text-align:left;font-weight:600;padding:.3rem 0}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}} th{{background:#f3f3f3}}
table.risk td{{text-align:left}} .empty{{font-size:1.1rem;padding:1rem;background:#f6f6f6}}
section.risk{{background:{RISK_PANEL};padding:.5rem 1rem 1rem;border-radius:6px}}
.none{{font-size:1.1rem;margin:.5rem 0}} table.risk{{background:#fff}}
</style></head><body>
<header><h1>{_esc(title)}</h1><span class="asof">As of {_esc(as_of)}</span></header>
{form}
<p class="scope">{_esc(filters)}</p>
{body}
<p class="asof">Generated by zendesk-sla on {now:%Y-%m-%d %H:%M} UTC.</p>
</body></html>
"""
