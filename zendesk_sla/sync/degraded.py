"""What works less than it should, remembered in the state: a directory read that failed
(retried with back-off, never blocking the ticket path) and the last whole write request
Zendesk refused; each cycle's summary and `health` name them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

import structlog

from zendesk_sla.account.consumption_page import HELP_CENTER_FAILED
from zendesk_sla.core.policy import RefusedRules
from zendesk_sla.store import StateStore
from zendesk_sla.zendesk.errors import RateLimited, ZendeskError
from zendesk_sla.zendesk.jobs import OK, REFUSED, Outcome

DIRECTORY_FAILED = "directory:failed"  # "<failures> <retry at> <error>"
REQUESTS_REFUSED = "writes:request_refused"  # "<at> <what Zendesk answered>"
ORGS_REFUSED = "orgs:request_refused"  # "<attempts> <retry at> <what Zendesk answered>"
FIRST_WAIT, LONGEST_WAIT = 60, 3600  # seconds before the directory is read again

log = structlog.get_logger("zendesk_sla.sync.degraded")


def _counted(store: StateStore, key: str) -> tuple[int, int, str]:
    """(attempts, retry at, what was answered) kept under `key`; zeros when none."""
    failures, _, rest = (store.get(key) or "").partition(" ")
    retry_at, _, error = rest.partition(" ")
    try:
        return int(failures), int(retry_at), error
    except ValueError:
        return 0, 0, ""


def read_directory(read: Callable[[], set[int]], store: StateStore, now: int) -> set[int]:
    """`read` (users, organizations, memberships), unless a failed read is still waiting.
    A failure is logged and remembered; the wait doubles from a minute to an hour. The
    rate-limit budget spent stops the cycle as before."""
    failures, retry_at, _ = _counted(store, DIRECTORY_FAILED)
    if failures and now < retry_at:
        return set()
    try:
        touched = read()
    except RateLimited:
        raise
    except ZendeskError as exc:
        failures += 1
        wait = min(FIRST_WAIT * 2 ** (failures - 1), LONGEST_WAIT)
        with store.transaction():
            store.put(DIRECTORY_FAILED, f"{failures} {now + wait} {str(exc)[:300]}")
        log.error("directory_read_failed", failures=failures, retry_in_seconds=wait, error=str(exc))
        return set()
    if failures:
        with store.transaction():
            store.put(DIRECTORY_FAILED, "")
        log.info("directory_read_again", after_failures=failures)
    return touched


def record_job_outcomes(
    store: StateStore, at: int, in_jobs: Collection[int], outcomes: Sequence[Outcome]
) -> None:
    """Remember the last whole request Zendesk refused, until a job is applied again."""
    refused = [o for o in outcomes if o.result == REFUSED]
    if refused:
        detail = refused[0].detail[:300]
        store.put(REQUESTS_REFUSED, f"{at} {detail}")
        log.error(
            "write_request_refused",
            tickets=len(refused),
            first_tickets=[o.ticket_id for o in refused[:10]],
            detail=detail,
        )
    elif store.get(REQUESTS_REFUSED) and any(
        o.result == OK and o.ticket_id in in_jobs for o in outcomes
    ):
        store.put(REQUESTS_REFUSED, "")
        log.info("write_requests_applied_again")


def org_writes_due(store: StateStore, now: int) -> bool:
    """Organization fields may be written: no refused request is waiting out its back-off."""
    attempts, retry_at, _ = _counted(store, ORGS_REFUSED)
    return not attempts or now >= retry_at


def record_org_outcomes(
    store: StateStore, now: int, outcomes: Sequence[Outcome], rules: RefusedRules
) -> None:
    """A refused organizations update_many waits like a refused ticket write: a minute's
    poll would otherwise resend it without end. Past the last attempt the wait stays the
    longest; the first request Zendesk applies again clears it."""
    refused = [o for o in outcomes if o.result == REFUSED]
    if refused:
        attempts = _counted(store, ORGS_REFUSED)[0] + 1
        wait = rules.wait_after(attempts)
        detail = refused[0].detail[:300]
        store.put(ORGS_REFUSED, f"{attempts} {now + wait} {detail}")
        log.error(
            "organization_request_refused",
            organizations=len(refused),
            attempt=attempts,
            retry_in_seconds=wait,
            detail=detail,
        )
    elif store.get(ORGS_REFUSED) and any(o.result == OK for o in outcomes):
        store.put(ORGS_REFUSED, "")
        log.info("organization_requests_applied_again")


def degraded(store: StateStore) -> list[str]:
    """One line per thing that works less than it should, for the summary and `health`."""
    out = []
    failures, retry_at, error = _counted(store, DIRECTORY_FAILED)
    if failures:
        out.append(f"directory read failed {failures} times (next try at {retry_at}): {error}")
    refused = store.get(REQUESTS_REFUSED)
    if refused:
        at, _, detail = refused.partition(" ")
        out.append(f"Zendesk refused a whole write request (at {at}): {detail}")
    attempts, retry_at, detail = _counted(store, ORGS_REFUSED)
    if attempts:
        out.append(
            f"Zendesk refused the organizations' update {attempts} times "
            f"(next try at {retry_at}): {detail}"
        )
    failed = store.get(HELP_CENTER_FAILED)
    if failed:
        at, _, detail = failed.partition(" ")
        out.append(f"the support center refused a write (at {at}): {detail}")
    return out
