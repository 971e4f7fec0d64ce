"""zendesk-sla: enforces Athento's support contract on a Zendesk help desk."""

__version__ = "0.1.0"
