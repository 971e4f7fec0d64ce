"""What a dry run would write, for a person: a summary first (public notices apart, verdicts
and compliance before -> after), then each ticket's change as old -> new. The details of
thousands of tickets come after what matters."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

from zendesk_sla.core.compliance import JUDGED, KINDS

if TYPE_CHECKING:
    from zendesk_sla.core.consumption import Page
    from zendesk_sla.store import Applied
    from zendesk_sla.sync.evaluate import Evaluation
    from zendesk_sla.sync.recount import Quotas


def _kind(key: str) -> str:
    """A note key's kind: `quota-80:2026-01-01` -> `quota-80`, `sla:plus:major` -> `sla`."""
    return key.split(":", 1)[0]


def _state(record: Applied | None, kind: str) -> str | None:
    if record is None or not record.eligible:
        return None
    return record.response_state if kind == "response" else record.resolution_state


def _met_rate(records: list[Applied | None], kind: str) -> str:
    states = [_state(r, kind) for r in records]
    judged = sum(s in JUDGED for s in states)
    if not judged:
        return "-"
    return f"{states.count('met') / judged:.1%} met of {judged} judged"


class ChangeReport:
    """Collects each planned change once (a dry run's sweep sees the poll's tickets again),
    and every ticket's verdict before and after."""

    def __init__(self) -> None:
        self.changes: dict[int, Evaluation] = {}
        self.before: dict[int, Applied | None] = {}
        self.after: dict[int, Applied] = {}
        self.org_fields: dict[int, tuple[str, dict[str, tuple[object, object]]]] = {}
        self.pages: dict[int, str] = {}  # organization id -> its page's title

    def quotas(self, quotas: Quotas, stale: list[Page]) -> None:
        """An organization-level plan: quota fields to write, consumption pages to publish."""
        self.org_fields.update(quotas.field_changes)
        self.pages.update({p.organization_id: p.title for p in stale})

    def __call__(self, evaluation: Evaluation) -> None:
        change = evaluation.change
        if change is not None and change.ticket_id not in self.changes:
            self.changes[change.ticket_id] = evaluation

    def evaluated(self, evaluation: Evaluation) -> None:
        ticket_id = evaluation.facts.id
        self.before.setdefault(ticket_id, evaluation.before)
        if evaluation.after is not None:
            self.after[ticket_id] = evaluation.after

    @property
    def seen(self) -> set[int]:
        return set(self.changes)

    def _moved(self) -> tuple[list[int], list[int], list[int]]:
        """Tickets whose due times, clock states, or final verdict on a closed ticket change."""
        due, state, closed = [], [], []
        for tid, new in sorted(self.after.items()):
            old = self.before.get(tid)
            if old is None:
                continue
            if (old.response_due, old.resolution_due) != (new.response_due, new.resolution_due):
                due.append(tid)
            if (old.response_state, old.resolution_state) != (
                new.response_state,
                new.resolution_state,
            ):
                state.append(tid)
                ev = self.changes.get(tid)
                if ev is None and any(_state(old, k) in JUDGED for k in KINDS):
                    closed.append(tid)
        return due, state, closed

    def summary(self) -> list[str]:
        changes = [e.change for e in self.changes.values() if e.change is not None]
        public = sorted((c.ticket_id, n.key) for c in changes for n in c.notes if n.public)
        internal = Counter(_kind(n.key) for c in changes for n in c.notes if not n.public)
        added = Counter(t for c in changes for t in c.add_tags)
        removed = Counter(t for c in changes for t in c.remove_tags)
        closes = sorted(c.ticket_id for c in changes if c.status)
        fields = sum(1 for c in changes if c.fields)
        out = [f"{len(changes)} tickets would change."]
        out.append(f"Public comments to customers: {len(public)}")
        out += [f"  #{tid}  {_kind(key)}" for tid, key in public]
        shown = ", ".join(f"#{t}" for t in closes[:20]) + (" ..." if len(closes) > 20 else "")
        out.append(f"Tickets solved: {len(closes)}" + (f" ({shown})" if closes else ""))
        out.append(f"Internal notes: {sum(internal.values())}")
        out += [f"  {kind:<18} {count}" for kind, count in internal.most_common()]
        out.append(f"Tickets whose SLA fields change: {fields}")
        out.append("Tags added / removed:")
        for tag in sorted(set(added) | set(removed)):
            out.append(f"  {tag:<30} +{added[tag]:<6} -{removed[tag]}")
        out.append(f"Organizations whose quota fields change: {len(self.org_fields)}")
        out.append(f"Consumption pages to publish or rewrite: {len(self.pages)}")
        return out + self.verdicts()

    def organizations(self) -> list[str]:
        out = []
        for org_id, (name, moved) in sorted(self.org_fields.items()):
            parts = [f"{k}: {'(empty)' if a is None else a} -> {b}" for k, (a, b) in moved.items()]
            out.append(f"organization {org_id} ({name})  " + "  ".join(parts))
        out += [f"organization {o}  page: {t!r}" for o, t in sorted(self.pages.items())]
        return out

    def verdicts(self) -> list[str]:
        """How due times, states and compliance move (tickets judged before and after)."""
        if not self.after:
            return []
        due, state, closed = self._moved()
        out = [
            f"Tickets whose due time changes: {len(due)}",
            f"Tickets whose SLA state changes: {len(state)}",
            f"Judged tickets whose verdict changes with no write: {len(closed)}",
        ]
        ids = sorted(t for t in self.after if self.before.get(t) is not None)
        fresh = len(self.after) - len(ids)
        if fresh:
            out.append(f"Tickets judged for the first time: {fresh} (not in the rates below)")
        for kind in KINDS:
            old = _met_rate([self.before.get(t) for t in ids], kind)
            new = _met_rate([self.after[t] for t in ids], kind)
            out.append(f"Compliance, {kind}: {old} -> {new}")
        return out

    def details(self) -> list[str]:
        out = []
        for ticket_id in sorted(set(self.changes) | set(self._moved()[1])):
            parts = [f"#{ticket_id}"]
            old, new = self.before.get(ticket_id), self.after.get(ticket_id)
            for kind in KINDS:
                was, now = _state(old, kind), _state(new, kind)
                if old is not None and was != now:
                    parts.append(f"{kind}: {was or '-'} -> {now or '-'}")
            evaluation = self.changes.get(ticket_id)
            change = evaluation.change if evaluation else None
            if evaluation is not None and change is not None:
                parts += [f"+{t}" for t in change.add_tags] + [f"-{t}" for t in change.remove_tags]
                for name, value in change.fields.items():
                    was_value = evaluation.facts.fields.get(name)
                    parts.append(f"{name}: {was_value or '(empty)'} -> {value or '(clear)'}")
                parts += [f"note:{n.key}{'(public)' if n.public else ''}" for n in change.notes]
                if change.status:
                    parts.append(f"status: {evaluation.facts.status} -> {change.status}")
            out.append("  ".join(parts))
        return out

    def write(self, out: TextIO) -> None:
        lines = [
            "== summary",
            *self.summary(),
            "== each organization (old -> new)",
            *self.organizations(),
            "== each ticket (old -> new)",
            *self.details(),
        ]
        print("\n".join(lines), file=out)
