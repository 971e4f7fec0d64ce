"""What support leads read from the worker's state: quota, contacts, severity, compliance.

Every format (table, JSON, CSV, HTML) and one ticket explained; reports never write to Zendesk.
"""
