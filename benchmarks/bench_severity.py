"""Severity from text, measured on the labelled corpus (text only: no field, tag, priority).

Prints, for the test part (never tuned on) and the development part: accuracy,
per-severity precision and recall, the confusion matrix, how many fell to the
default, how many were flagged for review, and the dangerous count (a true
blocker or critical rated major or trivial with no review flag).
Targets on the test part: accuracy >= 0.85, dangerous <= 2 %, review <= 25 %.

Run: .venv/bin/python benchmarks/bench_severity.py [--part dev|test|all] [--errors]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from zendesk_sla.config import load_config
from zendesk_sla.core.classification import classify
from zendesk_sla.core.policy import SEVERITIES

from severity_corpus import Example, load

ROOT = Path(__file__).resolve().parent.parent


def score(examples: list[Example], config_path: Path, show_errors: bool) -> dict[str, float]:
    rules = load_config(config_path).policy.severity
    confusion: Counter[tuple[str, str]] = Counter()
    review = default = dangerous = 0
    for ex in examples:
        decision = classify(rules, field_value=None, tags=(), priority=None, text=ex.text)
        confusion[(ex.severity, decision.severity)] += 1
        review += decision.review
        default += decision.source == "default"
        danger = (
            ex.severity in ("blocker", "critical")
            and decision.severity in ("major", "trivial")
            and not decision.review
        )
        dangerous += danger
        if show_errors and (decision.severity != ex.severity or danger):
            flag = " REVIEW" if decision.review else ""
            print(
                f"  {ex.severity:>8} -> {decision.severity:<8}{flag}  [{ex.kind}] {ex.subject} "
                f"| {decision.reason}"
            )
    n = len(examples)
    correct = sum(c for (t, p), c in confusion.items() if t == p)
    print(
        f"  tickets {n}; accuracy {correct / n:.3f}; review {review} ({review / n:.1%}); "
        f"default {default}; dangerous {dangerous} ({dangerous / n:.1%})"
    )
    for sev in SEVERITIES:
        tp = confusion[(sev, sev)]
        predicted = sum(c for (_, p), c in confusion.items() if p == sev)
        actual = sum(c for (t, _), c in confusion.items() if t == sev)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        print(f"  {sev:<9} precision {precision:.2f} recall {recall:.2f} (n={actual})")
    print("  confusion (rows: true, columns: predicted)")
    print("  " + " " * 10 + "".join(f"{s:>10}" for s in SEVERITIES))
    for t in SEVERITIES:
        print("  " + f"{t:<10}" + "".join(f"{confusion[(t, p)]:>10}" for p in SEVERITIES))
    return {"accuracy": correct / n, "dangerous": dangerous / n, "review": review / n}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--errors", action="store_true", help="print each wrong ticket")
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "athento.yaml")
    args = parser.parse_args()
    examples = load()
    parts = ["dev", "test"] if args.part == "all" else [args.part]
    result: dict[str, float] = {}
    for part in parts:
        chosen = [e for e in examples if e.part == part]
        langs = Counter(e.language for e in chosen)
        print(f"{part} part ({langs['es']} es, {langs['en']} en):")
        result = score(chosen, args.config, args.errors)
    if "test" in parts:
        met = (
            result["accuracy"] >= 0.85 and result["dangerous"] <= 0.02 and result["review"] <= 0.25
        )
        print(f"targets on the test part: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
