"""Generate student exercises and executed solutions from one instructor notebook.

The instructor writes ``notebooks/NN_slug.ipynb``. Conventions (nbgrader's markers):

* Solution code sits between a line ``### BEGIN SOLUTION`` and a line
  ``### END SOLUTION`` (each alone on its line, indentation allowed) in a code
  cell. In the exercise the block becomes a stub at the marker's indentation:

  - a block that is one assignment (``answer = 903_400``, also a multi-line
    one) becomes that assignment's left side: ``answer = ...  # YOUR ANSWER HERE``;
  - a longer block whose last statement is an assignment becomes
    ``# YOUR CODE HERE`` followed by that stub line (``shapes = ...  # YOUR
    ANSWER HERE``), so the working is the student's and the answer's name stays;
  - any other block becomes ``# YOUR CODE HERE`` followed by ``...``.

  ``...`` is what the checks report as "Not answered yet", so an untouched
  exercise runs top to bottom: end each block with the assignment of the name
  its check cell reads (e.g. ``model = keras.Sequential([...])``).
* A model answer in a markdown cell sits between the same two marker lines; the
  exercise shows ``*Write your answer here.*`` in its place.
* A cell whose metadata says ``{"cnnbook": {"solutions_only": true}}`` (the
  recap of what the exercises practise: it would give answers away) keeps its
  place in the exercise but shows only :data:`SOLUTIONS_ONLY_STUB`.
* A check cell is a code cell whose last statement calls a check of
  :mod:`cnnbook.checks`, found by what it calls, whatever the module:
  ``checks.number(...)``, ``checks.ch03.step_memory(...)``, or a name the
  notebook imported from ``cnnbook.checks`` (see :func:`check_cells`). It is
  kept as is in both notebooks.
* Markers that are unbalanced, nested, misspelt (``## BEGIN SOLUTION``,
  ``### begin solution``) or placed in a raw cell are refused with a
  :class:`MarkerError` naming the file, the cell index (0-based, as in the
  executor's messages) and the line (1-based) within the cell.

Outputs: ``exercises/NN_slug.ipynb`` (stubs, outputs and execution counts
cleared) and ``solutions/NN_slug.ipynb`` (the source with the marker lines
removed, executed by :func:`cnnbook.authoring.execute.execute_notebook`, outputs
stored). The solutions are the default variant's (no student id reaches the
kernel, whatever the shell says); ``student="jdoe"`` executes them as that
student (:data:`cnnbook.checks.variants.KERNEL_ENV`), into a folder of the
instructor's choosing, and writes no exercises. Both start with the Colab
install cell of :mod:`cnnbook.authoring.colab` as their first code cell;
otherwise cell ids, cell metadata and everything outside the blocks are kept,
so the two files line up cell by cell with the source. Files are rewritten
only when their content changes; the source folder is never written.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import re
import textwrap
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from cnnbook.authoring import colab
from cnnbook.authoring.execute import (
    DEFAULT_TIMEOUT,
    KERNELSPEC,
    LANGUAGE_INFO,
    execute_notebook,
    write_if_changed,
)
from cnnbook.authoring.students import check_student_folder, kernel_student
from cnnbook.checks import variants

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
CODE_STUB = "# YOUR CODE HERE"
ANSWER_STUB = "# YOUR ANSWER HERE"
MODEL_ANSWER_STUB = "*Write your answer here.*"
SOLUTIONS_ONLY_STUB = (
    "*The recap of what these exercises practise comes with the solutions.*"
)
CHECKS_PACKAGE = "cnnbook.checks"

_LOOKS_LIKE_MARKER = re.compile(r"^\s*#+\s*(BEGIN|END)\s+SOLUTION\b", re.IGNORECASE)


class MarkerError(ValueError):
    """Solution markers that cannot be split; the message names file, cell, line."""

    def __init__(self, label: str, cell: int, line: int, problem: str) -> None:
        self.label, self.cell, self.line = label, cell, line
        super().__init__(f"{label}: cell {cell}, line {line}: {problem}")


@dataclass(frozen=True)
class Block:
    """Lines ``begin`` and ``end`` (0-based, the marker lines) of one solution."""

    begin: int
    end: int


@dataclass(frozen=True)
class GenerationResult:
    source: Path
    exercise: Path
    solution: Path
    exercise_changed: bool
    solution_changed: bool
    seconds: float


# --------------------------------------------------------------------------- parsing
def find_blocks(source: str, label: str = "notebook", cell: int = 0) -> list[Block]:
    """The solution blocks of one cell's source; refuses bad markers."""
    blocks, opened = [], None
    for number, line in enumerate(source.splitlines()):
        text = line.strip()
        if text == BEGIN:
            if opened is not None:
                raise MarkerError(
                    label,
                    cell,
                    number + 1,
                    f"nested {BEGIN!r}: the block opened on line {opened + 1} "
                    f"is not closed by {END!r} yet",
                )
            opened = number
        elif text == END:
            if opened is None:
                raise MarkerError(
                    label,
                    cell,
                    number + 1,
                    f"{END!r} without a matching {BEGIN!r} before it",
                )
            blocks.append(Block(opened, number))
            opened = None
        elif _LOOKS_LIKE_MARKER.match(line):
            raise MarkerError(
                label,
                cell,
                number + 1,
                f"malformed marker {text!r}: write exactly {BEGIN!r} or {END!r} "
                "on a line of its own",
            )
    if opened is not None:
        raise MarkerError(
            label,
            cell,
            opened + 1,
            f"{BEGIN!r} is never closed by {END!r} in this cell",
        )
    return blocks


