"""What the worker sets up and publishes in the Zendesk account.

Its fields, the agents' views and triggers (`setup`), and each organization's consumption
page in the Help Center (published by the cycles).
"""
