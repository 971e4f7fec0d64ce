"""Business rules: views and triggers, listed and created as the Support API does, refusals
included.

A view must test at least one of status, type, group, assignee or requester
among its ALL conditions (Zendesk refuses it otherwise), and its columns come
from the API reference's View columns table (custom fields by numeric id, at
most 10; Subject is `description`, which cannot sort); a trigger needs a
title, at least one condition and one action. Conditions and actions are
checked against the fields Zendesk knows (custom ticket fields as
`custom_fields_<id>`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from zendesk_sla.sandbox.errors import ApiError, not_found
from zendesk_sla.sandbox.model import Json, iso
from zendesk_sla.sandbox.routing import Reply, Routes, json_reply, paged
from zendesk_sla.sandbox.webhooks import Webhooks

VIEW_ANCHORS = {"status", "type", "group_id", "assignee_id", "requester_id"}
CONDITION_FIELDS = VIEW_ANCHORS | {
    "current_tags",
    "priority",
    "organization_id",
    "update_type",
    "via_id",
    "brand_id",
    "ticket_form_id",
    "satisfaction_score",
    "current_via_id",
}
ACTION_FIELDS = {
    "notification_user",
    "notification_group",
    "notification_webhook",
    "current_tags",
    "set_tags",
    "remove_tags",
    "priority",
    "status",
    "group_id",
    "assignee_id",
}
OPERATORS = {
    "is",
    "is_not",
    "less_than",
    "greater_than",
    "includes",
    "not_includes",
    "changed",
    "value",
    "value_previous",
    "not_changed",
}
CUSTOM = re.compile(r"^custom_fields_\d+$")
# View columns (output.columns) as the API reference lists them; a custom field is given by
# its numeric id. Subject is `description`; three columns cannot sort or group.
VIEW_COLUMNS = {
    "assigned": "Assigned",
    "assignee": "Assignee",
    "due_date": "Due Date",
    "group": "Group",
    "nice_id": "ID",
    "updated": "Updated",
    "updated_assignee": "Assignee updated",
    "updated_requester": "Requester updated",
    "updated_by_type": "Updater",
    "organization": "Organization",
    "priority": "Priority",
    "created": "Requested",
    "requester": "Requester",
    "locale_id": "Requester language",
    "satisfaction_score": "Satisfaction",
    "solved": "Solved",
    "status": "Status category",
    "description": "Subject",
    "submitter": "Submitter",
    "ticket_form": "Ticket form",
    "type": "Type",
    "brand": "Brand",
    "custom_status_id": "Ticket status",
}
UNSORTABLE = {"description", "submitter", "custom_status_id"}
MAX_COLUMNS = 10


def _invalid(description: str) -> ApiError:
    return ApiError(422, {"error": "RecordInvalid", "description": description, "details": {}})


def _conditions(spec: Json, kind: str) -> tuple[list[Json], list[Json]]:
    conditions = spec.get("conditions") if kind == "trigger" else None
    source = conditions if isinstance(conditions, dict) else spec
    every, some = source.get("all") or [], source.get("any") or []
    if not isinstance(every, list) or not isinstance(some, list):
        raise _invalid("Conditions must be lists")
    for condition in every + some:
        name = condition.get("field") if isinstance(condition, dict) else None
        if not isinstance(name, str) or not (name in CONDITION_FIELDS or CUSTOM.match(name)):
            raise _invalid(f"Invalid condition field: {name!r}")
        if condition.get("operator") not in OPERATORS:
            raise _invalid(f"Invalid operator {condition.get('operator')!r} for {name}")
    return every, some


def _column(value: Any, fields: dict[int, str]) -> Json:
    """One view column as the response lists it; a column Zendesk does not know is refused
    (what Zendesk itself answers to one is not recorded: notes, section 7)."""
    if isinstance(value, str) and value in VIEW_COLUMNS:
        return {"id": value, "title": VIEW_COLUMNS[value]}
    number = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.isdigit():
        number = int(value)
    if number is not None and number in fields:
        return {"id": number, "title": fields[number]}
    raise _invalid(f"Invalid view column: {value!r}")


def _output(output: Any, fields: dict[int, str]) -> Json:
    """`output` of a view request, checked against the View columns table."""
    output = output or {}
    if not isinstance(output, dict):
        raise _invalid("Output must be an object")
    columns = [_column(c, fields) for c in output.get("columns") or []]
    if len(columns) > MAX_COLUMNS:
        raise _invalid(f"A view can have at most {MAX_COLUMNS} columns")
    for key in ("sort_by", "group_by"):
        value = output.get(key)
        if value is None:
            continue
        column = _column(value, fields)
        if column["id"] in UNSORTABLE:
            raise _invalid(f"Invalid {key}: {value!r} cannot sort or group a view")
    for key in ("sort_order", "group_order"):
        if output.get(key, "asc") not in ("asc", "desc"):
            raise _invalid(f"Invalid {key}: {output.get(key)!r}")
    return {
        "group_by": output.get("group_by"),
        "group_order": output.get("group_order", "asc"),
        "sort_by": output.get("sort_by"),
        "sort_order": output.get("sort_order", "asc"),
        "columns": columns,
    }


class Rules:
    """Views and triggers of one account. Callers hold the account lock."""

    def __init__(self, new_id: Callable[[], int]) -> None:
        self._new_id = new_id
        self.views: dict[int, Json] = {}
        self.triggers: dict[int, Json] = {}
        self.webhooks = Webhooks()
        self.base_url = ""

    def create_view(
        self, spec: Any, now: int, base: str, fields: dict[int, str] | None = None
    ) -> Json:
        """`fields`: the account's ticket fields (id -> title), for custom columns."""
        if not isinstance(spec, dict) or not spec.get("title"):
            raise _invalid("Title: cannot be blank")
        every, some = _conditions(spec, "view")
        if not {c["field"] for c in every} & VIEW_ANCHORS:
            raise _invalid(
                "You must test for at least one of the following ticket properties in the "
                "ALL conditions section: Status, Type, Group, Assignee, Requester."
            )
        execution = _output(spec.get("output"), fields or {})
        vid = self._new_id()
        view = {
            "url": f"{base}/api/v2/views/{vid}.json",
            "id": vid,
            "title": spec["title"],
            "raw_title": spec["title"],
            "active": bool(spec.get("active", True)),
            "position": int(spec.get("position", len(self.views) + 1)),
            "description": spec.get("description"),
            "default": False,
            "restriction": spec.get("restriction"),
            "execution": execution,
            "conditions": {"all": every, "any": some},
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        self.views[vid] = view
        return view

    def create_trigger(self, spec: Any, now: int, base: str) -> Json:
        if not isinstance(spec, dict) or not spec.get("title"):
            raise _invalid("Title: cannot be blank")
        every, some = _conditions(spec, "trigger")
        if not every and not some:
            raise _invalid("Conditions: cannot be blank")
        actions = spec.get("actions") or []
        if not actions:
            raise _invalid("Actions: cannot be blank")
        for action in actions:
            if not isinstance(action, dict) or action.get("field") not in ACTION_FIELDS:
                raise _invalid(f"Invalid action: {action!r}")
            value = action.get("value")
            size = 2 if action["field"] == "notification_webhook" else 3  # [id, body]
            if action["field"].startswith("notification_") and not (
                isinstance(value, list) and len(value) == size  # [recipient, subject, body]
            ):
                raise _invalid(f"Invalid value for {action['field']}: {value!r}")
        tid = self._new_id()
        trigger = {
            "url": f"{base}/api/v2/triggers/{tid}.json",
            "id": tid,
            "title": spec["title"],
            "raw_title": spec["title"],
            "active": bool(spec.get("active", True)),
            "position": int(spec.get("position", len(self.triggers) + 1)),
            "description": spec.get("description"),
            "default": False,
            "category_id": spec.get("category_id"),
            "conditions": {"all": every, "any": some},
            "actions": actions,
            "created_at": iso(now),
            "updated_at": iso(now),
        }
        self.triggers[tid] = trigger
        return trigger

    def update_trigger(self, tid: int, spec: Any, now: int) -> Json:
        """Zendesk's Update Trigger: the keys given replace the trigger's; conditions and
        actions are replaced together (the reference: include both when changing either)."""
        trigger = self.triggers.get(tid)
        if trigger is None:
            raise not_found()
        if not isinstance(spec, dict):
            raise _invalid("trigger is required")
        if "conditions" in spec or "actions" in spec:
            checked = self.create_trigger(
                {"title": trigger["title"], **spec}, now, trigger["url"].split("/api/")[0]
            )
            del self.triggers[checked["id"]]
            trigger["conditions"], trigger["actions"] = checked["conditions"], checked["actions"]
        for key in ("title", "active", "position", "description"):
            if key in spec:
                trigger[key] = bool(spec[key]) if key == "active" else spec[key]
        trigger["updated_at"] = iso(now)
        return trigger


class RuleRoutes(Routes):
    rules: Rules

    def add_rule_routes(self) -> None:
        self._route("GET", r"views", self.list_views)
        self._route("POST", r"views", self.create_view)
        self._route("GET", r"triggers", self.list_triggers)
        self._route("POST", r"triggers", self.create_trigger)
        self._route("PUT", r"triggers/(\d+)", self.update_trigger)
        self._route("GET", r"webhooks", self.list_webhooks)
        self._route("POST", r"webhooks", self.create_webhook)

    def list_views(self, query: dict[str, str], _b: Json) -> Reply:
        items = sorted(self.rules.views.values(), key=lambda v: (v["position"], v["id"]))
        return paged("views", items, query, f"{self.base_url}/api/v2/views.json")

    def create_view(self, _q: dict[str, str], body: Json) -> Reply:
        fields = {f.id: f.title for f in self.account.fields.values() if f.kind == "ticket"}
        view = self.rules.create_view(body.get("view"), self.account.now(), self.base_url, fields)
        return json_reply(201, {"view": view})

    def list_triggers(self, query: dict[str, str], _b: Json) -> Reply:
        items = sorted(self.rules.triggers.values(), key=lambda t: (t["position"], t["id"]))
        return paged("triggers", items, query, f"{self.base_url}/api/v2/triggers.json")

    def create_trigger(self, _q: dict[str, str], body: Json) -> Reply:
        trigger = self.rules.create_trigger(body.get("trigger"), self.account.now(), self.base_url)
        return json_reply(201, {"trigger": trigger})

    def list_webhooks(self, query: dict[str, str], _b: Json) -> Reply:
        items = sorted(self.rules.webhooks.hooks.values(), key=lambda w: int(w["id"]))
        return paged("webhooks", items, query, f"{self.base_url}/api/v2/webhooks.json")

    def create_webhook(self, _q: dict[str, str], body: Json) -> Reply:
        self.rules.base_url = self.base_url  # deliveries link tickets on this address
        hook = self.rules.webhooks.create(
            body.get("webhook"), self.account.next_id(), self.account.now()
        )
        return json_reply(201, {"webhook": hook})

    def update_trigger(self, _q: dict[str, str], body: Json, tid: str) -> Reply:
        trigger = self.rules.update_trigger(int(tid), body.get("trigger"), self.account.now())
        return json_reply(200, {"trigger": trigger})
