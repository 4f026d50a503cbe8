"""An exercise source read as an assignment: its graded questions and their points.

Both graders read the source notebooks (``notebooks/NN_slug.ipynb``) through
this module, so ``make grade`` and the nbgrader course agree on what is graded
and how much it is worth:

* every check cell (found by what it calls, see
  :func:`cnnbook.authoring.exercises.check_cells`) is one question;
* a check cell that calls a question of the bank with the student's variable
  only (``checks.ch03.segments(segments)``) is that question: its id
  (``"ch03.segments"``) and its points come from
  :mod:`cnnbook.checks.bank`;
* any other check cell (``checks.number(x, expected, ...)``) is a question of
  its own worth 1 point, its id made of the chapter and the cell id
  (``"ch03.oomex-18"``);
* a cell's metadata ``{"cnnbook": {"points": 3}}`` overrides either.

The student's answer is the first positional argument of the check call
(``segments`` above): the grader reads that value out of the student's kernel
and judges it itself.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import nbformat

from cnnbook.authoring.exercises import (
    MODEL_ANSWER_STUB,
    called_check,
    check_bindings,
    find_blocks,
    split_notebook,
)
from cnnbook.grading.answers import import_dotted

__all__ = [
    "MANUAL_KEY",
    "Assignment",
    "GradedCheck",
    "ManualQuestion",
    "chapter_of",
    "load_assignments",
    "manual_questions",
]

POINTS_KEY = "cnnbook"


@dataclass(frozen=True)
class GradedCheck:
    """One graded question: a check cell of the source."""

    qid: str
    points: int
    cell_id: str
    cell_index: int
    call: str
    """The check call, the cell's last statement (``checks.ch03.segments(s)``)."""
    prelude: str
    """The cell's statements before the call (usually empty)."""
    answer: str | None
    """The source of the answer expression, the call's first positional
    argument (``s``); None when the call has none."""
    bank: str | None
    """The bank question's id when the call names one with the answer only."""
    code_answer: bool = False
    """Whether the answer is code: a name the source defines with ``def`` or
    ``class``. Only such an answer is carried out of the kernel as code
    (:mod:`cnnbook.grading.carry`); any other answer that is not data earns 0."""


@dataclass(frozen=True, eq=False)
class Assignment:
    """A source notebook and the questions it grades."""

    name: str
    """The notebook's stem: ``"02_counting_parameters_and_memory"``."""
    chapter: str
    """``"ch02"``: the prefix of question ids that are not in the bank."""
    source: nbformat.NotebookNode
    """The instructor's notebook, markers kept, every cell with an id."""
    exercise: nbformat.NotebookNode
    """The student's version: stubs in place of the solutions, same ids."""
    checks: tuple[GradedCheck, ...]
    bindings: dict[str, str]
    """The notebook's names for cnnbook.checks (see ``check_bindings``)."""

    @property
    def max_points(self) -> int:
        return sum(check.points for check in self.checks)

    @cached_property
    def solution_cells(self) -> frozenset[str]:
        """Ids of the cells with solution blocks: the cells that are the
        student's; every other cell is the instructor's (read-only)."""
        return frozenset(
            cell.id
            for index, cell in enumerate(self.source.cells)
            if find_blocks(cell.source, self.name, index)
        )

    @cached_property
    def check_ids(self) -> dict[str, GradedCheck]:
        return {check.cell_id: check for check in self.checks}

    @classmethod
    def from_notebook(cls, nb: nbformat.NotebookNode, name: str) -> Assignment:
        """The assignment of a source notebook (``name``: its file stem)."""
        exercise, _ = split_notebook(nb, label=name)  # refuses bad markers
        source = copy.deepcopy(nb)
        source.nbformat_minor = exercise.nbformat_minor
        for cell, generated in zip(source.cells, exercise.cells, strict=True):
            cell["id"] = generated.id  # the ids exercises/ carries
        bindings = check_bindings(source)
        chapter = chapter_of(name)
        defined = _defined_names(source)
        checks: list[GradedCheck] = []
        for index, cell in enumerate(source.cells):
            dotted = called_check(cell, frozenset(bindings))
            if dotted is not None:
                check = _graded_check(cell, index, dotted, bindings, chapter)
                check = replace(check, code_answer=check.answer in defined)
                if any(c.qid == check.qid for c in checks):  # a question asked twice
                    check = replace(check, qid=f"{check.qid}@{check.cell_id}")
                checks.append(check)
        return cls(name, chapter, source, exercise, tuple(checks), bindings)

    @classmethod
    def from_file(cls, path: Path | str) -> Assignment:
        path = Path(path)
        return cls.from_notebook(nbformat.read(path, as_version=4), path.stem)


