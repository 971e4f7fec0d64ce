"""The worker's durable state (SQLite or PostgreSQL), split by what it keeps.

A cache of Zendesk plus the worker's own bookkeeping: cursors, ticket
snapshots and timelines, the directory, what was applied, note intents,
quota ledgers, retries and a log of cycles.
"""

from __future__ import annotations

from zendesk_sla.store.applied import AppliedStore
from zendesk_sla.store.base import StateError
from zendesk_sla.store.cursors import CursorStore
from zendesk_sla.store.cycles import CycleStore
from zendesk_sla.store.notes import NoteStore
from zendesk_sla.store.quota import QuotaStore
from zendesk_sla.store.rejects import RejectStore
from zendesk_sla.store.retries import RetryStore
from zendesk_sla.store.schema import PENDING, SENT, Applied
from zendesk_sla.store.verdicts import VerdictStore


class StateStore(
    AppliedStore,
    CursorStore,
    NoteStore,
    RetryStore,
    QuotaStore,
    RejectStore,
    CycleStore,
    VerdictStore,
):
    """Every part of the state behind one object, on one connection."""


__all__ = ["PENDING", "SENT", "Applied", "StateError", "StateStore"]
