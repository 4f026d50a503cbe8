"""Submissions made from a source, for trying the graders: right, wrong, partial.

:func:`answered` fills a student's notebook (the ``exercises/`` version, or
the one ``nbgrader generate_assignment`` released: both carry the source's
cell ids and stubs) so that the first ``right`` questions have the source's
solution and every later one a wrong answer: each ``name = ...  # YOUR ANSWER
HERE`` stub becomes ``name = -1``, which no check accepts. A solution cell
belongs to the first check cell after it. The tests, the bench and the
nbgrader comparison grade such notebooks, so they follow the sources as those
change.
"""

from __future__ import annotations

import copy

import nbformat

from cnnbook.authoring.exercises import ANSWER_STUB, split_notebook
from cnnbook.grading.assignment import Assignment

__all__ = ["WRONG", "answered", "expected_points", "question_of_cells"]

WRONG = "-1"


def question_of_cells(assignment: Assignment) -> dict[str, int]:
    """Solution cell id -> index of the question (check) it answers."""
    owners, pending = {}, []
    checks = {check.cell_index: n for n, check in enumerate(assignment.checks)}
    for index, cell in enumerate(assignment.source.cells):
        if cell.id in assignment.solution_cells:
            pending.append(cell.id)
        if index in checks:
            owners.update(dict.fromkeys(pending, checks[index]))
            pending = []
    owners.update(dict.fromkeys(pending, len(assignment.checks)))
    return owners


def answered(
    nb: nbformat.NotebookNode, assignment: Assignment, right: int
) -> nbformat.NotebookNode:
    """A copy of the student notebook ``nb`` with the first ``right``
    questions answered as the source does and the others answered wrong."""
    if isinstance(right, bool) or not isinstance(right, int) or right < 0:
        raise ValueError(f"right must be a non-negative integer, got {right!r}")
    solution = split_notebook(assignment.source, label=assignment.name)[1]
    solved = {cell.id: cell.source for cell in solution.cells}
    owners = question_of_cells(assignment)
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        owner = owners.get(cell.get("id"))
        if owner is None or cell.cell_type != "code":
            continue
        if owner < right:
            cell.source = solved[cell.id]
        else:
            cell.source = cell.source.replace(f"= ...  {ANSWER_STUB}", f"= {WRONG}")
    return nb


def expected_points(assignment: Assignment, right: int) -> int:
    """The points of a notebook made by :func:`answered`."""
    return sum(check.points for check in assignment.checks[:right])
