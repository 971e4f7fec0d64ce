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


def _table(rows: Sequence[Mapping[str, Any]], caption: str) -> str:
    if not rows:
        return ""
    heads = list(rows[0])
    head = "".join(f"<th>{_esc(h.replace('_', ' '))}</th>" for h in heads)
    body = "".join(
        "<tr>" + "".join(f"<td>{_esc(row[h])}</td>" for h in heads) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def page(
    title: str,
    filters: str,
    overall: Mapping[str, Compliance],
    rows: Sequence[Mapping[str, Any]],
    at_risk: Sequence[Mapping[str, Any]],
    now: datetime,
) -> str:
    """`overall` holds one report per dimension charted (organization, severity, month)."""
    charts = "".join(
        chart(f"{kind.capitalize()} by {dimension}", report, kind)
        for dimension, report in overall.items()
        for kind in KINDS
    )
    if not rows:
        body = '<p class="empty">No SLA ticket matches these filters in this period.</p>'
    else:
        body = (
            _legend()
            + f'<div class="charts">{charts}</div>'
            + _table(at_risk, f"At risk now ({len(at_risk)})")
            + ('<p class="none">Nothing is at risk now.</p>' if not at_risk else "")
            + _table(rows, "Compliance per group")
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:90rem}}
.charts{{display:flex;flex-wrap:wrap;gap:1.5rem}} figure{{margin:0}}
figcaption{{font-weight:600;margin-bottom:.3rem}} svg text{{font-size:12px;fill:#222}}
svg text.name{{text-anchor:end}} .legend .key{{margin-right:1.2rem}}
table{{border-collapse:collapse;margin-top:1.5rem;font-size:.85rem}}
caption{{text-align:left;font-weight:600;padding:.3rem 0}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}} th{{background:#f3f3f3}}
.empty,.none{{font-size:1.1rem;padding:1rem;background:#f6f6f6}}
</style></head><body>
<h1>{_esc(title)}</h1>
<p class="filters">{_esc(filters)}</p>
{body}
<p>Generated by zendesk-sla on {now:%Y-%m-%d %H:%M} UTC.</p>
</body></html>
"""
