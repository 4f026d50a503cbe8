"""``make grade``'s whole run: grade, then write every output of the term.

:func:`grade_term` grades the submissions folder (or, with ``only``, one
student's folder again, merged into the existing grades.csv), builds the term
(:mod:`cnnbook.term.build`) and writes, beside grades.csv:

* ``gradebook.csv`` and ``canvas.csv`` (:mod:`cnnbook.term.gradebook`);
* ``manual.csv``, the prose answers to grade by hand (:mod:`cnnbook.term.manual`);
* ``feedback/<id>.html`` for every student (:mod:`cnnbook.term.feedback`);
* ``report.html`` for the instructor (:mod:`cnnbook.term.report`).

:func:`write_outputs` rewrites them all from rows already graded (a hand-grade
merge needs no kernel: ``make grade ... MANUAL=...`` with ``--no-run``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from cnnbook.grading.assignment import load_assignments
from cnnbook.grading.grader import CSV_NAME, GradeOptions, grade_folder
from cnnbook.grading.results import Row, read_rows, write_rows
from cnnbook.term.build import MANUAL_NAME, Term, build_term, regrade_merge
from cnnbook.term.course import Roster, load_course, load_roster
from cnnbook.term.feedback import write_feedback
from cnnbook.term.gradebook import canvas_table, gradebook_table, write_table
from cnnbook.term.manual import write_manual
from cnnbook.term.report import write_report

__all__ = ["OUTPUTS", "grade_term", "write_outputs"]

OUTPUTS = (
    CSV_NAME,
    "gradebook.csv",
    "canvas.csv",
    MANUAL_NAME,
    "feedback/",
    "report.html",
)


def write_outputs(term: Term, folder: Path) -> None:
    """Write every output of ``term`` into ``folder``."""
    write_rows(term.rows, folder / CSV_NAME)
    write_table(gradebook_table(term), folder / "gradebook.csv")
    write_table(canvas_table(term), folder / "canvas.csv")
    write_manual(term.manual, folder / MANUAL_NAME)
    write_feedback(term, folder / "feedback")
    write_report(term, folder / "report.html")


def grade_rows(folder, source, options, students, log) -> tuple[list[Row], int]:
    """Grade every submission under ``folder`` (``students``: the roster's id
    of each folder): its rows, which grades.csv now holds, and the exit code."""
    report = grade_folder(folder, source, options, log=log, students=students)
    return report.rows, report.exit_code


def _only_folder(folder: Path, only: str, roster: Roster | None) -> str:
    """The submissions folder (or file stem) of student ``only``."""
    name = only
    if roster is not None:
        student = roster.by_id().get(only)
        if student is None:
            raise ValueError(f"only must be a student id of the roster, got {only!r}")
        name = student.folder
    if not (folder / name).is_dir() and not (folder / f"{name}.ipynb").is_file():
        raise ValueError(
            f"only: no folder {name!r} (nor {name}.ipynb) under {str(folder)!r}"
        )
    return name


def _regrade_one(folder, name, source, options, students, log) -> tuple[list[Row], int]:
    """Grade the student folder ``name`` alone (a copy, modification times
    kept) and merge its rows into ``folder/grades.csv``."""
    existing = folder / CSV_NAME
    if not existing.is_file():
        raise ValueError(
            f"only needs the grades.csv of a whole run in {str(folder)!r}: "
            "grade the folder once first"
        )
    old = read_rows(existing)
    work = Path(tempfile.mkdtemp(prefix="cnnbook-only-"))
    try:
        if (folder / name).is_dir():
            shutil.copytree(folder / name, work / name, symlinks=True)
        else:
            shutil.copy2(folder / f"{name}.ipynb", work / f"{name}.ipynb")
        fresh, code = grade_rows(work, source, options, students, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return regrade_merge(old, fresh, name), code


def grade_term(
    folder: Path | str,
    source: Path | str,
    options: GradeOptions | None = None,
    course_file: Path | str | None = None,
    roster_file: Path | str | None = None,
    manual_file: Path | str | None = None,
    only: str | None = None,
    run: bool = True,
    log: Callable[..., None] | None = print,
) -> tuple[Term, int]:
    """Grade (see the module doc) and write every output; (the term, the
    exit code: the grader's, or 1 when the term has problems)."""
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise ValueError(f"submissions must be an existing folder, got {str(folder)!r}")
    assignments = load_assignments(source)
    course = load_course(course_file, sorted(assignments))
    roster_path = roster_file or course.roster
    roster = load_roster(roster_path) if roster_path else None
    students = {s.folder: s.id for s in roster.students} if roster else {}
    options = options or GradeOptions()
    if not run:
        rows, code = read_rows(folder / CSV_NAME), 0
    elif only is not None:
        name = _only_folder(folder, only, roster)
        rows, code = _regrade_one(folder, name, Path(source), options, students, log)
    else:
        rows, code = grade_rows(folder, Path(source), options, students, log)
    term = build_term(folder, rows, assignments, course, roster, manual_file)
    write_outputs(term, folder)
    if log:
        for line in summary(term, folder):
            log(line)
    return term, code


def summary(term: Term, folder: Path) -> list[str]:
    """What the instructor reads after a run."""
    lines = []
    for name in term.unknown:
        lines.append(f"unknown folder (not on the roster): {name}")
    for student in term.absent:
        lines.append(f"no submission: {student.id} {student.name}".rstrip())
    lines += [f"note: {notice}" for notice in term.notices]
    for problem in term.problems:
        lines.append(f"problem: {problem}")
    if term.pending:
        lines.append(
            f"{term.pending} prose answers to grade by hand: fill points and comment "
            f"in {folder / MANUAL_NAME}, then run again with MANUAL= that file"
        )
    written = ", ".join(OUTPUTS)
    lines.append(f"wrote {written} in {folder}")
    return lines
