"""An organization's ticket consumption as a support-center page its contacts can read.

The page shows the quota year holding `today` (its dates), the tickets
included (plan plus bundles), used and remaining, the bundles and the tickets
in go-live grace. Texts are YAML templates (Spanish by default); every value
is HTML-escaped before it goes into the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from zendesk_sla.core.facts import OrgFacts
from zendesk_sla.core.quota import QuotaYear, quota_year
from zendesk_sla.core.stamps import day_text, last_day_text
from zendesk_sla.core.templates import render

PAGE_PLACEHOLDERS = (
    "organization",
    "plan",
    "year_start",
    "year_end",
    "included",
    "used",
    "remaining",
    "bundles",
    "grace",
    "as_of",
)
SEGMENT_PLACEHOLDERS = ("organization", "organization_id")


@dataclass(frozen=True)
class PageTexts:
    """The support-center page: where it lives and what it says."""

    locale: str = "es"
    category: str = "Contract"
    section: str = "Ticket consumption"
    segment_name: str = "{organization} (#{organization_id})"
    title: str = "{organization}: tickets"
    body: str = "{used} / {included}"
    unlimited: str = "unlimited"


@dataclass(frozen=True)
class Page:
    organization_id: int
    segment_name: str
    title: str
    body: str

    @property
    def label(self) -> str:
        """The article's label: how the worker finds its page again after losing its state."""
        return f"sla-consumo-{self.organization_id}"


def consumption_page(
    texts: PageTexts,
    org: OrgFacts,
    years: Sequence[QuotaYear],
    included_now: int | None,
    today: date,
    plan_name: str | None = None,
) -> Page:
    """The page for the quota year holding `today` (`included_now`: that year's quota when
    it has no ticket yet; `plan_name`: the plan as the customer knows it)."""
    current = next((y for y in years if y.start <= today < y.end), None)
    if current is not None:
        start, end = current.start, current.end
        included, used, grace = current.included, current.used, current.grace
    else:
        start, end = quota_year(org.contract_start, today)
        included, used, grace = included_now, 0, 0

    def count(value: int | None) -> str:
        return texts.unlimited if value is None else str(value)

    name = org.name or f"#{org.id}"
    values = {
        "organization": html.escape(name),
        "plan": html.escape(plan_name or org.plan or ""),
        "year_start": day_text(start),
        "year_end": last_day_text(end),
        "included": count(included),
        "used": str(used),
        "remaining": count(None if included is None else max(included - used, 0)),
        "bundles": str(org.bundles.get(start.year, 0)),
        "grace": str(grace),
        "as_of": day_text(today),
    }
    segment = render(texts.segment_name, {"organization": name, "organization_id": org.id})
    title = render(texts.title, {**values, "organization": name})
    return Page(org.id, segment, title, render(texts.body, values))
