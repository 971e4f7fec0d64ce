"""The state's schema: its migrations, the note states, and the row of what was applied."""

from __future__ import annotations

from typing import NamedTuple

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY, status TEXT NOT NULL, priority TEXT, subject TEXT NOT NULL,
        description TEXT NOT NULL, via_channel TEXT NOT NULL, organization_id INTEGER,
        requester_id INTEGER, tags TEXT NOT NULL, custom_fields TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        generated_timestamp INTEGER NOT NULL, updated_stamp TEXT NOT NULL
    );
    CREATE INDEX tickets_status ON tickets(status);
    CREATE INDEX tickets_org ON tickets(organization_id, created_at);
    CREATE TABLE events (
        event_id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, at INTEGER NOT NULL,
        kind TEXT NOT NULL, status TEXT, public INTEGER NOT NULL, author_id INTEGER,
        automated INTEGER NOT NULL
    );
    CREATE INDEX events_ticket ON events(ticket_id, at);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY, role TEXT NOT NULL, organization_id INTEGER, authorized INTEGER,
        name TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX users_org ON users(organization_id);
    CREATE TABLE orgs (id INTEGER PRIMARY KEY, name TEXT, external_id TEXT, fields TEXT NOT NULL);
    CREATE TABLE applied (
        ticket_id INTEGER PRIMARY KEY, organization_id INTEGER, plan TEXT, severity TEXT,
        eligible INTEGER NOT NULL, response_state TEXT, resolution_state TEXT,
        response_due TEXT, resolution_due TEXT, created_at INTEGER, evaluated_at INTEGER,
        written_plan TEXT, written_severity TEXT, reason TEXT
    );
    CREATE TABLE notes (
        ticket_id INTEGER NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (ticket_id, key)
    );
    CREATE TABLE quota (
        ticket_id INTEGER PRIMARY KEY, organization_id INTEGER NOT NULL, year_start TEXT NOT NULL,
        state TEXT NOT NULL, position INTEGER, notes TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX quota_org ON quota(organization_id, year_start);
    CREATE TABLE quota_years (
        organization_id INTEGER NOT NULL, year_start TEXT NOT NULL, year_end TEXT NOT NULL,
        included INTEGER, used INTEGER NOT NULL, grace INTEGER NOT NULL, exempt INTEGER NOT NULL,
        PRIMARY KEY (organization_id, year_start)
    );
    CREATE TABLE dirty (ticket_id INTEGER PRIMARY KEY, reason TEXT NOT NULL, at INTEGER NOT NULL);
    CREATE TABLE cycles (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, started REAL NOT NULL,
        finished REAL, ok INTEGER, summary TEXT
    );
    """,
    # 2: refused writes are retried a bounded number of times, then handed to an agent.
    """
    ALTER TABLE dirty ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE dirty ADD COLUMN retry_at INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE refused (
        ticket_id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL, reason TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    """,
    # 3: who submitted a ticket (an agent on the customer's behalf), organization memberships.
    """
    ALTER TABLE tickets ADD COLUMN submitter_id INTEGER;
    CREATE TABLE memberships (
        user_id INTEGER NOT NULL, organization_id INTEGER NOT NULL,
        PRIMARY KEY (user_id, organization_id)
    );
    CREATE INDEX memberships_org ON memberships(organization_id);
    """,
    # 4: records and fields Zendesk sent that the worker could not read.
    """
    CREATE TABLE rejects (
        kind TEXT NOT NULL, record_id TEXT NOT NULL, field TEXT NOT NULL, reason TEXT NOT NULL,
        first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, seen INTEGER NOT NULL,
        PRIMARY KEY (kind, record_id, field)
    );
    """,
    # 5: when each ticket's state next changes with time alone (exact-time transitions).
    """
    ALTER TABLE applied ADD COLUMN next_at INTEGER;
    CREATE INDEX applied_next ON applied(next_at);
    """,
    # 6: which contract terms judged each ticket (a re-evaluation re-judges only the others).
    """
    ALTER TABLE applied ADD COLUMN terms TEXT;
    """,
    # 7: the severity classifier's verdicts, per rules and text (a restart or a
    # re-evaluation reads them back instead of reading every text again).
    """
    CREATE TABLE text_verdicts (
        rules TEXT NOT NULL, text_key TEXT NOT NULL, verdict TEXT NOT NULL,
        PRIMARY KEY (rules, text_key)
    );
    """,
    # 8: which quota terms each organization's ledger was last counted under (a
    # re-evaluation recounts only the organizations whose quota terms changed).
    """
    CREATE TABLE quota_terms (organization_id INTEGER PRIMARY KEY, digest TEXT NOT NULL);
    """,
    # 9: each user's language, for the texts customers read (notices, closings), and the
    # organizations a user is an authorized contact of by a tag (`sla_contact_<id>`).
    """
    ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
    CREATE TABLE contacts (
        user_id INTEGER NOT NULL, organization_id INTEGER NOT NULL,
        PRIMARY KEY (user_id, organization_id)
    );
    CREATE INDEX contacts_org ON contacts(organization_id);
    """,
)


PENDING, SENT = "pending", "sent"


# A tuple: one is read and one is made for every ticket a range re-decides.
class Applied(NamedTuple):
    ticket_id: int
    organization_id: int | None
    plan: str | None
    severity: str | None
    eligible: bool
    response_state: str | None
    resolution_state: str | None
    response_due: str | None
    resolution_due: str | None
    created_at: int
    reason: str | None = None
    next_at: int | None = None  # epoch: when time alone next changes its decision
    terms: str | None = None  # the digest of the contract terms that judged it
