"""An nbgrader course made from the same sources: ``make nbgrader``.

For a course that grades on the JupyterHub it already runs, ``cnnbook
nbgrader notebooks/*.ipynb --out DIR`` writes an nbgrader
course directory: ``DIR/nbgrader_config.py`` and ``DIR/source/chNN/NAME.ipynb``
for every source, each cell given nbgrader's metadata (schema 3):

* a code cell with solution blocks is an *autograded answer* (``solution``);
  each block is preceded by the stub ``exercises/`` shows, and nbgrader's own
  stub is set to nothing, so ``nbgrader generate_assignment`` releases exactly
  the student notebook of ``exercises/`` (modulo a blank line);
* a markdown cell with a model answer is a *manually graded answer*, worth
  the points its metadata gives a hand-graded question
  (:mod:`cnnbook.term.manual`), else 0;
* a check cell is an *autograder test* worth its question's points
  (:mod:`cnnbook.grading.assignment`), exactly as in ``exercises/``: under
  ``nbgrader autograde`` the kernel extension
  :mod:`cnnbook.grading.nbgrader_kernel` (loaded by the course's
  ``nbgrader_config.py``) makes the cell fail unless the check says
  "Correct", and judges it as the student being graded (their variant). No
  hidden test is cut out of a locked cell, so autograde finds every locked
  cell of an untouched submission as it stored it: no "checksum changed"
  warning (nbgrader issue #1961 is what hidden tests in locked cells cause);
* every other cell is *read-only* (``locked``): autograde restores it.

``nbgrader_config.py`` also puts the folder of the Python that runs nbgrader
first on ``PATH``: nbgrader runs ``alembic`` (and the kernel, ``python``)
from ``PATH``, so ``.venv/bin/nbgrader`` works from any shell, activated or
not.

The scores of ``nbgrader autograde`` equal those of ``make grade`` (a test
runs both on the same submissions). What differs is the trust model:
nbgrader runs the tests in the student's own kernel, after the student's
code, so a student who monkeypatches ``checks`` can pass them; ``make grade``
judges answers outside the kernel.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import nbformat

from cnnbook.authoring import colab
from cnnbook.authoring.execute import write_if_changed
from cnnbook.authoring.exercises import (
    MODEL_ANSWER_STUB,
    SOLUTIONS_ONLY_STUB,
    code_stub,
    find_blocks,
    solutions_only,
)
from cnnbook.grading.assignment import Assignment, manual_questions

__all__ = ["CONFIG", "course_notebook", "grade_id", "write_course"]

SCHEMA_VERSION = 3
CONFIG = """\
# nbgrader configuration written by `make nbgrader` (cnnbook.grading.nbgrader_course).
import os
import sys
import tempfile

c = get_config()  # noqa: F821

# nbgrader runs `alembic` from PATH: the tools beside the Python that runs
# nbgrader come first, whatever the shell's PATH (no venv to activate).
os.environ["PATH"] = os.pathsep.join(
    [os.path.dirname(sys.executable), os.environ.get("PATH", "")]
)
# Every kernel nbgrader starts loads cnnbook's extension: under autograde each
# check cell fails unless its check says Correct, judged as the student graded
# (cnnbook/grading/nbgrader_kernel.py). The first argument is nbgrader's default.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--ext=cnnbook.grading.nbgrader_kernel",
]
# Kernels reached over Unix sockets in a private folder, not TCP (over TCP
# ipykernel warns, for every notebook, that the traffic is not encrypted).
c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(tempfile.mkdtemp(prefix="nbgrader-"), "kernel")

c.CourseDirectory.course_id = "cnnbook"
# The stubs the students see are already in the source notebooks, right above
# each solution block, so nbgrader adds none of its own.
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = ""
# Chapters build Keras models in a few seconds; leave room for slow machines.
c.Execute.timeout = 300
"""


def grade_id(text: str) -> str:
    """nbgrader's id for a cell: ``ch02_q1a-check`` for question ``ch02.q1a-check``."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def _with_stubs(source: str, cell_type: str, label: str, index: int) -> str:
    """The cell with the student's stub inserted above each solution block."""
    lines = source.splitlines()
    out: list[str] = []
    position = 0
    for block in find_blocks(source, label, index):
        out += lines[position : block.begin]
        marker = lines[block.begin]
        indent = marker[: len(marker) - len(marker.lstrip())]
        inner = lines[block.begin + 1 : block.end]
        if cell_type == "code":
            out += code_stub(inner, indent)
        else:
            out.append(MODEL_ANSWER_STUB)
        out += lines[block.begin : block.end + 1]
        position = block.end + 1
    out += lines[position:]
    return "\n".join(out)


def _metadata(name: str, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "solution": solution,
        "locked": locked,
        "grade_id": name,
        "schema_version": SCHEMA_VERSION,
    }
    if points is not None:
        meta["points"] = points
    return meta


def course_notebook(assignment: Assignment) -> nbformat.NotebookNode:
    """The nbgrader source notebook of ``assignment`` (see the module doc).

    It starts with the Colab install cell, as the student notebooks of
    exercises/ do (it does nothing outside Colab), so nbgrader releases the
    same notebook students get from the book."""
    nb = colab.with_install_cell(assignment.source, colab.install_cell())
    checks = assignment.check_ids
    manual = {q.cell_id: q.points for q in manual_questions(assignment)}
    prefix = assignment.chapter
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell_name = grade_id(f"{prefix}_{cell.id}")
        check = checks.get(cell.id)
        if check is not None:
            meta = _metadata(
                grade_id(check.qid), grade=True, locked=True, points=check.points
            )
        elif cell.id in assignment.solution_cells:
            cell.source = _with_stubs(
                cell.source, cell.cell_type, assignment.name, index
            )
            markdown = cell.cell_type == "markdown"
            points = manual.get(cell.id, 0) if markdown else None
            meta = _metadata(cell_name, grade=markdown, solution=True, points=points)
        else:
            if solutions_only(cell):  # a recap of answers: not for students
                markdown = cell.cell_type == "markdown"
                cell.source = SOLUTIONS_ONLY_STUB if markdown else ""
            meta = _metadata(cell_name, locked=True)
        cell.metadata["nbgrader"] = meta
    return nb


def write_course(sources: Iterable[Path | str], out: Path | str) -> list[Path]:
    """Write the course directory ``out``; the notebooks written or unchanged."""
    out = Path(out)
    sources = [Path(p) for p in sources]
    if not sources:
        raise ValueError("sources must name at least one .ipynb file")
    written = []
    for path in sources:
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"sources must be .ipynb files, got {str(path)!r}")
        assignment = Assignment.from_file(path)
        target = out / "source" / assignment.chapter / path.name
        write_if_changed(course_notebook(assignment), target)
        written.append(target)
    out.mkdir(parents=True, exist_ok=True)
    config = out / "nbgrader_config.py"
    if not config.is_file() or config.read_text() != CONFIG:
        config.write_text(CONFIG)
    return written
