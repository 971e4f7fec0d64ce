"""Adapters to the Zendesk Support API: error classes, the HTTP transport, the zenpy gateway."""
