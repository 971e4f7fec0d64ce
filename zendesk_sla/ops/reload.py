"""The daemon's contract file, reloaded when it changes: validated first, kept when invalid.

A support lead edits the YAML (a new contract version, a template); the next
cycle picks it up. An invalid file is refused with the same one-line reason
`check-config` gives, and the worker goes on with the last good one. Changes
to the Zendesk field names or the sync timings need a restart, and say so. A
retrained severity model (the file the contract names) is picked up the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import structlog

from zendesk_sla.config import Config, ConfigError

log = structlog.get_logger("zendesk_sla.ops.reload")


class ConfigWatcher:
    def __init__(self, config: Config, load: Callable[[Path], Config]) -> None:
        self.current = config
        self.load = load
        self.refused: str | None = None  # why the file on disk is not the one in use
        self._seen = self._digest()

    def _digest(self) -> str | None:
        try:
            digest = hashlib.sha256(Path(self.current.path).read_bytes())
        except OSError:
            return None
        model = self.current.model
        if model is not None:
            try:
                seen = model.file.stat()
                digest.update(f"{seen.st_mtime_ns}:{seen.st_size}".encode())
            except OSError:
                digest.update(b"no model file")
        return digest.hexdigest()

    def check(self) -> Config | None:
        """The new configuration when the file changed and is valid; None otherwise."""
        digest = self._digest()
        if digest is None or digest == self._seen:
            return None
        self._seen = digest
        try:
            fresh = self.load(Path(self.current.path))
        except ConfigError as exc:
            self._refuse(str(exc))
            return None
        if fresh.raw.zendesk != self.current.raw.zendesk:
            self._refuse("the zendesk field names changed: run setup, then restart the worker")
            return None
        self.refused = None
        if fresh.raw.sync != self.current.raw.sync:
            log.warning("config_sync_changed", note="sync settings take effect at restart")
        if fresh.model != self.current.model:
            announce_model(fresh, changed=True)
        log.info(
            "config_reloaded",
            path=str(self.current.path),
            versions=[v.effective.isoformat() for v in fresh.raw.contract_versions],
        )
        fresh.raw.sync.__dict__.update(self.current.raw.sync.__dict__)
        self.current = fresh
        return fresh

    def _refuse(self, reason: str) -> None:
        log.error("config_reload_refused", path=str(self.current.path), reason=reason)
        self.refused = reason


def announce_model(config: Config, *, changed: bool = False) -> None:
    """Say in the log which severity model reads beside the rules, or why none does: a
    problem always, a change of model (a reload) at info, the usual start at debug."""
    model = config.model
    say = log.info if changed else log.debug
    if model is None:
        say("severity_model", status="none", note="the contract names no model")
    elif model.problem is not None:
        log.warning("severity_model_unusable", problem=model.problem, using="rules alone")
    else:
        say("severity_model", status="loaded", file=str(model.file), digest=model.digest)
