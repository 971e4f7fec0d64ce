"""The one exception of configuration problems."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration problem, already phrased for a person."""
