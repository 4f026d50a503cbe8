"""A submitted notebook: which assignment it is, and what the grader runs.

Recognition: a student's notebook carries the cell ids of ``exercises/``,
which keep the source's ids, and the source's check cells and read-only cells
verbatim; a renamed file is recognised by those, a file that is not a notebook
by its name. Each source scores the student cells whose id *and* text match
one of its cells, plus the check cells found verbatim, plus a bonus when the
file's name matches; the best score wins, a tie or nothing recognises nothing.

The run plan (:func:`plan`) walks the student's cells in their order:

* a cell with solution blocks in the source is the student's: their text runs;
* a check cell is replaced by a check step: the grader reads the answer out
  of the kernel and judges it itself; the student's copy never runs;
* every other code cell of the source (the setup) runs as the source has it,
  whatever the student made of it; markdown is skipped;
* a cell the student added runs where they put it;
* a source cell missing from the submission (a deleted check or setup cell)
  is put back after the source cell that precedes it.

Edited and deleted cells of the instructor are named in a note that goes with
the next question's feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from cnnbook.grading.assignment import Assignment, GradedCheck

__all__ = ["Step", "plan", "read_submission", "recognise"]

NAME_BONUS = 3
MAX_NOTEBOOK_BYTES = 100_000_000
"""The largest file read as a submission (outputs and images included)."""
SOURCE_CHECK = "the source's check was used."


@dataclass
class Step:
    """One thing the grader does in the kernel."""

    code: str
    check: GradedCheck | None = None
    label: str = ""  # "cell 7" of the submission (from 1), or "source cell q1a-check"
    notes: list[str] = field(default_factory=list)


def read_submission(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """(notebook, "") or (None, why it is not a notebook)."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            mb = MAX_NOTEBOOK_BYTES // 10**6
            return None, f"the file is larger than {mb} MB ({size:,} bytes)"
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "the file is not a notebook (not UTF-8 text)"
    except OSError as err:
        return None, f"the file could not be read ({err.strerror})"
    try:
        nb = nbformat.reads(text, as_version=4)
        cells = nb.cells
        if not isinstance(cells, list):
            raise ValueError("no list of cells")
        for cell in cells:
            if cell.get("cell_type") not in ("code", "markdown", "raw"):
                raise ValueError("a cell of unknown type")
            if not isinstance(cell.get("source"), str):
                raise ValueError("a cell without text")
    except Exception as err:  # nbformat raises many kinds on bad JSON
        reason = str(err).strip().splitlines()[0][:120] if str(err).strip() else ""
        return None, f"the file is not a notebook ({type(err).__name__}: {reason})"
    return nb, ""


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _score(nb: nbformat.NotebookNode | None, name: str, assignment: Assignment) -> int:
    score = 0
    if name == assignment.name:
        score += NAME_BONUS
    elif name.split("_")[0] == assignment.name.split("_")[0] and name[:1].isdigit():
        score += NAME_BONUS - 1
    if nb is None:
        return score
    source = {cell.id: _normal(cell.source) for cell in assignment.source.cells}
    texts = {_normal(cell.source) for cell in nb.cells}
    for cell in nb.cells:
        if source.get(cell.get("id")) == _normal(cell.source) and cell.source.strip():
            score += 1
    for check in assignment.checks:
        if _normal(assignment.source.cells[check.cell_index].source) in texts:
            score += 1
    return score


def recognise(
    nb: nbformat.NotebookNode | None, path: Path, assignments: dict[str, Assignment]
) -> Assignment | None:
    """The assignment ``nb`` (read from ``path``; None if unreadable) answers."""
    scores = sorted(
        ((_score(nb, Path(path).stem, a), name) for name, a in assignments.items()),
        reverse=True,
    )
    if not scores or scores[0][0] == 0:
        return None
    if len(scores) > 1 and scores[1][0] == scores[0][0]:
        return None
    return assignments[scores[0][1]]


def _match(nb: nbformat.NotebookNode, assignment: Assignment) -> dict[int, int]:
    """Student cell index -> source cell index, by id, else by identical text."""
    by_id = {cell.id: i for i, cell in enumerate(assignment.source.cells)}
    matched: dict[int, int] = {}
    for i, cell in enumerate(nb.cells):
        j = by_id.get(cell.get("id"))
        if j is not None and assignment.source.cells[j].cell_type == cell.cell_type:
            if j not in matched.values():
                matched[i] = j
    used = set(matched.values())
    texts: dict[str, int] = {}
    for j, cell in enumerate(assignment.source.cells):
        if j not in used and cell.source.strip():
            texts.setdefault(_normal(cell.source), j)
    for i, cell in enumerate(nb.cells):
        if i in matched:
            continue
        j = texts.pop(_normal(cell.source), None)
        if j is not None and j not in used:
            matched[i] = j
            used.add(j)
    return matched


def plan(nb: nbformat.NotebookNode, assignment: Assignment) -> list[Step]:
    """The steps that grade ``nb`` (see the module docstring)."""
    source = assignment.source.cells
    matched = _match(nb, assignment)
    present = set(matched.values())
    steps: list[Step] = []
    pending: list[str] = []

    def emit(step: Step) -> None:
        if step.check is not None and pending:
            step.notes.extend(pending)
            pending.clear()
        steps.append(step)

    def restore(j: int, how: str) -> None:
        """Run source cell ``j`` as the source has it."""
        cell = source[j]
        check = assignment.check_ids.get(cell.id)
        if check is not None:
            note = f"The check cell was {how} in the submission; {SOURCE_CHECK}"
            emit(Step(check.prelude, check, f"source cell {cell.id}", [note]))
        elif cell.cell_type == "code":
            if how != "kept":
                pending.append(
                    f"Cell {cell.id!r} of the instructor was {how}; "
                    "the source's version was run."
                )
            code = assignment.exercise.cells[j].source
            emit(Step(code, None, f"source cell {cell.id}"))

    # Source cells the submission lacks go right after the cell before them.
    anchors: dict[int, list[int]] = {}
    last = -1
    for j in range(len(source)):
        if j in present:
            last = j
        elif (
            source[j].cell_type == "code"
            and source[j].id not in assignment.solution_cells
        ):
            anchors.setdefault(last, []).append(j)
    for j in anchors.get(-1, []):
        restore(j, "deleted")
    for i, cell in enumerate(nb.cells):
        j = matched.get(i)
        if j is None:
            if cell.cell_type == "code":
                emit(Step(cell.source, None, f"cell {i + 1}"))
            continue
        source_cell = source[j]
        if source_cell.id in assignment.solution_cells:
            if cell.cell_type == "code":
                emit(Step(cell.source, None, f"cell {i + 1}"))
        elif source_cell.id in assignment.check_ids:
            check = assignment.check_ids[source_cell.id]
            edited = _normal(cell.source) != _normal(source_cell.source)
            notes = [f"The check cell was edited; {SOURCE_CHECK}"] if edited else []
            emit(Step(check.prelude, check, f"cell {i + 1}", notes))
        elif source_cell.cell_type == "code":
            edited = _normal(cell.source) != _normal(source_cell.source)
            restore(j, "edited" if edited else "kept")
        for k in anchors.get(j, []):
            restore(k, "deleted")
    return steps
