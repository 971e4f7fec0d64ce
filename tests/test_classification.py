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
    (None, [], None, "Production down since 9am", "blocker", "text", False),
    (None, [], None, "No se pueden crear documentos", "critical", "text", False),
    (None, [], None, "La plataforma va muy lenta, rendimiento pobre", "major", "text", False),
    (None, [], None, "¿Cómo puedo exportar un informe?", "trivial", "text", False),
    # Nothing to go on: the default, flagged so that an agent confirms it.
    (None, [], None, "Hola", "major", "default", True),
]


@pytest.mark.parametrize(("field", "tags", "priority", "text", "sev", "source", "review"), CASES)
def test_severity_precedence(
    rules_policy: Policy,
    field: str | None,
    tags: list[str],
    priority: str | None,
    text: str,
    sev: str,
    source: str,
    review: bool,
) -> None:
    decision = classify(
        rules_policy.severity, field_value=field, tags=tags, priority=priority, text=text
    )
    assert (decision.severity, decision.source, decision.review) == (sev, source, review)
    assert decision.reason


def test_review_reason_names_the_keyword(rules_policy: Policy) -> None:
    decision = classify(
        rules_policy.severity,
        field_value=None,
        tags=[],
        priority="low",
        text="data breach reported",
    )
    assert "data breach" in decision.reason
    assert "blocker" in decision.reason


# Text as customers write it (POLICY 6), the patterns the first classifier missed.
TEXT_CASES = [
    # symptoms instead of labels
    ("Desde las 9 nadie puede entrar en la plataforma", "blocker"),
    ("La página da 502 a todo el mundo", "blocker"),
    ("no carga desde esta mañana", "blocker"),
    ("We can see another company's invoices in our folder", "blocker"),
    ("An attacker took over our admin account", "blocker"),
    # word forms, accents or not, capitals
    ("El servidor está CAÍDO", "blocker"),
    ("el servidor esta caido", "blocker"),
    ("El escaneo marca vulnerabilidades informativas en las cabeceras", "trivial"),
    ("La conexión es intermitente desde ayer", "major"),
    ("Slowness everywhere since Monday", "major"),
    ("We can't create documents anymore", "critical"),
    # negations and hypotheticals
    ("No es una caída total, pero la aplicación va lenta", "major"),
    ("This is not an outage, just a question: can we rename a document type?", "trivial"),
    ("En caso de caída total, ¿cuál es el tiempo de respuesta de nuestro plan?", "trivial"),
    ("Hypothetically, if the server went down, would we lose documents?", "trivial"),
    # past events, understatement
    ("It was down five minutes this morning, it's back now", "major"),
    ("Quick question: none of our users can open the app, no rush", "blocker"),
    ("Pregunta rápida, sin prisa: nadie puede entrar en Athento", "blocker"),
    # ethical hacking findings are trivial by definition
    ("Resultados del hacking ético: falta la cabecera CSP", "trivial"),
    ("Ethical hacking results: server version disclosed", "trivial"),
    # ordinary words of a document-management product never lower a severity on their own
    ("Documentación: no podemos entrar, da error 502 a todos", "blocker"),
    ("Información urgente: no se pueden crear documentos", "critical"),
    ("Una pregunta: desde esta mañana nadie puede subir documentos", "critical"),
    # a plugin is a feature, not the product; a DoS is critical
    ("El plugin de Outlook no carga en un equipo", "trivial"),
    ("Un ataque DDoS deja la plataforma inaccesible a ratos", "critical"),
]


@pytest.mark.parametrize(("text", "severity"), TEXT_CASES)
def test_text_is_read_as_customers_write_it(rules_policy: Policy, text: str, severity: str) -> None:
    decision = classify(rules_policy.severity, field_value=None, tags=(), priority=None, text=text)
    assert (decision.source, decision.severity) == ("text", severity), decision.reason


def test_text_that_points_higher_than_the_priority_asks_for_review(rules_policy: Policy) -> None:
    decision = classify(
        rules_policy.severity, field_value=None, tags=(), priority="low", text="Producción caída"
    )
    assert decision.severity == "trivial" and decision.source == "priority"
    assert decision.review
    assert "suggests blocker" in decision.reason
