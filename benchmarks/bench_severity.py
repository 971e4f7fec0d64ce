"""Severity from text, measured on labelled tickets (text only: no field, tag or priority).

Parts: `test`, the corpus batches never trained on nor tuned on (zendesk_sla/model/corpus,
each core as typed and as mailed); `old`, the 412-ticket corpus the phrase rules were
written from, scored apart; `dev`, the batches the thresholds were chosen on (trained on
by the shipped model, so its figures are not a measure). For each: accuracy, the review
flag, the dangerous count (a true blocker or critical rated major or trivial with no
review flag), accuracy by language group, per-severity precision and recall, the confusion
matrix, the calibration of the model's stated chances (expected calibration error); the
rules alone beside the rules with the model. Then the speed of reading new texts on one core.

Targets on the test part and on the old corpus: accuracy >= 0.88, dangerous <= 1 %,
review <= 20 %, every language group >= 0.80; reading >= 2,000 new texts/s.

Run: .venv/bin/python benchmarks/bench_severity.py [--part test|old|dev|all] [--errors]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from zendesk_sla.config import load_config
from zendesk_sla.core.classification import classify
from zendesk_sla.core.policy import SEVERITIES, SeverityRules
from zendesk_sla.core.text_severity import text_severity, ticket_text
from zendesk_sla.model.corpus import read_cores, read_split
from zendesk_sla.model.examples import tickets

from severity_corpus import load as load_old

ROOT = Path(__file__).resolve().parent.parent
Item = tuple[str, str, str, str]  # group, true severity, kind, text


def items(part: str) -> list[Item]:
    if part == "old":
        return [(e.language, e.severity, e.kind, e.text) for e in load_old()]
    cores, split = read_cores(), read_split()
    chosen = [c for c in cores if split.get(c.batch, "train") == part]
    return [(c.group, c.severity, c.kind, ticket_text(s, b)) for c, s, b in tickets(chosen)]


def score(examples: list[Item], rules: SeverityRules, show_errors: bool) -> dict[str, float]:
    confusion: Counter[tuple[str, str]] = Counter()
    groups: Counter[str] = Counter()
    right: Counter[str] = Counter()
    review = dangerous = 0
    said: list[tuple[float, bool]] = []  # the model's chance of its choice, and if right
    for group, severity, kind, text in examples:
        decision = classify(rules, field_value=None, tags=(), priority=None, text=text)
        if decision.chance is not None:
            said.append((decision.chance, decision.severity == severity))
        confusion[(severity, decision.severity)] += 1
        groups[group] += 1
        right[group] += decision.severity == severity
        review += decision.review
        danger = (
            severity in ("blocker", "critical")
            and decision.severity in ("major", "trivial")
            and not decision.review
        )
        dangerous += danger
        if show_errors and (decision.severity != severity or danger):
            flag = " REVIEW" if decision.review else ""
            head = text.replace("\n", " / ")[:110]
            print(f"    {severity:>8} -> {decision.severity:<8}{flag} [{kind}] {head}")
            print(f"{'':>24}{decision.reason[:110]}")
    n = len(examples)
    correct = sum(c for (t, p), c in confusion.items() if t == p)
    by_group = {g: right[g] / groups[g] for g in sorted(groups)}
    shown = ", ".join(f"{g} {v:.3f} (n={groups[g]})" for g, v in by_group.items())
    print(
        f"    accuracy {correct / n:.3f}; review {review / n:.1%}; "
        f"dangerous {dangerous} ({dangerous / n:.1%}); by group: {shown}"
    )
    if said:
        print(f"    calibration where the model decided ({len(said)}): {calibration(said)}")
    return {
        "accuracy": correct / n,
        "dangerous": dangerous / n,
        "review": review / n,
        "worst_group": min(by_group.values()),
    }


def calibration(said: list[tuple[float, bool]]) -> str:
    """Expected calibration error over five bins of stated chance, and each bin's figures."""
    bins: dict[int, list[tuple[float, bool]]] = {}
    for chance, right in said:
        bins.setdefault(min(4, int(chance * 5)), []).append((chance, right))
    error = 0.0
    shown = []
    for b in sorted(bins):
        items = bins[b]
        stated = sum(c for c, _ in items) / len(items)
        actual = sum(r for _, r in items) / len(items)
        error += len(items) / len(said) * abs(stated - actual)
        shown.append(f"{b * 20}-{b * 20 + 20} %: said {stated:.2f}, right {actual:.2f}")
    return f"ECE {error:.3f} ({'; '.join(shown)})"


def matrix(examples: list[Item], rules: SeverityRules) -> None:
    confusion: Counter[tuple[str, str]] = Counter()
    for _, severity, _, text in examples:
        found = classify(rules, field_value=None, tags=(), priority=None, text=text).severity
        confusion[(severity, found)] += 1
    for sev in SEVERITIES:
        tp = confusion[(sev, sev)]
        predicted = sum(c for (_, p), c in confusion.items() if p == sev)
        actual = sum(c for (t, _), c in confusion.items() if t == sev)
        precision, recall = tp / max(1, predicted), tp / max(1, actual)
        print(f"    {sev:<9} precision {precision:.2f} recall {recall:.2f} (n={actual})")
    print("    confusion (rows: true, columns: chosen)")
    print("    " + " " * 10 + "".join(f"{s:>10}" for s in SEVERITIES))
    for t in SEVERITIES:
        print("    " + f"{t:<10}" + "".join(f"{confusion[(t, p)]:>10}" for p in SEVERITIES))


def speed(rules: SeverityRules, texts: list[str]) -> float:
    """New texts per second, one core: every text unseen (the memo starts empty)."""
    fresh = replace(rules.text, memo={}, derived={})
    started = time.process_time()
    for i, text in enumerate(texts):
        text_severity(f"{text}\n#{i}", fresh)
    return len(texts) / (time.process_time() - started)


def met(result: dict[str, float]) -> bool:
    return (
        result["accuracy"] >= 0.88
        and result["dangerous"] <= 0.01
        and result["review"] <= 0.20
        and result["worst_group"] >= 0.80
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("test", "old", "dev", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="print each wrong ticket")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "athento.yaml")
    args = parser.parse_args()
    config = load_config(args.config)
    with_model = config.policy.severity
    if config.model is None or config.model.digest is None:
        print(f"no model beside the rules: {config.model}")
        return 1
    alone = replace(with_model, text=replace(with_model.text, model=None, memo={}, derived={}))
    print(f"model {config.model.file.name} sha256 {config.model.digest[:12]}")
    parts = ["test", "old", "dev"] if args.part == "all" else [args.part]
    verdicts = []
    for part in parts:
        examples = items(part)
        print(f"{part} part: {len(examples)} tickets, {dict(Counter(e[0] for e in examples))}")
        print("  rules alone:")
        score(examples, alone, False)
        print("  rules and model:")
        result = score(examples, with_model, args.errors)
        matrix(examples, with_model)
        if part in ("test", "old"):
            verdicts.append(f"{part} {'met' if met(result) else 'NOT met'}")
    texts = [e[3] for e in items("test")] * 4
    rate = speed(with_model, texts)
    print(f"reading new texts, rules and model: {rate:,.0f} texts/s on one core ({len(texts)})")
    print(f"targets: {', '.join(verdicts)}; speed {'met' if rate >= 2000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
