"""The four severities of POLICY.md section 6, most severe first."""

from __future__ import annotations

SEVERITIES = ("blocker", "critical", "major", "trivial")


def severity_rank(severity: str) -> int:
    """0 for the most severe level; larger is milder."""
    return SEVERITIES.index(severity)
