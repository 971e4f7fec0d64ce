"""Zendesk's error replies as the sandbox raises them: status and body, shaped as the real API's."""

from __future__ import annotations

import json

from zendesk_sla.sandbox.model import Json


class ApiError(Exception):
    """An error response as Zendesk sends it: status code and JSON body."""

    def __init__(
        self,
        status: int,
        body: Json,
        headers: dict[str, str] | None = None,
        text: tuple[bytes, str] | None = None,  # a body that is not JSON, and its type
    ) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.text = text


def not_found() -> ApiError:
    return ApiError(404, {"error": "RecordNotFound", "description": "Not found"})


def invalid(field: str, description: str) -> ApiError:
    return ApiError(
        422,
        {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {field: [{"description": description, "error": "InvalidValue"}]},
        },
    )


def conflict() -> ApiError:
    return ApiError(
        409,
        {
            "error": "UpdateConflict",
            "description": "Safe Update prevented the update due to outdated ticket data. "
            "Please fetch the latest ticket data and try again.",
        },
    )


def too_many_jobs(retry_after: int = 10) -> ApiError:
    """The account's job queue is full (30 queued or running jobs, all apps together)."""
    return ApiError(
        429,
        {"error": "TooManyJobs", "description": "Too many jobs queued for this account"},
        {"Retry-After": str(retry_after)},
    )


def refusal(status: int) -> tuple[bytes, str]:
    """A whole request refused, as Zendesk answers it: (body, content type)."""
    if status == 403:  # `error` as an object, as live accounts answer a missing right
        body: Json = {
            "error": {
                "title": "Forbidden",
                "message": "You do not have access to this page. Please contact the account "
                "owner of this help desk for further help.",
            }
        }
    elif status == 413:  # refused before the API reads it: the front end's HTML page
        page = "<html><head><title>413 Request Entity Too Large</title></head><body>"
        return (page + "<h1>413 Request Entity Too Large</h1></body></html>").encode(), "text/html"
    else:
        body = {
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": {"base": [{"description": "The request could not be processed"}]},
        }
    return json.dumps(body).encode(), "application/json; charset=utf-8"
