"""Severity precedence of POLICY.md section 6, as a table."""

from __future__ import annotations

import pytest
from zendesk_sla.core.classification import classify
from zendesk_sla.core.policy import Policy

CASES = [
    # field, tags, priority, text, severity, source, review
    ("critical", ["sla_sev_blocker"], "urgent", "produccion caida", "critical", "field", True),
    (None, ["sla_sev_major"], "urgent", "", "major", "tag", False),
    (None, ["sla_sev_trivial", "sla_sev_critical"], None, "", "critical", "tag", False),
    (None, ["vip"], "urgent", "", "blocker", "priority", False),
    (None, [], "high", "", "critical", "priority", False),
    (None, [], "normal", "", "major", "priority", False),
    (None, [], "low", "Pregunta sobre la documentación", "trivial", "priority", False),
    (None, [], "low", "El sistema está FUERA DE SERVICIO", "trivial", "priority", True),
    (None, [], None, "Production down since 9am", "blocker", "keywords", False),
    (None, [], None, "No se pueden crear documentos", "critical", "keywords", False),
    (None, [], None, "La plataforma va muy lenta, rendimiento pobre", "major", "keywords", False),
    (None, [], None, "¿Cómo puedo exportar un informe?", "trivial", "keywords", False),
    (None, [], None, "Hola", "major", "default", False),
    (None, [], None, "slowly but surely", "major", "default", False),
]


@pytest.mark.parametrize(("field", "tags", "priority", "text", "sev", "source", "review"), CASES)
def test_severity_precedence(
    policy: Policy,
    field: str | None,
    tags: list[str],
    priority: str | None,
    text: str,
    sev: str,
    source: str,
    review: bool,
) -> None:
    decision = classify(policy.severity, field_value=field, tags=tags, priority=priority, text=text)
    assert (decision.severity, decision.source, decision.review) == (sev, source, review)
    assert decision.reason


def test_review_reason_names_the_keyword(policy: Policy) -> None:
    decision = classify(
        policy.severity, field_value=None, tags=[], priority="low", text="data breach reported"
    )
    assert "data breach" in decision.reason
    assert "blocker" in decision.reason
