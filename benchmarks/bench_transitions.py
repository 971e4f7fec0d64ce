"""How late at-risk and breach tags land, over a simulated week of the sample account.

The sandbox's clock is simulated (wall time plus an offset, so the worker's own
processing time counts as lateness). A script plays a week of new tickets during
business hours (urgent to low), agent replies and solves; the worker polls a
minute after each change (an empty poll changes nothing, so the others are not
played) and, in `exact` mode, wakes up at its earliest recorded transition plus
an hourly safety sweep; in `sweep` mode (the previous design) it sweeps every 15
minutes. For every at-risk, breached or over-target tag the worker added, the
exact moment is found from the clocks alone (bisecting the ticket's state in
time), and the lateness is the audit's time minus that moment.

Run: .venv/bin/python benchmarks/bench_transitions.py [--tickets 300] [--days 7]
Target: p50 and p99 lateness <= 60 s in exact mode; requests spent per mode.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo

from zendesk_sla.account.fields import provision
from zendesk_sla.app import App
from zendesk_sla.config import load_config
from zendesk_sla.core.clocks import sla_clocks
from zendesk_sla.ops.logs import configure
from zendesk_sla.sandbox.account import Account
from zendesk_sla.sandbox.serve import Clock, build_sandbox, sandbox_settings
from zendesk_sla.sandbox.server import RateLimits
from zendesk_sla.sync.timelines import timeline

ROOT = Path(__file__).resolve().parent.parent
MADRID = ZoneInfo("Europe/Madrid")
TAGS = {
    "sla_at_risk": lambda c: "at_risk" in (c.response.state, c.resolution.state),
    "sla_response_breached": lambda c: c.response.state == "breached",
    "sla_resolution_breached": lambda c: c.resolution.state == "breached",
    "sla_response_over_target": lambda c: c.response.state == "over_target",
}


def script(account: Account, start: float, days: int, rng: random.Random) -> list[tuple]:
    """(when, action, ticket spec): new tickets each business hour, replies and solves."""
    people = [
        (u.id, u.organization_id)
        for u in account.users.values()
        if u.role == "end-user" and u.user_fields.get("sla_authorized_contact")
    ]
    agent = next(u.id for u in account.users.values() if u.role == "agent")
    events: list[tuple] = []
    for hour in range(days * 24):
        at = start + hour * 3600
        local = datetime.fromtimestamp(at, MADRID)
        if local.weekday() >= 5 or not 8 <= local.hour < 19:
            continue
        for _ in range(3):
            who, org = rng.choice(people)
            when = at + rng.randrange(3600)
            priority = rng.choice(["urgent", "high", "normal", "low"])
            key = len(events)
            events.append((when, "create", (key, who, org, priority)))
            if rng.random() < 0.6:
                events.append((when + rng.randrange(600, 8 * 3600), "reply", (key, agent)))
            if rng.random() < 0.5:
                events.append((when + rng.randrange(3600, 3 * 86400), "solve", (key, agent)))
    return sorted(events, key=lambda e: e[0])


def play(account: Account, action: str, spec: tuple, created: dict[int, int]) -> None:
    with account.lock:
        if action == "create":
            key, who, org, priority = spec
            body = {
                "subject": "Incidencia en la plataforma",
                "comment": {"body": "No podemos trabajar con normalidad desde hace un rato."},
                "requester_id": who,
                "organization_id": org,
                "priority": priority,
            }
            created[key] = account.create_ticket(body, who, via="email").id
            return
        key, agent = spec
        ticket_id = created.get(key)
        if ticket_id is None or account.tickets[ticket_id].status in ("solved", "closed"):
            return
        if action == "reply":
            change = {"comment": {"body": "Lo estamos revisando.", "public": True}}
            account.update_ticket(ticket_id, {**change, "status": "open"}, agent)
        else:
            account.update_ticket(ticket_id, {"status": "solved"}, agent)


def exact_moment(app: App, ticket_id: int, tag: str, landed: int) -> int | None:
    """The first second from which the clocks alone put `tag` on the ticket, before `landed`."""
    store = app.store
    applied = store.applied_for([ticket_id]).get(ticket_id)
    if applied is None or not applied.plan or not applied.severity:
        return None
    row = store.tickets([ticket_id])[ticket_id]
    statuses = store.status_changes([ticket_id]).get(ticket_id, [])
    line = timeline(row, statuses, store.comments([ticket_id]).get(ticket_id, []))
    terms = app.config.policy.in_force(line.created_at)
    third = terms.tags.third_party in row.tags
    holds: Callable[[int], bool] = lambda t: TAGS[tag](  # noqa: E731
        sla_clocks(
            terms,
            applied.plan,
            applied.severity,
            line,
            datetime.fromtimestamp(t, UTC),
            third_party=third,
        )
    )
    if not holds(landed):
        return None
    # Walk back a minute at a time to the last moment the tag did not hold (a tag can come,
    # go and come back: at risk, then breached, then the other clock at risk), then bisect.
    first = int(line.created_at.timestamp())
    high = landed
    low = high - 60
    while low > first and holds(low):
        high, low = low, low - 60
        if landed - low > 8 * 86400:
            return None
    low = max(low, first)
    if holds(low):
        return None
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if not holds(middle) else (low, middle)
    return high


def simulate(mode: str, tickets: int, days: int, seed: int) -> dict[str, object]:
    clock = Clock()
    server = build_sandbox(tickets=tickets, seed=seed, clock=clock, limits=RateLimits(0, 0))
    with server, TemporaryDirectory() as tmp:
        config = load_config(ROOT / "config" / "athento.yaml")
        config.raw.sync.__dict__.update(
            initial_lookback_days=0,
            job_poll_interval_seconds=0.01,
            incremental_exports_per_minute=0,
            note_settle_seconds=0,
        )
        settings = sandbox_settings(server.url, zendesk_sla_state=Path(tmp) / "state.sqlite3")
        app = App(settings, config, clock=lambda: datetime.fromtimestamp(clock(), UTC))
        provision(app.gateway, config)
        worker = app.worker()
        worker.run_cycle()
        worker.run_sweep()
        account = server.sandbox.account
        start = clock()
        audits_before = len(account.audits)
        plan = script(account, start, days, random.Random(seed))
        meter, spent = app.session.meter, app.session.meter.total()
        wakes: list[tuple[float, str]] = []
        for when, _, _ in plan:
            heapq.heappush(wakes, ((when // 60 + 1) * 60, "poll"))  # the next minute's poll
        every = 3600 if mode == "exact" else 900
        for n in range(1, days * 86400 // every + 1):
            heapq.heappush(wakes, (start + n * every, "sweep"))
        created: dict[int, int] = {}
        cursor, end, runs = 0, start + days * 86400, {"poll": 0, "sweep": 0, "transitions": 0}
        while True:
            nxt = worker.next_transition() if mode == "exact" else None
            candidates = [wakes[0][0]] if wakes else []
            if nxt is not None:
                candidates.append(nxt.timestamp())
            if cursor < len(plan):
                candidates.append(plan[cursor][0])
            at = min(candidates, default=end)
            if at >= end:
                break
            clock.advance(at - clock())
            while cursor < len(plan) and plan[cursor][0] <= clock():
                play(account, plan[cursor][1], plan[cursor][2], created)
                cursor += 1
            if nxt is not None and nxt.timestamp() <= clock():
                worker.run_transitions()
                runs["transitions"] += 1
            while wakes and wakes[0][0] <= clock():
                _, kind = heapq.heappop(wakes)
                (worker.run_cycle if kind == "poll" else worker.run_sweep)()
                runs[kind] += 1
        spent = meter.total() - spent
        late: list[float] = []
        for audit in account.audits[audits_before:]:
            if audit.author_id != account.api_user_id:
                continue
            for child in audit.children:
                added = set(child.get("tags") or []) - set(child.get("previous_value") or [])
                for tag in added & set(TAGS):
                    moment = exact_moment(app, audit.ticket_id, tag, audit.timestamp)
                    if moment is not None:
                        late.append(audit.timestamp - moment)
        app.close()
    return {"late": sorted(late), "runs": runs, "requests": spent, "tickets": len(created)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--mode", choices=("exact", "sweep", "both"), default="both")
    args = parser.parse_args()
    configure("WARNING", "console")
    for mode in ("exact", "sweep") if args.mode == "both" else (args.mode,):
        started = time.perf_counter()
        out = simulate(mode, args.tickets, args.days, args.seed)
        late: list[float] = out["late"]  # type: ignore[assignment]
        if not late:
            print(f"{mode}: no transition observed")
            continue
        p50 = statistics.median(late)
        p99 = late[min(len(late) - 1, int(0.99 * len(late)))]
        print(
            f"{mode:<6} {len(late):>4} tags over {args.days} simulated days "
            f"({out['tickets']} new tickets): lateness p50 {p50:.0f} s, p99 {p99:.0f} s, "
            f"max {late[-1]:.0f} s; {out['requests']} requests "
            f"(runs: {out['runs']}); {time.perf_counter() - started:.0f} s to simulate"
        )


if __name__ == "__main__":
    main()
