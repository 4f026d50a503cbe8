"""The package's folders are its layers, and imports only point down.

Read from the source (ast), function-level imports included, so a lazy import
cannot hide a dependency that runs the wrong way. Layers, bottom to top:

    core        cnnbook/*.py and the cnnbook/calc/ package: calc, units, validate,
                glue, tables, plots, papers, project
    science     cnnbook/science/: numpy + calc (pooling, equivariance, memory, LRN)
    referee     cnnbook/referee/: everything that imports Keras; and
                cnnbook/runtime.py, the kernel's setup, which seeds TensorFlow
    checks      cnnbook/checks/: the feedback engine and the question bank
    widgets     cnnbook/widgets/: the live calculators (Python beside JavaScript)
    authoring   cnnbook/authoring/: notebook production (execute, exercises and
                solutions, the Colab cell, the outputs check)
    publishing  cnnbook/publishing/: the book and its editions (Sphinx hooks, PDF,
                browser, vendored assets, toc, edition, release)
    grading     cnnbook/grading/: a class's submissions (grader, sandbox, kernel,
                judge, answers, the nbgrader course, the student repository)
    term        cnnbook/term/: an instructor's term built on the grader's rows
                (course file, roster, gradebook, feedback, report, hand grading)
    commands    cnnbook/commands/: the ``cnnbook`` command line and the bench;
                and cnnbook/__main__.py
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "cnnbook"
ORDER = [
    "core",
    "science",
    "referee",
    "checks",
    "widgets",
    "authoring",
    "publishing",
    "grading",
    "term",
    "commands",
]
HEAVY = {"tensorflow", "keras", "ipywidgets", "anywidget", "traitlets", "jax", "torch"}
PINNED_TO = {"runtime": "referee", "__main__": "commands", "calc": "core"}
"""Root modules (and the calc package) that sit on another floor than their folder."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in PINNED_TO:
        return PINNED_TO[parts[1]]
    if len(parts) > 1 and parts[1] in ORDER:
        return parts[1]
    return "core"


def imports_of(module: str) -> set[str]:
    """Every module named by an import anywhere in ``module`` (absolute names)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = (
        module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    )
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {
                f"{base}.{alias.name}"
                for alias in node.names
                if f"{base}.{alias.name}" in MODULES
            }
    return found - {module}


def internal(names: set[str]) -> set[str]:
    return {n for n in names if n == "cnnbook" or n.startswith("cnnbook.")}


def test_every_module_is_read():
    assert len(MODULES) > 30 and "cnnbook.calc" in MODULES


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    mine = ORDER.index(layer_of(module))
    upward = sorted(
        name
        for name in internal(imports_of(module))
        if name in MODULES and ORDER.index(layer_of(name)) > mine
    )
    assert upward == [], f"{module} ({layer_of(module)}) imports a layer above it"


LIGHT_MODULES = sorted(m for m in MODULES if layer_of(m) in ("core", "science"))


def test_the_light_layers_hold_modules():
    assert len(LIGHT_MODULES) >= 10, LIGHT_MODULES


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_core_and_science_never_import_tensorflow_keras_or_widgets(module):
    heavy = sorted(n for n in imports_of(module) if n.split(".")[0] in HEAVY)
    assert heavy == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_nothing_imports_unittest(module):
    names = imports_of(module)
    assert not [n for n in names if n.split(".")[0] == "unittest"]


def test_checks_never_import_widgets():
    for module in MODULES:
        if layer_of(module) == "checks":
            assert not [
                n for n in imports_of(module) if n.startswith("cnnbook.widgets")
            ]


def test_no_import_circle():
    graph = {m: {n for n in internal(imports_of(m)) if n in MODULES} for m in MODULES}
    done, path = set(), []

    def visit(node):
        if node in path:
            cycle = path[path.index(node) :] + [node]
            raise AssertionError(f"import circle: {' -> '.join(cycle)}")
        if node in done:
            return
        path.append(node)
        for nxt in sorted(graph[node]):
            if nxt != "cnnbook" and not node.startswith(nxt + "."):
                visit(nxt)
        path.pop()
        done.add(node)

    for module in sorted(graph):
        visit(module)


def test_readme_names_every_folder_of_the_package():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    folders = sorted(
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file()
    )
    assert folders == sorted([*ORDER[1:], "calc"])
    for folder in folders:
        assert f"`cnnbook/{folder}/`" in readme, folder