def check_names(nb: nbformat.NotebookNode) -> frozenset[str]:
    """The names a notebook's imports bind to :mod:`cnnbook.checks` or anything in it.

    ``from cnnbook import checks`` binds ``checks``; ``from cnnbook.checks import
    ch03 as c3`` binds ``c3``; ``import cnnbook.checks`` binds ``cnnbook``.
    """
    return frozenset(check_bindings(nb))


def check_bindings(nb: nbformat.NotebookNode) -> dict[str, str]:
    """What each name of :func:`check_names` is bound to, as a dotted path.

    ``{"checks": "cnnbook.checks", "c3": "cnnbook.checks.ch03", "cnnbook":
    "cnnbook"}``: a check cell's ``c3.segments`` is ``cnnbook.checks.ch03.segments``.
    """
    names = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(_parse(cell.source) or ast.Module(body=[])):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if _in_checks(full):
                        names[alias.asname or alias.name] = full
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if _in_checks(alias.name):
                        if alias.asname:
                            names[alias.asname] = alias.name
                        else:
                            names[alias.name.split(".")[0]] = alias.name.split(".")[0]
    return names


def _in_checks(dotted: str) -> bool:
    return dotted == CHECKS_PACKAGE or dotted.startswith(CHECKS_PACKAGE + ".")


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython magics, a student's typo
        return None


def called_check(cell: nbformat.NotebookNode, names: frozenset[str]) -> str | None:
    """The dotted name of the check a cell's last statement calls, or None.

    ``checks.ch03.step_memory(adam_gb, report, 32)`` gives
    ``"checks.ch03.step_memory"`` when ``checks`` is in ``names``.
    """
    if cell.cell_type != "code":
        return None
    tree = _parse(cell.source)
    if tree is None or not tree.body:
        return None
    last = tree.body[-1]
    if not isinstance(last, ast.Expr) or not isinstance(last.value, ast.Call):
        return None
    parts, func = [], last.value.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in names:
        return None
    return ".".join([func.id, *reversed(parts)])


def check_cells(nb: nbformat.NotebookNode) -> list[int]:
    """Indices of the notebook's check cells, found by what they call."""
    names = check_names(nb)
    return [i for i, cell in enumerate(nb.cells) if called_check(cell, names)]


def is_check_cell(
    cell: nbformat.NotebookNode, names: frozenset[str] = frozenset({"checks"})
) -> bool:
    """True if ``cell`` calls a check (see :func:`called_check`)."""
    return called_check(cell, names) is not None


def code_stub(block_lines: list[str], indent: str) -> list[str]:
    """What the student sees instead of a code block (see the module docstring)."""
    text = textwrap.dedent("\n".join(block_lines))
    try:
        body = ast.parse(text).body
    except SyntaxError:
        body = []
    if body and _is_simple_assignment(body[-1]):
        answer = f"{indent}{_left_side(body[-1], text)} = ...  {ANSWER_STUB}"
        return [answer] if len(body) == 1 else [f"{indent}{CODE_STUB}", answer]
    return [f"{indent}{CODE_STUB}", f"{indent}..."]


