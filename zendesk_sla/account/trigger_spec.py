"""The one shape of trigger `setup` makes: it tells people once a ticket, while the ticket
carries a tag the worker set and not yet the mark the trigger adds."""

from __future__ import annotations

from typing import Any

from zendesk_sla.zendesk.gateway import ZendeskGateway

# Assigned or not: (title suffix, assignee operator); the alerts' titles name the group.
ASSIGNED, UNASSIGNED = "is_not", "is"


def once_trigger(
    title: str, tag: str, marker: str, assignee: str, actions: list[dict[str, Any]]
) -> dict[str, Any]:
    """Fires on an unsolved ticket with `tag` and without `marker`, assigned (`assignee`
    ASSIGNED) or not (UNASSIGNED); its `actions`, then `marker` added."""
    return {
        "title": title,
        "active": True,
        "conditions": {
            "all": [
                {"field": "current_tags", "operator": "includes", "value": tag},
                {"field": "current_tags", "operator": "not_includes", "value": marker},
                {"field": "status", "operator": "less_than", "value": "solved"},
                {"field": "assignee_id", "operator": assignee, "value": ""},
            ],
            "any": [],
        },
        "actions": [*actions, {"field": "current_tags", "value": marker}],
    }


def ensure_triggers(
    gateway: ZendeskGateway, specs: list[dict[str, Any]], existing: dict[Any, dict[str, Any]]
) -> list[tuple[str, int, bool]]:
    """(title, id, created now) of each trigger, created when none has its title."""
    out = []
    for spec in specs:
        found = existing.get(spec["title"])
        if found is None:
            found = gateway.create_record("triggers", "trigger", spec)
        out.append((spec["title"], int(found["id"]), spec["title"] not in existing))
    return out
