"""Every record is checked at the edge: ids and timestamps in range, text valid UTF-8, types
as Zendesk documents them. A record that cannot be read raises `BadPayload` (it is skipped
and named); a field that cannot be read is dropped with a warning naming it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

MAX_ID = 2**53  # Zendesk ids are JSON numbers that JavaScript reads exactly
FIRST, LAST = 946_684_800, 4_102_444_800  # 2000-01-01 and 2100-01-01: any real timestamp
MAX_DEPTH = 8
PRIORITIES = frozenset({"urgent", "high", "normal", "low"})

Warn = Callable[[str, str], None]  # (field, what is wrong)


class BadPayload(ValueError):
    """A Zendesk object the worker cannot read; it is logged and skipped."""


def ident(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadPayload(f"{name} must be an integer, got {_show(value)}")
    if not 0 < value < MAX_ID:
        raise BadPayload(f"{name} {value} is out of range")
    return value


def opt_ident(value: Any, name: str) -> int | None:
    return None if value is None else ident(value, name)


def epoch_seconds(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadPayload(f"{name} must be an integer, got {_show(value)}")
    if not FIRST <= value < LAST:
        raise BadPayload(f"{name} {value} is not a time between 2000 and 2100")
    return value


def timestamp(value: Any, name: str) -> int:
    """An ISO 8601 time as epoch seconds."""
    if not isinstance(value, str):
        raise BadPayload(f"{name} must be an ISO 8601 time, got {_show(value)}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        seconds = int(moment.astimezone(UTC).timestamp())
    except (ValueError, OverflowError):
        raise BadPayload(f"{name}: bad time {_show(value)}") from None
    return epoch_seconds(seconds, name)


def clean(text: str) -> str:
    """Valid UTF-8 text: a lone surrogate (which no database or JSON writer takes) becomes
    U+FFFD, and NUL is dropped."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text.replace("\x00", "")


def text(value: Any, name: str, warn: Warn | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        cleaned = clean(value)
        if cleaned != value and warn is not None:
            warn(name, "invalid characters replaced")
        return cleaned
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if warn is not None:
        warn(name, f"expected text, got {type(value).__name__}: ignored")
    return ""


def opt_text(value: Any, name: str, warn: Warn | None = None) -> str | None:
    return None if value is None else (text(value, name, warn) or None)


def json_safe(value: Any, name: str, warn: Warn | None = None, depth: int = 0) -> Any:
    """A field value the store can keep: text cleaned, numbers in range, bounded nesting."""
    if depth > MAX_DEPTH:
        if warn is not None:
            warn(name, "nested too deep: ignored")
        return None
    if isinstance(value, str):
        return text(value, name, warn)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if abs(value) >= 2**63:
            if warn is not None:
                warn(name, "number out of range: ignored")
            return None
        return value
    if isinstance(value, list):
        return [json_safe(v, name, warn, depth + 1) for v in value]
    if isinstance(value, dict):
        return {
            clean(str(k)): json_safe(v, f"{name}.{k}", warn, depth + 1) for k, v in value.items()
        }
    if warn is not None:
        warn(name, f"unexpected {type(value).__name__}: ignored")
    return None


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
