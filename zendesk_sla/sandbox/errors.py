"""Zendesk's error replies as the sandbox raises them: status and body, shaped as the real API's."""

from __future__ import annotations

from zendesk_sla.sandbox.model import Json


class ApiError(Exception):
    """An error response as Zendesk sends it: status code and JSON body."""

    def __init__(self, status: int, body: Json, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


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
