"""Stored rows -> the core's facts: timelines, ticket facts and organization facts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from zendesk_sla.config import Config
from zendesk_sla.core.facts import OrgFacts, TicketFacts
from zendesk_sla.core.timeline import Comment, StatusChange, Timeline
from zendesk_sla.store import StateStore
from zendesk_sla.store.quota import QuotaRow
from zendesk_sla.zendesk.parse import OrgRow, TicketRow

_YEAR_BUNDLE = re.compile(r"^\s*(\d{4})\s*:\s*(\d+)\s*$")


def moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def timeline(
    row: TicketRow, statuses: Sequence[StatusChange], comments: Sequence[Comment]
) -> Timeline:
    """The stored changes and comments as the clocks read them: the ticket starts new at
    its creation, and the stored ticket's own status has the last word."""
    created = row.created_at
    changes = list(statuses)
    if not changes or changes[0].at > created:
        changes.insert(0, StatusChange(created, "new"))
    if changes[-1].status != row.status and row.status != "deleted":
        # The ticket export can be ahead of the events export: the snapshot's status wins.
        changes.append(StatusChange(max(row.updated_at, changes[-1].at), row.status))
    return Timeline(moment(created), tuple(changes), tuple(comments))


def ticket_facts(
    row: TicketRow,
    statuses: Sequence[StatusChange],
    comments: Sequence[Comment],
    roles: Mapping[int, str],  # the submitter's, at least
    field_names: Mapping[str, str],  # field id (text) -> logical name
    requester_name: str = "",
    requester_locale: str = "",
) -> TicketFacts:
    held = row.custom_fields
    fields = {name: _text(held[fid]) if fid in held else None for fid, name in field_names.items()}
    line = timeline(row, statuses, comments)
    return TicketFacts(
        id=row.id,
        status=row.status,
        tags=frozenset(row.tags),
        fields=fields,
        priority=row.priority,
        subject=row.subject,
        description=row.description,
        via_channel=row.via_channel,
        organization_id=row.organization_id,
        requester_id=row.requester_id,
        updated_stamp=row.updated_stamp,
        timeline=line,
        created_at=line.created_at,
        requester_name=requester_name,
        requester_locale=requester_locale,
        created_by_agent=opened_by_agent(
            row.requester_id, row.submitter_id, roles.get(row.submitter_id or 0)
        ),
    )


def opened_by_agent(requester: int | None, submitter: int | None, role: str | None) -> bool:
    """An agent opened the ticket on the customer's behalf (POLICY 7): someone other than
    the requester, with an agent's role, submitted it."""
    return submitter is not None and submitter != requester and role in ("agent", "admin")


def quota_facts(row: QuotaRow) -> TicketFacts:
    """What a quota recount needs of a ticket (POLICY 8: whether and when it counts), from
    the slim row the store reads for it: no text, fields or history."""
    tid, org, status, via, requester, submitter, submitter_role, created, tags, subject = row
    at = moment(created)
    return TicketFacts(
        id=tid,
        status=status,
        tags=frozenset(tags),
        fields={},
        priority=None,
        subject=subject,
        description="",
        via_channel=via,
        organization_id=org,
        requester_id=requester,
        created_at=at,
        updated_stamp="",
        timeline=Timeline(at, (StatusChange(created, "new"),), ()),
        created_by_agent=opened_by_agent(requester, submitter, submitter_role),
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None  # "2026-13-45": reported at the edge (org_field_problems), ignored here


def _go_live(text: Any) -> tuple[str | None, date] | None:
    """`2026-03-01` or `Portal clientes: 2026-03-01` (a project name, then its go-live)."""
    name, _, day = str(text).rpartition(":") if ":" in str(text) else ("", "", str(text))
    parsed = _date(day.strip())
    return (name.strip() or None, parsed) if parsed else None


def _bundles(raw: Any) -> tuple[dict[int, int], list[str]]:
    """Bundles per year from `{2026: 25}` or `"2026:25, 2027:50"`, and what was not read."""
    bundles: dict[int, int] = {}
    bad: list[str] = []
    pairs: list[tuple[Any, Any]] = []
    if isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif raw:
        for part in str(raw).split(","):
            match = _YEAR_BUNDLE.match(part)
            if match:
                pairs.append((match.group(1), match.group(2)))
            elif part.strip():
                bad.append(part.strip()[:40])
    for year, count in pairs:
        try:
            y, n = int(str(year)), int(str(count))
        except ValueError:
            bad.append(f"{year}: {count}"[:40])
            continue
        if not 2000 <= y < 2100 or n < 0 or n > 100_000:
            bad.append(f"{y}: {n}")
            continue
        bundles[y] = bundles.get(y, 0) + n
    return bundles, bad


def org_field_problems(fields: Mapping[str, Any], keys: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field key, what is wrong) for organization values the worker will ignore."""
    problems: list[tuple[str, str]] = []
    start = fields.get(keys.get("contract_start", ""))
    if start and _date(start) is None:
        problems.append((keys["contract_start"], f"{str(start)[:40]!r} is not a date: ignored"))
    raw = fields.get(keys.get("go_lives", ""))
    parts = raw if isinstance(raw, list | tuple) else str(raw or "").split(",")
    for part in parts:
        if str(part).strip() and _go_live(part) is None:
            problems.append((keys["go_lives"], f"{str(part)[:40]!r} is not a go-live date"))
    _, bad = _bundles(fields.get(keys.get("bundles", "")))
    problems += [(keys["bundles"], f"bundle {b!r} ignored (year: count, count >= 0)") for b in bad]
    return problems


def org_facts(
    row: OrgRow,
    authorized: set[int],
    keys: Mapping[str, str],
    override: Mapping[str, Any] | None = None,
) -> OrgFacts:
    """Organization facts from its Zendesk fields, with the YAML override winning."""
    fields = {logical: row.fields.get(key) for logical, key in keys.items()}
    fields.update({k: v for k, v in (override or {}).items() if v is not None})
    go_lives_raw = fields.get("go_lives") or ""
    parts = go_lives_raw if isinstance(go_lives_raw, list | tuple) else str(go_lives_raw).split(",")
    go_lives = tuple(g for g in (_go_live(p) for p in parts) if g)
    bundles, _ = _bundles(fields.get("bundles"))
    plan = fields.get("plan")
    return OrgFacts(
        id=row.id,
        plan=str(plan) if plan else None,
        authorized=frozenset(authorized),
        name=row.name,
        contract_start=_date(fields.get("contract_start")),
        go_lives=tuple(sorted(go_lives, key=lambda g: g[1])),
        bundles=bundles,
    )


def load_orgs(store: StateStore, config: Config, org_ids: Iterable[int]) -> dict[int, OrgFacts]:
    """Organization facts from the stored organizations, contacts and the YAML overrides."""
    ids = set(org_ids)
    rows = store.orgs(ids)
    authorized = store.authorized(ids)
    keys = {str(k): v for k, v in config.fields.organization_fields.items()}
    overrides = config.raw.organizations
    by_id = {o.id: o.fields() for o in overrides if o.id is not None}
    by_external = {o.external_id: o.fields() for o in overrides if o.external_id}
    return {
        oid: org_facts(
            row,
            authorized.get(oid, set()),
            keys,
            by_id.get(oid) or by_external.get(row.external_id or ""),
        )
        for oid, row in rows.items()
    }
