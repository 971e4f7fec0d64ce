"""`zendesk-sla severity train`: the severity model rebuilt from the labelled corpus (and,
with --from-state, the severities agents set on the account's tickets), written as the
artefact the worker reads. The same inputs give the same bytes."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from zendesk_sla.cli.common import UsageError, add_config, settings
from zendesk_sla.config import load_config
from zendesk_sla.model.artefact import BUNDLED, SeverityModel, dump
from zendesk_sla.model.corpus import read_cores, read_split
from zendesk_sla.model.examples import (
    SHIPPED_PARTS,
    Example,
    corpus_examples,
    reading,
    state_examples,
    tickets,
)


def _from_state(args: argparse.Namespace, test_texts: set[str]) -> list[Example]:
    from zendesk_sla.reports.labels import agent_labels
    from zendesk_sla.store import StateStore

    current = settings()
    config = load_config(args.config or current.zendesk_sla_config)
    state = args.state or current.state_target
    if not str(state).startswith("postgres") and not Path(state).exists():
        raise UsageError(f"no worker state at {state}: run the worker first (or pass --state)")
    store = StateStore(state, read_only=True)
    try:
        pairs = [(label.text, label.severity) for label in agent_labels(store, config)]
    finally:
        store.close()
    return state_examples(pairs, test_texts, args.state_weight)


def cmd_train(args: argparse.Namespace) -> int:
    try:
        from zendesk_sla.model.train import train
    except ImportError:
        raise UsageError("training needs scikit-learn: pip install 'zendesk-sla[train]'") from None
    cores, split = read_cores(), read_split()
    examples = corpus_examples(cores, split, SHIPPED_PARTS)
    test = [c for c in cores if split.get(c.batch) == "test"]
    from_state = (
        _from_state(args, {reading(s, b) for _, s, b in tickets(test)}) if args.from_state else []
    )
    data = dump(train([*examples, *from_state], c=args.c))
    out = Path(args.out) if args.out else BUNDLED
    _write(out, data)
    model = SeverityModel.load(out)
    print(
        f"{out}: trained on {len(examples)} corpus tickets and {len(from_state)} from the "
        f"state; {len(model.index)} features, {len(data) // 1024} KiB, sha256 {model.digest[:12]}"
    )
    return 0


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all: a daemon reloading the file never reads half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"--out: cannot write {path}: {exc.strerror}") from None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    text = "the trained severity model beside the YAML's rules"
    group = sub.add_parser("severity", help=text, description=text)
    commands = group.add_subparsers(dest="severity_command", required=True, metavar="COMMAND")
    train_text = (
        "train the severity model on the labelled corpus (train and dev parts; never test), "
        "and with --from-state on the severities agents set in this account"
    )
    train = commands.add_parser("train", help=train_text, description=train_text)
    train.add_argument("--out", metavar="FILE", help=f"artefact to write (default: {BUNDLED})")
    train.add_argument("--from-state", action="store_true", help="add the agents' labels")
    train.add_argument("--state", help="worker state (default: $ZENDESK_SLA_STATE)")
    train.add_argument(
        "--state-weight", type=float, default=2.0, help="weight of an agent's label (2)"
    )
    train.add_argument("--c", type=float, default=10.0, help="inverse regularisation (10)")
    add_config(train)
    train.set_defaults(func=cmd_train)
