"""The shape of the code: stages in their modules, no import circles, a clean seam between clair/ and checks/.

Read from the source with `ast` (nothing is imported), so a violation names the file and line.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGES = {"clair": "clair", "clair.checks": "checks"}  # package -> its folder in the repository
CHECKS = "clair.checks"
STAGES = ("load", "pair", "render", "check", "write", "report", "serve", "audit", "command line", "build cache",
          "pipeline")


def modules() -> dict[str, Path]:
    """Dotted name -> file of every module of clair/ and checks/, their subpackages (clair/readers/) included."""
    found = {}
    for package, folder in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = [package, *path.relative_to(ROOT / folder).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path) -> list[tuple[str, int, bool, list[str]]]:
    """(imported module, line, inside a function, names taken from it) of every import of our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.stem == "__init__" else name.rsplit(".", 1)[0]
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, nested, []) for alias in child.names
                             if alias.name.split(".")[0] == "clair")
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join([package, *([base] if base else [])])
                if base.split(".")[0] == "clair":
                    names = [alias.name for alias in child.names]
                    submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules()]
                    found.append((base, child.lineno, nested, names))
                    found.extend((module, child.lineno, nested, []) for module in submodules)
            visit(child, nested)

    visit(tree, False)
    return found


def family(name: str) -> str:
    """clair.checks for the checks and their registry, clair for the rest."""
    return CHECKS if name == CHECKS or name.startswith(CHECKS + ".") else "clair"


GRAPH = {name: imports(name, path) for name, path in modules().items()}


def test_no_import_circle():
    """Function-level imports count too: they are circles that merely wait until run time."""
    edges = {name: {target for target, *_ in found if target in GRAPH and target != name}
             for name, found in GRAPH.items()}
    # a package's __init__ importing its own modules is how a package is made, not a circle
    edges = {name: {t for t in targets if not (t in PACKAGES and name.startswith(t + ".") and family(t) == family(name))}
             for name, targets in edges.items()}
    state: dict[str, str] = {}
    circles = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                circles.append(" -> ".join(trail[trail.index(target):] + [node, target]))
            elif target not in state:
                walk(target, trail + [node] if node != trail[-1:] else trail)
        state[node] = "done"

    for name in sorted(edges):
        if name not in state:
            walk(name, [])
    assert circles == []


def test_no_function_level_import_between_clair_and_checks():
    crossing = [f"{modules()[name].relative_to(ROOT)}:{line} imports {target}"
                for name, found in GRAPH.items() for target, line, in_function, _ in found
                if in_function and family(target) != family(name)]
    assert crossing == []


def test_checks_use_no_private_name_of_clair_and_clair_no_check_internals():
    """checks/ reads clair's public model; clair/ talks to checks only through the registry (checks/__init__.py)."""
    leaks = []
    for name, found in GRAPH.items():
        for target, line, _, names in found:
            where = f"{modules()[name].relative_to(ROOT)}:{line}"
            if family(name) == CHECKS and family(target) == "clair":
                leaks += [f"{where} takes {target}.{n}" for n in names if n.startswith("_")]
            if family(name) == "clair" and family(target) == CHECKS and (target != CHECKS or any(
                    n.startswith("_") for n in names)):
                leaks.append(f"{where} imports {target} {names}")
    assert leaks == []


def test_the_preview_only_watches_and_sorts_changes():
    """serve_build asks the pipeline to rebuild; it does not load, parse or check by itself."""
    used = {target for target, *_ in GRAPH["clair.serve_build"]}
    assert not used & {"clair.load", "clair.markdown", "clair.units", "clair.render"}
    assert not [target for target in used if family(target) == CHECKS]


@pytest.mark.parametrize("name", sorted(modules()))
def test_each_module_says_which_stage_it_belongs_to(name):
    docstring = ast.get_docstring(ast.parse(modules()[name].read_text(encoding="utf-8"))) or ""
    first_line = docstring.split("\n", 1)[0].lower()
    assert any(stage in first_line for stage in STAGES), f"{name}: {first_line!r}"
