"""structlog set-up: JSON lines when not on a terminal (or when asked), readable lines on one."""

from __future__ import annotations

import logging
import sys

import structlog
from tqdm import tqdm


class BarSafeStderr:
    """Standard error for log lines that a progress bar on the same terminal survives:
    the bar is cleared before the line and drawn again after it, instead of the line
    being glued to the bar's last frame. (sys.stderr is looked up at each write: a test
    or a caller may replace it.)"""

    def __init__(self) -> None:
        self._partial = ""  # print() sends the line and its newline apart

    def write(self, text: str) -> int:
        lines, _, self._partial = (self._partial + text).rpartition("\n")
        if lines:
            with tqdm.external_write_mode(file=sys.stderr):
                sys.stderr.write(lines + "\n")
        return len(text)

    def flush(self) -> None:
        if self._partial:
            self.write("\n")
        sys.stderr.flush()


def configure(fmt: str = "auto", level: str = "INFO") -> None:
    json_output = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # An exception logged with exc_info carries its type, message and traceback: as
    # structured frames in JSON, as text on a terminal.
    # Frames without their local variables: those hold tickets, e-mails and tokens.
    frames = structlog.processors.ExceptionRenderer(
        structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
    )
    tracebacks = [frames] if json_output else []
    # Libraries (APScheduler, urllib3) log through the standard library: their records go
    # through the same processors, so the stream stays one JSON object a line.
    stream = BarSafeStderr()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *tracebacks,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(
        max(logging.getLevelNamesMapping().get(level.upper(), logging.INFO), logging.WARNING)
    )
    structlog.configure(
        processors=[*shared, *tracebacks, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        logger_factory=lambda *_args: structlog.PrintLogger(stream),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )
