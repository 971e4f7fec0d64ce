"""A read-only check of a live Zendesk account before the worker's first write."""
