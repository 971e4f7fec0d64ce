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
    "tickets",
)
SEGMENT_PLACEHOLDERS = ("organization", "organization_id")
TICKET_PLACEHOLDERS = ("id", "subject", "date")


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
    ticket_row: str = "<li>#{id} {subject} ({date})</li>"  # each counted ticket, in {tickets}
    no_tickets: str = "<li>-</li>"
    # The page in more languages: (locale, the same texts written in it), as translations
    # of the article; each reader's support center shows their own language.
    translations: tuple[tuple[str, PageTexts], ...] = ()


@dataclass(frozen=True)
class Page:
    organization_id: int
    segment_name: str
    title: str
    body: str
    # Who may read it: the organization's authorized contacts (by id, and by the tag that
    # makes a user one), not every member of the organization.
    readers: tuple[int, ...] = ()
    reader_tag: str = ""
    translations: tuple[tuple[str, str, str], ...] = ()  # (locale, title, body)

    @property
    def access(self) -> dict[str, object]:
        """The user segment's conditions: members of the organization carrying its contact
        tag, and the contacts authorized otherwise (the checkbox) by id."""
        return {
            "user_type": "signed_in_users",
            "organization_ids": [self.organization_id],
            "tags": [self.reader_tag] if self.reader_tag else [],
            "added_user_ids": list(self.readers),
        }

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
    *,
    counted: Sequence[tuple[int, str, date]] = (),
    reader_tag: str = "",
) -> Page:
    """The page for the quota year holding `today` (`included_now`: that year's quota when
    it has no ticket yet; `plan_name`: the plan as the customer knows it; `counted`: every
    ticket that used the quota, (id, subject, created), in any year: the page lists that
    year's)."""
    current = next((y for y in years if y.start <= today < y.end), None)
    if current is not None:
        start, end = current.start, current.end
        included, used, grace = current.included, current.used, current.grace
    else:
        start, end = quota_year(org.contract_start, today)
        included, used, grace = included_now, 0, 0

    def written(words: PageTexts) -> tuple[str, str]:
        def count(value: int | None) -> str:
            return words.unlimited if value is None else str(value)

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
        rows = [
            render(
                words.ticket_row,
                {"id": str(tid), "subject": html.escape(subject or "-"), "date": day_text(made)},
            )
            for tid, subject, made in sorted(counted, key=lambda c: (c[2], c[0]))
            if start <= made < end
        ]
        values["tickets"] = "".join(rows) if rows else words.no_tickets
        return render(words.title, {**values, "organization": name}), render(words.body, values)

    name = org.name or f"#{org.id}"
    segment = render(texts.segment_name, {"organization": name, "organization_id": org.id})
    title, body = written(texts)
    others = tuple((locale, *written(words)) for locale, words in texts.translations)
    readers = tuple(sorted(org.authorized))
    return Page(org.id, segment, title, body, readers, reader_tag, others)