def _is_simple_target(node: ast.expr) -> bool:
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_simple_target(elt) for elt in node.elts)
    return isinstance(node, (ast.Name, ast.Attribute, ast.Subscript))


def _is_simple_assignment(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign):
        return all(_is_simple_target(t) for t in statement.targets)
    return (
        isinstance(statement, ast.AnnAssign)
        and statement.value is not None
        and _is_simple_target(statement.target)
    )


def _left_side(statement: ast.stmt, text: str) -> str:
    if isinstance(statement, ast.AnnAssign):
        target = ast.get_source_segment(text, statement.target)
        return f"{target}: {ast.get_source_segment(text, statement.annotation)}"
    return " = ".join(ast.get_source_segment(text, t) for t in statement.targets)


def _split_source(source: str, blocks: list[Block], stub) -> tuple[str, str]:
    """(exercise source, solution source) of one cell."""
    lines = source.splitlines()
    exercise: list[str] = []
    solution: list[str] = []
    position = 0
    for block in blocks:
        exercise += lines[position : block.begin]
        solution += lines[position : block.begin]
        inner = lines[block.begin + 1 : block.end]
        marker = lines[block.begin]
        exercise += stub(inner, marker[: len(marker) - len(marker.lstrip())])
        solution += inner
        position = block.end + 1
    exercise += lines[position:]
    solution += lines[position:]
    return "\n".join(exercise), "\n".join(solution)


def _markdown_stub(block_lines: list[str], indent: str) -> list[str]:
    return [MODEL_ANSWER_STUB]


# --------------------------------------------------------------------------- notebooks
def split_notebook(
    nb: nbformat.NotebookNode, label: str = "notebook"
) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    """(exercise, unexecuted solution) made from an instructor notebook.

    ``nb`` is not modified. Raises :class:`MarkerError` for bad markers.
    """
    exercise, solution = copy.deepcopy(nb), copy.deepcopy(nb)
    _ensure_ids(exercise, label)
    _ensure_ids(solution, label)
    pairs = zip(exercise.cells, solution.cells, strict=True)
    for index, (ex_cell, sol_cell) in enumerate(pairs):
        blocks = find_blocks(ex_cell.source, label, index)
        if blocks and ex_cell.cell_type not in ("code", "markdown"):
            raise MarkerError(
                label,
                index,
                blocks[0].begin + 1,
                f"solution markers belong in code or markdown cells, not "
                f"{ex_cell.cell_type} cells",
            )
        if blocks:
            stub = code_stub if ex_cell.cell_type == "code" else _markdown_stub
            ex_cell.source, sol_cell.source = _split_source(
                ex_cell.source, blocks, stub
            )
        if solutions_only(ex_cell):
            ex_cell.source = (
                SOLUTIONS_ONLY_STUB if ex_cell.cell_type == "markdown" else ""
            )
        for cell in (ex_cell, sol_cell):
            cell.metadata.pop("execution", None)
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
    for book in (exercise, solution):
        book.metadata["kernelspec"] = dict(KERNELSPEC)
        book.metadata["language_info"] = dict(LANGUAGE_INFO)
        book.metadata.pop("widgets", None)
    return exercise, solution


