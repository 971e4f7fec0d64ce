"""A faithful Zendesk Support API on loopback, with deterministic sample data.

`Account` holds the data and the API's semantics, `Sandbox` the HTTP-level
behaviour (auth, rate limits, faults), `SandboxServer` serves it, and
`seed_account` fills it.
"""
