"""Severity verdicts kept in the state: read back under the same rules, never under others."""

from __future__ import annotations

from dataclasses import replace

from zendesk_sla.core.policy import Policy
from zendesk_sla.core.text_severity import Hit, TextRules, TextVerdict, text_severity
from zendesk_sla.store import StateStore
from zendesk_sla.sync.verdicts import TextVerdicts, decode, encode, rules_digest, text_key

OUTAGE = "Caída total\nLa plataforma está caída desde las 9, nadie puede entrar."


def fresh(rules: TextRules) -> TextRules:
    """The same rules with an empty memo, as a newly started worker has them."""
    return replace(rules, memo={}, derived={})


def test_a_verdict_survives_the_state_as_it_was() -> None:
    verdict = TextVerdict(
        "blocker", 5.0, (Hit("blocker", 3.0, "caida total", "caida total"),), True, None
    )
    assert decode(encode(verdict)) == verdict
    nothing = TextVerdict(None, 0.0, (), False)
    assert decode(encode(nothing)) == nothing


def test_a_restarted_worker_reads_the_recorded_verdict_instead_of_the_text(
    policy: Policy,
) -> None:
    store = StateStore(":memory:")
    first = TextVerdicts(store, fresh(policy.severity.text))
    first.load([OUTAGE])
    read = text_severity(OUTAGE, first.rules)
    assert read.severity == "blocker"
    with store.transaction():
        first.save()
    # A verdict forged in the state shows that the next worker takes it from there.
    forged = TextVerdict("trivial", 1.0, (), False)
    store.db.execute(
        "UPDATE text_verdicts SET verdict = ? WHERE text_key = ?",
        (encode(forged), text_key(OUTAGE)),
    )
    again = TextVerdicts(store, fresh(policy.severity.text))
    again.load([OUTAGE])
    assert text_severity(OUTAGE, again.rules) == forged


def test_changed_rules_read_the_text_again_and_drop_the_old_verdicts(rules_policy: Policy) -> None:
    store = StateStore(":memory:")
    before = TextVerdicts(store, fresh(rules_policy.severity.text))
    before.load([OUTAGE])
    text_severity(OUTAGE, before.rules)
    with store.transaction():
        before.save()
    rules = rules_policy.severity.text
    stricter = replace(rules, memo={}, derived={}, threshold=rules.threshold + 10)
    assert rules_digest(stricter) != rules_digest(rules)
    after = TextVerdicts(store, stricter)
    after.load([OUTAGE])
    verdict = text_severity(OUTAGE, stricter)
    assert verdict.severity == "blocker" and not verdict.strong  # read again: weak now
    with store.transaction():
        after.save()
    kept = store.db.execute("SELECT DISTINCT rules FROM text_verdicts").fetchall()
    assert kept == [(rules_digest(stricter),)]


def test_the_order_rules_are_written_in_does_not_change_their_digest(policy: Policy) -> None:
    rules = policy.severity.text
    shuffled = replace(
        rules,
        rules={s: tuple(reversed(p)) for s, p in reversed(list(rules.rules.items()))},
        negations=tuple(reversed(rules.negations)),
        memo={},
        derived={},
    )
    assert rules_digest(shuffled) == rules_digest(rules)
    assert rules_digest(replace(rules, caps=tuple(reversed(rules.caps)))) != rules_digest(rules)
