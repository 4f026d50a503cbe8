"""Questions a person grades: prose answers, read from the notebooks, graded in a
spreadsheet (``manual.csv``) and merged back into every output.

A markdown cell of the source with a model answer between the solution
markers is a hand-graded question when its metadata gives its points, and
optionally a rubric of a few lines::

    {"cnnbook": {"points": 2, "rubric": ["1: training keeps ...", "1: ..."]}}

Its id is the chapter and the cell id (``ch02.q1e``), as for a check cell
without a bank question. The student's answer is read straight from the
submitted notebook, no kernel needed: the text of that cell after the question
(the stub removed), plus any markdown cell the student added right below it.
A blank answer is graded 0 ("Not answered") without a person.

``manual.csv`` has one row per (student, question) to grade, sorted by
question so that one person grades one question for the whole class:
``student, name, notebook, question, max_points, rubric, answer, points,
comment, answer_digest``. Filled in (points, comment) and given back with
``MANUAL=``, it is merged; a filled file is checked row by row (points not a
whole number, above the maximum, an unknown student or question: an error that
names the spreadsheet's row). ``answer_digest`` ties a grade to the answer
graded: when a regraded student's answer has changed, their grade is dropped
and the row is to grade again.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import nbformat

from cnnbook.authoring.exercises import MODEL_ANSWER_STUB
from cnnbook.grading.answers import one_line
from cnnbook.grading.assignment import (
    ManualQuestion,
    manual_questions,
)
from cnnbook.grading.results import Row, write_csv_atomically

__all__ = [
    "MANUAL_FIELDS",
    "HandGrade",
    "ManualQuestion",
    "manual_questions",
    "read_answer",
    "read_manual",
    "write_manual",
]

MAX_ANSWER = 20_000
PENDING = "not graded: to be graded by hand (manual.csv)"
MANUAL_FIELDS = (
    "student",
    "name",
    "notebook",
    "question",
    "max_points",
    "rubric",
    "answer",
    "points",
    "comment",
    "answer_digest",
)


@dataclass(frozen=True)
class HandGrade:
    points: int | None
    comment: str
    digest: str


def read_answer(
    nb: nbformat.NotebookNode, question: ManualQuestion, source_ids: set[str]
) -> str:
    """The student's prose answer to ``question`` in ``nb`` ("" when none)."""
    cells = nb.cells
    index = next(
        (i for i, c in enumerate(cells) if c.get("id") == question.cell_id), None
    )
    if index is None:
        return ""
    text = cells[index].source
    prompt = question.prompt.rstrip()
    if prompt and text.startswith(prompt):
        text = text[len(prompt) :]
    parts = [text.replace(MODEL_ANSWER_STUB, "").strip()]
    for cell in cells[index + 1 :]:  # markdown the student added below it
        if cell.get("id") in source_ids or cell.cell_type == "code":
            break
        parts.append(cell.source.strip())
    answer = "\n\n".join(part for part in parts if part)
    if len(answer) > MAX_ANSWER:
        answer = answer[:MAX_ANSWER] + " [... cut by the grader]"
    return answer


def digest(answer: str) -> str:
    """A short fingerprint of an answer (letters first: no spreadsheet takes
    it for a number)."""
    return "h" + hashlib.sha256(answer.encode()).hexdigest()[:16]


def manual_row(
    base: Row, question: ManualQuestion, answer: str, grade: HandGrade | None
) -> Row:
    """The grades.csv row of a hand-graded question."""
    common = dict(
        submission=base.submission,
        student=base.student,
        notebook=question.notebook,
        question=question.qid,
        max_points=question.points,
        answer=one_line(answer),
    )
    if not answer.strip():
        return Row(**common, status="graded", points=0, feedback="Not answered.")
    if grade is None or grade.points is None:
        feedback = "To be graded by your instructor."
        return Row(**common, status=PENDING, points=None, feedback=feedback)
    feedback = grade.comment or "Graded by your instructor."
    return Row(**common, status="graded", points=grade.points, feedback=feedback)


# ------------------------------------------------------------------- manual.csv
def write_manual(records: list[dict], path: Path) -> None:
    """Write manual.csv atomically; ``records`` have :data:`MANUAL_FIELDS`."""

    def fill(out: TextIO) -> None:
        writer = csv.DictWriter(out, MANUAL_FIELDS)
        writer.writeheader()
        writer.writerows(records)

    write_csv_atomically(path, fill)


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_manual(
    path: Path | str,
    expected: dict[tuple[str, str], int],
    strict: bool = True,
) -> tuple[dict[tuple[str, str], HandGrade], list[str]]:
    """The hand grades of a filled manual.csv, and notices.

    ``expected`` maps each (student, question) of this run to its maximum.
    ``strict``: an unknown pair is an error (the file the instructor gives
    back); otherwise skipped with a notice (the previous run's file)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets add a BOM
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(
            f"manual must be a readable UTF-8 CSV file, got {str(path)!r} ({err})"
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_dialect(text))
    missing = {"student", "question", "points"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(
            f"{path}: a manual grades file needs the columns student, question, "
            f"points (and comment, answer_digest), missing {sorted(missing)}"
        )
    grades: dict[tuple[str, str], HandGrade] = {}
    notices = []
    for number, record in enumerate(reader, start=2):  # a spreadsheet's row
        where = f"{path} row {number}"
        student = (record.get("student") or "").strip()
        qid = (record.get("question") or "").strip()
        raw = (record.get("points") or "").strip()
        comment = (record.get("comment") or "").strip()
        key = (student, qid)
        if not student and not qid and not raw and not comment:
            continue
        if key not in expected:
            message = (
                f"{where}: student {student!r} has no answer to question {qid!r} "
                "in these submissions (unknown student or question)"
            )
            if strict:
                raise ValueError(message)
            notices.append(f"{message}; ignored")
            continue
        if key in grades:
            raise ValueError(f"{where}: student {student!r}, question {qid!r} again")
        points = None
        if raw:
            top = expected[key]
            try:
                number = float(raw.replace(",", "."))
            except ValueError:
                number = float("nan")
            if not number.is_integer() or not 0 <= number <= top:
                raise ValueError(
                    f"{where} (student {student!r}, question {qid!r}): points must "
                    f"be a whole number from 0 to {top}, got {raw!r}"
                )
            points = int(number)
        grades[key] = HandGrade(points, comment, (record.get("answer_digest") or ""))
    return grades, notices
