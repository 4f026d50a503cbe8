"""A small exercise source built in code, and the ways students change it.

The fixture needs no TensorFlow, so its kernels start in a second or two:
the tests of the grader's mechanics use it, and the hostile folder of
tests/grading/test_grading_hostile.py uses a real source notebook.
"""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnnbook.grading.assignment import Assignment

NAME = "09_fixture"
B, E = "### BEGIN SOLUTION", "### END SOLUTION"
FORGE = textwrap.dedent(
    """\
    import json
    import cnnbook.checks.feedback as fb
    forged = lambda *args, **kwargs: fb.right("forged")
    checks.number = checks.choice = checks.shape = forged
    checks.ch05.my_lrn = forged
    fb.Feedback.__bool__ = lambda self: True
    _dumps = json.dumps
    def _forge(obj, *args, **kwargs):  # any verdict the kernel reports reads correct
        if isinstance(obj, dict) and "status" in obj:
            obj = {**obj, "status": "correct", "message": "Correct: forged"}
        return _dumps(obj, *args, **kwargs)
    json.dumps = _forge
    def my_lrn(x, k, n, alpha, beta):
        return x
    """
)
"""A student's cell that forges every verdict it can reach in its own kernel:
the checks, Feedback's truth, json.dumps of any verdict, and an identity
my_lrn as its code answer: none of it may earn a point."""

LRN_SOLUTION = """\
def my_lrn(x, k, n, alpha, beta):
    ### BEGIN SOLUTION
    r, maps = n // 2, x.shape[-1]
    padded = np.pad(x**2, [(0, 0)] * (x.ndim - 1) + [(r, r)])
    window = sum(padded[..., j : j + maps] for j in range(n))
    return x / (k + alpha * window) ** beta
    ### END SOLUTION"""


def _cell(cell_id: str, source: str, kind: str = "code", **metadata):
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    cell["id"] = cell_id
    cell.metadata.update(metadata)
    return cell


def fixture_notebook() -> nbformat.NotebookNode:
    """Four questions: a number whose check needs the notebook's state, an
    option worth 2 points (cell metadata), a function (the bank's ch05.my_lrn,
    3 points, carried out of the kernel and judged in a host) and a shape."""
    nb = new_notebook(
        cells=[
            _cell("intro", "# A fixture exercise", "markdown"),
            _cell(
                "setup", "import numpy as np\n\nfrom cnnbook import checks\nbase = 40"
            ),
            _cell("q1-answer", f"{B}\nanswer = base + 2\n{E}"),
            _cell("q1-check", "checks.number(answer, base + 2, what='the answer')"),
            _cell("q2-answer", f'{B}\npick = "b"\n{E}'),
            _cell(
                "q2-check",
                'checks.choice(pick, correct="b", options="abc")',
                cnnbook={"points": 2},
            ),
            _cell("q3-answer", LRN_SOLUTION),
            _cell("q3-check", "checks.ch05.my_lrn(my_lrn)"),
            _cell("q4-answer", f"{B}\nshape = (25, 38, 400)\n{E}"),
            _cell("q4-check", "checks.shape(shape, (25, 38, 400))"),
            _cell("why", f"**Why?**\n\n{B}\nBecause.\n{E}", "markdown"),
        ]
    )
    nb.nbformat_minor = 5
    return nb


def write_source(folder: Path, nb: nbformat.NotebookNode | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{NAME}.ipynb"
    nbformat.write(nb or fixture_notebook(), path)
    return path


def student(assignment: Assignment, solved: bool = True) -> nbformat.NotebookNode:
    """The exercise, with every question solved or left as the stubs."""
    from cnnbook.grading.samples import answered

    exercise = copy.deepcopy(assignment.exercise)
    return (
        answered(exercise, assignment, len(assignment.checks)) if solved else exercise
    )


def cell_index(nb: nbformat.NotebookNode, cell_id: str) -> int:
    return next(i for i, cell in enumerate(nb.cells) if cell.get("id") == cell_id)


def insert_after(nb, cell_id: str, source: str, new_id: str = "student-cell"):
    nb = copy.deepcopy(nb)
    cell = new_code_cell(source)
    cell["id"] = new_id
    nb.cells.insert(cell_index(nb, cell_id) + 1, cell)
    return nb


def set_source(nb, cell_id: str, source: str):
    nb = copy.deepcopy(nb)
    nb.cells[cell_index(nb, cell_id)].source = source
    return nb


def delete(nb, cell_id: str):
    nb = copy.deepcopy(nb)
    del nb.cells[cell_index(nb, cell_id)]
    return nb
