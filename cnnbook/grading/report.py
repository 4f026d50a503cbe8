"""What grading a class gives: grades.csv's rows and the table printed per student.

Each submission gives one row per question of its exercise (status
``graded``, ``not graded: ...`` or ``superseded: ...``), a file that matches
no exercise one row, and each skipped file one row (:mod:`cnnbook.grading.
results` says what the columns and statuses mean). Feedback counts cells
from 1, as Jupyter shows them.
"""

from __future__ import annotations

from cnnbook.grading.collect import Found
from cnnbook.grading.results import (
    GRADED,
    Row,
    not_graded,
    skipped,
    superseded,
)
from cnnbook.grading.running import SubmissionRun

__all__ = ["rows_of", "skipped_row", "summary"]


def rows_of(run: SubmissionRun) -> list[Row]:
    """The rows of one submission."""
    assignment = run.assignment
    if assignment is None:
        return [
            Row(
                run.relative,
                run.student,
                "",
                "",
                not_graded(run.problem),
                None,
                None,
                "",
                f"Not graded: {run.problem}.",
            )
        ]
    rows = []
    for check in assignment.checks:
        status, points, answer = GRADED, 0, run.shown.get(check.qid, "")
        notes = run.notes.get(check.qid, [])
        if run.superseded_by:
            status, points, answer, notes = superseded(run.superseded_by), None, "", []
            feedback = (
                f"Not graded: {run.superseded_by} is a newer submission of this "
                "notebook; it counts instead."
            )
        elif run.problem:
            status, points = not_graded(run.problem), None
            feedback = f"Not graded: {run.problem}."
        else:
            verdict = run.verdicts.get(check.qid)
            if verdict is None:
                status, points = not_graded("no verdict"), None
                feedback = "Not graded: no verdict."
            elif not verdict.graded:
                status, points = not_graded(verdict.reason), None
                feedback = verdict.message
            else:
                points = check.points if verdict.status == "correct" else 0
                feedback = verdict.message
        rows.append(
            Row(
                run.relative,
                run.student,
                assignment.name,
                check.qid,
                status,
                points,
                check.points,
                answer,
                " ".join([feedback, *notes]),
            )
        )
    return rows


def skipped_row(found: Found, student: str | None = None) -> Row:
    """The row of a file that is not graded at all (``student``: the roster's
    id for its folder, else the folder's name)."""
    return Row(
        found.relative,
        student or found.student,
        "",
        "",
        skipped(found.skipped),
        None,
        None,
        "",
        f"Not graded: {found.skipped}; only notebooks (.ipynb files) are graded.",
    )


def summary(rows: list[Row], runs: list[SubmissionRun]) -> list[str]:
    """A line per file: its student, notebook, points and what went wrong."""
    notes = {run.relative: _note(run) for run in runs}
    by_file: dict[str, list[Row]] = {}
    for row in rows:
        by_file.setdefault(row.submission, []).append(row)
    lines = [f"{'student':<20} {'notebook':<42} {'points':>9}  note"]
    for relative, its in sorted(by_file.items()):
        first = its[0]
        if first.status.startswith(("skipped", "superseded")):
            name = first.notebook or relative
            note = first.status
            points = ""
        else:
            name = first.notebook or "?"
            earned = sum(row.points or 0 for row in its)
            total = sum(row.max_points or 0 for row in its)
            points = f"{earned:>4} / {total:<3}"
            note = notes.get(relative, "")
        lines.append(f"{first.student:<20} {name:<42} {points:>9}  {note}".rstrip())
    return lines


def _note(run: SubmissionRun) -> str:
    parts = [run.problem or run.failure]
    parts += [f"not graded: {culprit}" for culprit in run.culprits]
    return "; ".join(part for part in parts if part)
