"""gradebook.csv and the LMS import file: one row per roster student.

``gradebook.csv`` is for the instructor: ``id, name, email``, then for each
assignment of the course file its points after the late rule (empty when
nothing was submitted) and a note column that says ``missing``, the late
rule applied (``late 2 days (-10% a day): 9 -> 7.2``), hand grades still to
give and questions the grader could not grade; then ``total`` (missing work
counts 0) and ``max``.

``canvas.csv`` is the same points in Canvas's gradebook import format
(Grades > Import): the columns ``Student, ID, SIS User ID, SIS Login ID,
Section`` identify the student (Canvas matches on any one of its ids; the
roster's ``id`` is written as the SIS User ID, ``canvas_id`` and
``sis_login_id`` when the roster has them), a second row ``Points Possible``
gives each assignment's maximum, and each further column is one assignment,
named by ``lms_name`` in the course file: a name Canvas does not know creates
that assignment. Missing work is left empty, which Canvas leaves ungraded.
"""

from __future__ import annotations

import csv
from pathlib import Path

from cnnbook.grading.results import write_csv_atomically
from cnnbook.term.build import Term, points_text

__all__ = ["CANVAS_FIELDS", "canvas_table", "gradebook_table", "write_table"]

CANVAS_FIELDS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def gradebook_table(term: Term) -> list[list[str]]:
    """The rows of gradebook.csv, header first."""
    header = ["id", "name", "email"]
    for assignment in term.course.assignments:
        header += [assignment.name, f"{assignment.name} note"]
    table = [header + ["total", "max"]]
    for result in term.students:
        student = result.student
        line = [student.id, student.name, student.email]
        for item in result.assignments:
            line += [points_text(item.score), item.note]
        line += [points_text(result.total), str(result.max_points)]
        table.append(line)
    return table


def canvas_table(term: Term) -> list[list[str]]:
    """The rows of canvas.csv (see the module doc), header first."""
    names = [assignment.lms_name for assignment in term.course.assignments]
    table = [list(CANVAS_FIELDS) + names]
    maxima = [str(term.max_points(a)) for a in term.course.assignments]
    table.append(["Points Possible", "", "", "", ""] + maxima)
    for result in term.students:
        student = result.student
        table.append(
            [
                student.name or student.id,
                student.canvas_id,
                student.id,
                student.sis_login_id,
                student.section,
            ]
            + [points_text(item.score) for item in result.assignments]
        )
    return table


def write_table(table: list[list[str]], path: Path) -> None:
    """Write a table as a CSV file, atomically."""
    write_csv_atomically(path, lambda out: csv.writer(out).writerows(table))
