"""The sample account's vocabulary: plans, channels, subjects, names, companies, fields."""

from __future__ import annotations

PLAN_WEIGHTS = {"starter": 1, "plus": 2, "standard": 3, "company": 3, "enterprise": 2}

CONTACT_CAPS = {"starter": 1, "plus": 3, "standard": 4, "company": 7, "enterprise": 10}

CHANNELS = (("email", 55), ("web", 30), ("voice", 8), ("api", 4), ("chat", 3))

SUBJECTS = {
    "blocker": (
        "Producción caída: el sistema está fuera de servicio",
        "Production down since this morning",
        "Brecha de seguridad: fuga de datos detectada",
    ),
    "critical": (
        "No se pueden crear documentos",
        "Cannot open documents in the main workspace",
        "Vulnerabilidad en el login",
    ),
    "major": (
        "La plataforma va muy lenta",
        "Intermittent errors when uploading files",
        "Interrupciones periódicas del servicio",
    ),
    "trivial": (
        "¿Cómo puedo exportar un informe?",
        "Question about the workflow designer",
        "Error en la documentación del API",
        "Solicitud de mejora: filtros guardados",
    ),
    "none": ("Consulta", "Hola", "Re: ticket anterior", "Follow-up"),
}

FIRST_NAMES = ("Ana", "Luis", "Marta", "Jorge", "Lucía", "Pablo", "Elena", "Diego", "Sara", "Iván")

LAST_NAMES = ("García", "López", "Martín", "Sánchez", "Pérez", "Gómez", "Ruiz", "Díaz", "Moreno")

COMPANIES = (
    "Acme",
    "Iberia Docs",
    "Grupo Norte",
    "Textil Sur",
    "Banca Levante",
    "Seguros Oeste",
    "Logística Centro",
    "Energía Atlántica",
    "Salud Plus",
    "Ayuntamiento Demo",
)

ORG_FIELDS = (
    ("support_plan", "Support plan", "dropdown"),
    ("contract_start", "Contract start", "date"),
    ("project_go_lives", "Project go-live dates", "text"),
    ("ticket_bundles", "Ticket bundles", "text"),
)

USER_FIELDS = (("sla_authorized_contact", "Authorized support contact", "checkbox"),)

SEVERITY_FIELD_TITLE = "SLA severity"

API_EMAIL = "worker@athento.example"
