"""The house keeps its layers: no import cycle, adapters below the cycle, reports read-only.

`make lint` checks the same rules with import-linter's contracts (pyproject.toml); this test
states them again on grimp's import graph, so a contract edited by mistake is still caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "zendesk_sla"
FOLDERS = {
    "account",
    "cli",
    "config",
    "core",
    "model",
    "preflight",
    "ops",
    "reports",
    "sandbox",
    "store",
    "sync",
    "zendesk",
}
LONGEST_MODULE = 320  # "modules of at most ~300 lines"


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("zendesk_sla", cache_dir=None)


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """A cycle in a directed graph, by plain depth-first search, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(edges.get(node, ())):
            found = visit(nxt, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(edges):
        found = visit(start, [])
        if found:
            return found
    return None


def test_the_cycle_finder_finds_a_cycle_and_accepts_a_tree() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_module_imports_itself_back_through_others(graph: grimp.ImportGraph) -> None:
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert _cycle(edges) is None


def test_no_folder_imports_itself_back_through_other_folders(graph: grimp.ImportGraph) -> None:
    def folder(module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if folder(imported) != folder(module):
                edges.setdefault(folder(module), set()).add(folder(imported))
    assert _cycle(edges) is None


@pytest.mark.parametrize(
    ("layer", "never_reaches"),
    [
        ("core", FOLDERS - {"core"}),
        ("zendesk", {"sync", "reports", "cli", "account", "ops", "sandbox", "store"}),
        ("store", {"sync", "reports", "cli", "account", "ops", "sandbox"}),
        ("config", {"sync", "reports", "cli", "account", "ops", "sandbox", "store", "zendesk"}),
        ("sync", {"cli", "reports", "ops", "sandbox"}),
        ("account", {"cli", "reports", "ops", "sandbox", "sync"}),
        # The account check reads the account: it never reaches what writes or provisions.
        ("preflight", {"cli", "reports", "ops", "sandbox", "account"}),
        # The severity model is an adapter: it reads text, never the cycle or Zendesk.
        ("model", {"sync", "reports", "cli", "account", "ops", "sandbox", "store", "zendesk"}),
    ],
)
def test_a_layer_never_reaches_the_layers_above_it(
    graph: grimp.ImportGraph, layer: str, never_reaches: set[str]
) -> None:
    for above in sorted(never_reaches):
        chain = graph.find_shortest_chain(f"zendesk_sla.{layer}", f"zendesk_sla.{above}", True)
        assert chain is None, " -> ".join(chain or ())


@pytest.mark.parametrize(
    "writer",
    [
        "zendesk_sla.zendesk.gateway",
        "zendesk_sla.zendesk.jobs",
        "zendesk_sla.zendesk.transport",
        "zendesk_sla.account",
        "zendesk_sla.sync.apply",
        "zendesk_sla.sync.cycles",
        "zendesk_sla.app",
    ],
)
def test_reports_never_reach_what_writes_to_zendesk(graph: grimp.ImportGraph, writer: str) -> None:
    chain = graph.find_shortest_chain("zendesk_sla.reports", writer, True)
    assert chain is None, " -> ".join(chain or ())


def test_the_package_holds_only_folders_and_the_composition_root() -> None:
    loose = {p.name for p in PACKAGE.glob("*.py")}
    assert loose <= {"__init__.py", "__main__.py", "app.py"}
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == FOLDERS


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_a_module_says_its_role_and_stays_short(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)), "no docstring saying the module's role"
    assert text.count("\n") <= LONGEST_MODULE
