"""What a dry run would write, for a person: a summary first (public notices apart), then
each ticket's change. The details of thousands of tickets come after what matters."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from zendesk_sla.core.changes import TicketChange
    from zendesk_sla.evaluate import Evaluation


def _kind(key: str) -> str:
    """A note key's kind: `quota-80:2026-01-01` -> `quota-80`, `sla:plus:major` -> `sla`."""
    return key.split(":", 1)[0]


class ChangeReport:
    """Collects each planned change once (a dry run's sweep sees the poll's tickets again)."""

    def __init__(self) -> None:
        self.changes: dict[int, TicketChange] = {}

    def __call__(self, evaluation: Evaluation) -> None:
        change = evaluation.change
        if change is not None and change.ticket_id not in self.changes:
            self.changes[change.ticket_id] = change

    @property
    def seen(self) -> set[int]:
        return set(self.changes)

    def summary(self) -> list[str]:
        public = sorted(
            (c.ticket_id, n.key) for c in self.changes.values() for n in c.notes if n.public
        )
        internal = Counter(
            _kind(n.key) for c in self.changes.values() for n in c.notes if not n.public
        )
        added = Counter(t for c in self.changes.values() for t in c.add_tags)
        removed = Counter(t for c in self.changes.values() for t in c.remove_tags)
        closes = sorted(c.ticket_id for c in self.changes.values() if c.status)
        fields = sum(1 for c in self.changes.values() if c.fields)
        out = [f"{len(self.changes)} tickets would change."]
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
        return out

    def details(self) -> list[str]:
        out = []
        for ticket_id in sorted(self.changes):
            change = self.changes[ticket_id]
            parts = [f"#{ticket_id}"]
            parts += [f"+{t}" for t in change.add_tags] + [f"-{t}" for t in change.remove_tags]
            parts += [f"{k}={v if v is not None else '(clear)'}" for k, v in change.fields.items()]
            parts += [f"note:{n.key}{'(public)' if n.public else ''}" for n in change.notes]
            if change.status:
                parts.append(f"status={change.status}")
            out.append("  ".join(parts))
        return out

    def write(self, out: TextIO) -> None:
        lines = ["== summary", *self.summary(), "== each ticket", *self.details()]
        print("\n".join(lines), file=out)
