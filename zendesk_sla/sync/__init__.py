"""The cycle: gather from Zendesk into the state, decide with the core, apply the plan back.

The poll, the sweep, the backfill and the re-evaluation are built from those three verbs
(`cycles`, `ranges`); the rest is what they share: timelines, verdicts, recounts, the field map.
"""