def solutions_only(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` belongs to the solutions only (see the module docstring)."""
    meta = cell.get("metadata", {}).get("cnnbook", {})
    return isinstance(meta, dict) and meta.get("solutions_only") is True


def _ensure_ids(nb: nbformat.NotebookNode, label: str) -> None:
    """Keep the source's cell ids; give id-less cells ids derived from the file."""
    nb.nbformat_minor = max(nb.nbformat_minor, 5)
    seen = set()
    for index, cell in enumerate(nb.cells):
        if not cell.get("id"):
            digest = hashlib.sha1(f"{Path(label).name}:{index}".encode()).hexdigest()
            cell["id"] = digest[:8]
        if cell.id in seen:
            raise ValueError(f"{label}: cell {index} repeats the cell id {cell.id!r}")
        seen.add(cell.id)


# --------------------------------------------------------------------------- files
def _output_dirs(
    paths: list[Path], exercises_dir: Path | None, solutions_dir: Path | None
) -> tuple[Path, Path]:
    root = paths[0].parent.parent
    exercises = Path(exercises_dir) if exercises_dir is not None else root / "exercises"
    solutions = Path(solutions_dir) if solutions_dir is not None else root / "solutions"
    if exercises.resolve() == solutions.resolve():
        raise ValueError(
            f"exercises_dir and solutions_dir must differ, both are {str(exercises)!r}"
        )
    sources = {p.resolve().parent for p in paths}
    for arg, folder in (("exercises_dir", exercises), ("solutions_dir", solutions)):
        if folder.resolve() in sources:
            raise ValueError(
                f"{arg} must not be a folder of source notebooks, got {str(folder)!r}"
            )
    return exercises, solutions


def _check_paths(paths: Iterable[Path | str]) -> list[Path]:
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("paths must name at least one .ipynb file")
    names: dict[str, Path] = {}
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r}")
        if path.name in names and names[path.name].resolve() != path.resolve():
            raise ValueError(
                f"paths {str(names[path.name])!r} and {str(path)!r} would both write "
                f"{path.name!r}"
            )
        names[path.name] = path
    return list(dict.fromkeys(paths))


def generate_files(
    paths: Iterable[Path | str],
    exercises_dir: Path | str | None = None,
    solutions_dir: Path | str | None = None,
    execute: bool = True,
    timeout: int = DEFAULT_TIMEOUT,
    log: Callable[..., None] | None = print,
    colab_ref: str | None = None,
    student: str | None = None,
    overwrite: bool = False,
) -> list[GenerationResult]:
    """Write ``exercises_dir/NAME`` and ``solutions_dir/NAME`` for every source.

    Defaults: ``exercises/`` and ``solutions/`` beside the sources' folder. Every
    source is split (and its markers checked) before anything is written or
    executed. ``execute=False`` writes the solutions unexecuted (no outputs):
    the tests use it to compare sources without running kernels. Both
    notebooks get the Colab install cell, installing cnnbook at ``colab_ref``
    (default: the branch in ``_config.yml``). ``student``: the solutions of
    that student's variant, into ``solutions_dir`` (required, and never the
    default ``solutions/`` unless ``overwrite``); no exercise is written.
    """
    paths = _check_paths(paths)
    exercises, solutions = _output_dirs(
        paths,
        Path(exercises_dir) if exercises_dir is not None else None,
        Path(solutions_dir) if solutions_dir is not None else None,
    )
    if student is not None:
        student = variants.check_id(student)
        check_student_folder(paths, solutions_dir, overwrite)
    install = colab.install_cell(ref=colab_ref)
    split = [
        tuple(
            colab.with_install_cell(nb, install)
            for nb in split_notebook(nbformat.read(path, as_version=4), str(path))
        )
        for path in paths
    ]
    results = []
    total = len(paths)
    for number, (path, (exercise, solution)) in enumerate(
        zip(paths, split, strict=True), start=1
    ):
        if log:
            log(f"[{number}/{total}] {path}: generating ...", flush=True)
        start = time.perf_counter()
        if execute:
            out_dir = solutions.resolve()
            out_dir.mkdir(parents=True, exist_ok=True)
            with kernel_student(student):
                solution = execute_notebook(
                    solution, cwd=out_dir, timeout=timeout, label=str(path)
                )
        seconds = time.perf_counter() - start
        ex_path, sol_path = exercises / path.name, solutions / path.name
        result = GenerationResult(
            path,
            ex_path,
            sol_path,
            student is None and write_if_changed(exercise, ex_path),
            write_if_changed(solution, sol_path),
            seconds,
        )
        if log:
            log(
                f"[{number}/{total}] {path}: "
                f"{ex_path} {_state(result.exercise_changed)}, "
                f"{sol_path} {_state(result.solution_changed)} "
                f"({'executed' if execute else 'not executed'}, {seconds:.1f} s)",
                flush=True,
            )
        results.append(result)
    return results


def _state(changed: bool) -> str:
    return "updated" if changed else "unchanged"
