"""The term layer's one call into the grader: grade a folder, get ``list[Row]``.

Everything a term builds (:mod:`cnnbook.grading.term` and the outputs) reads
the rows of grades.csv (:mod:`cnnbook.grading.results`), never the grader's
internals; this module is the only place that calls
:func:`cnnbook.grading.grader.grade_folder`. It turns the grader's report
into rows (status, points only when graded, the answer as read) and writes
them as ``DIR/grades.csv`` in the columns of :data:`results.CSV_FIELDS`.

``students`` maps a submissions folder to the roster's id of its student:
the id under which each answer must be judged (the student's variant) and
that the ``student`` column carries.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cnnbook.grading.answers import decode
from cnnbook.grading.grader import CSV_NAME, GradeOptions, grade_folder
from cnnbook.grading.results import Row, write_rows
from cnnbook.grading.term import folder_of

__all__ = ["grade_rows"]

GRADED = ("correct", "incorrect", "unanswered")


def _answer_text(data: dict | None) -> str:
    if not data:
        return ""
    if data.get("t") == "keras":
        text = "a Keras model"
    else:
        try:
            text = repr(decode(data))
        except (ValueError, TypeError, RecursionError, MemoryError):
            text = f"<{data.get('t')}>"
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


def _rows(report, students: dict[str, str]) -> list[Row]:
    rows = []
    for run in report.runs:
        folder = folder_of(run.relative)
        student = students.get(folder, folder)
        if run.assignment is None:
            why = run.problem or "the notebook matches none of the exercises"
            rows.append(
                Row(
                    run.relative,
                    student,
                    "",
                    "",
                    f"skipped: {why}",
                    None,
                    None,
                    "",
                    f"Not graded: {why}.",
                )
            )
            continue
        old = {
            row.question: row for row in report.rows if row.submission == run.relative
        }
        for check in run.assignment.checks:
            verdict = run.verdicts.get(check.qid)
            feedback = old[check.qid].feedback
            if not run.problem and verdict is not None and verdict.status in GRADED:
                status, points = "graded", old[check.qid].points
            else:
                why = run.problem or (verdict.message if verdict else "no verdict")
                status, points = f"not graded: {why.removeprefix('Not graded: ')}", None
            rows.append(
                Row(
                    run.relative,
                    student,
                    run.assignment.name,
                    check.qid,
                    status,
                    points,
                    check.points,
                    _answer_text(run.answers.get(check.qid)),
                    feedback,
                )
            )
    return sorted(rows, key=lambda row: row.submission)


def grade_rows(
    folder: Path,
    source: Path,
    options: GradeOptions,
    students: dict[str, str] | None = None,
    log: Callable[..., None] | None = print,
) -> tuple[list[Row], int]:
    """Grade every submission under ``folder``: (its rows, the grader's exit
    code). Writes ``folder/grades.csv``."""
    report = grade_folder(folder, source=source, options=options, log=log)
    rows = _rows(report, students or {})
    write_rows(rows, Path(folder) / CSV_NAME)
    return rows, report.exit_code