def _defined_names(nb: nbformat.NotebookNode) -> set[str]:
    """Names the notebook's code cells define with ``def`` or ``class``."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
    return names


def chapter_of(name: str) -> str:
    """``"ch02"`` for ``02_counting_parameters_and_memory``; the name otherwise."""
    match = re.match(r"(\d+)_", name)
    return f"ch{int(match.group(1)):02d}" if match else name


def _graded_check(cell, index: int, dotted: str, bindings, chapter) -> GradedCheck:
    tree = ast.parse(cell.source)
    call_node = tree.body[-1].value
    call = ast.get_source_segment(cell.source, tree.body[-1])
    prelude = "\n".join(
        ast.get_source_segment(cell.source, statement) for statement in tree.body[:-1]
    )
    answer = None
    if call_node.args and not isinstance(call_node.args[0], ast.Starred):
        answer = ast.get_source_segment(cell.source, call_node.args[0])
    question = resolve(dotted, bindings)
    bank = None
    if (
        _is_bank_question(question)
        and len(call_node.args) == 1
        and not call_node.keywords
        and answer is not None
    ):
        bank = question.qid
    points = question.points if bank else 1
    override = cell.metadata.get(POINTS_KEY, {}).get("points")
    if override is not None:
        if isinstance(override, bool) or not isinstance(override, int) or override < 0:
            raise ValueError(
                f"cell {cell.id}: metadata {POINTS_KEY}.points must be a "
                f"non-negative integer, got {override!r}"
            )
        points = override
    qid = bank or f"{chapter}.{cell.id}"
    return GradedCheck(qid, points, cell.id, index, call, prelude, answer, bank)


def resolve(dotted: str, bindings: dict[str, str]):
    """The object a check cell's dotted call names, imported here; None if it
    cannot be imported (a typo in the source is reported when it runs)."""
    head, _, rest = dotted.partition(".")
    return import_dotted(".".join(filter(None, [bindings.get(head, head), rest])))


def _is_bank_question(obj) -> bool:
    from cnnbook.checks.bank import Question

    return isinstance(obj, Question)


def load_assignments(folder: Path | str) -> dict[str, Assignment]:
    """Every ``*.ipynb`` source of ``folder``, by name."""
    folder = Path(folder)
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise ValueError(
            f"source must be a folder of .ipynb notebooks, got {str(folder)!r}"
        )
    return {path.stem: Assignment.from_file(path) for path in paths}


# ------------------------------------------------------------- hand-graded questions
MANUAL_KEY = "cnnbook"
"""A prose answer cell whose metadata ``cnnbook`` has ``points`` (and a
``rubric``) is a question a person grades (:mod:`cnnbook.term.manual`)."""


@dataclass(frozen=True)
class ManualQuestion:
    notebook: str
    qid: str
    cell_id: str
    points: int
    rubric: tuple[str, ...]
    prompt: str
    """The question's text as the student's notebook shows it (before the stub)."""


def manual_questions(assignment: Assignment) -> list[ManualQuestion]:
    """The hand-graded questions of ``assignment``, in the notebook's order."""
    questions = []
    exercise = {cell.id: cell.source for cell in assignment.exercise.cells}
    for cell in assignment.source.cells:
        meta = cell.metadata.get(MANUAL_KEY, {})
        if cell.cell_type != "markdown" or "points" not in meta:
            continue
        where = f"{assignment.name}, cell {cell.id}"
        if cell.id not in assignment.solution_cells:
            raise ValueError(
                f"{where}: a hand-graded question needs a model answer between "
                "the solution markers"
            )
        points = meta["points"]
        if isinstance(points, bool) or not isinstance(points, int) or points < 0:
            raise ValueError(
                f"{where}: metadata {MANUAL_KEY}.points must be a non-negative "
                f"integer, got {points!r}"
            )
        rubric = meta.get("rubric", [])
        rubric = [rubric] if isinstance(rubric, str) else rubric
        if not isinstance(rubric, list) or not all(isinstance(r, str) for r in rubric):
            raise ValueError(
                f"{where}: metadata {MANUAL_KEY}.rubric must be lines of text"
            )
        prompt = exercise[cell.id].split(MODEL_ANSWER_STUB)[0]
        qid = f"{assignment.chapter}.{cell.id}"
        questions.append(
            ManualQuestion(assignment.name, qid, cell.id, points, tuple(rubric), prompt)
        )
    return questions
