"""A term's grades, built from grades.csv, the roster, the course file and the
submitted files: the one computation every output of ``make grade`` reads.

:func:`build_term` takes the grader's rows (``list[Row]``, one per submission
and question) and

1. gives each row its student's roster id (the folder's, when the roster
   names a folder), and lists the folders the roster does not know;
2. counts one file per student and notebook, the newest (the grader marks
   the others superseded; this only guards against a grader that did not);
3. reads each counted notebook's prose answers to the hand-graded questions
   (:mod:`cnnbook.term.manual`) and merges the hand grades given back;
4. sums each student's points per assignment of the course file, applies its
   late rule to the file's modification time, and marks missing work.

:func:`regrade_merge` replaces one student's rows in an existing grades.csv
with those of a fresh grading of that student alone (``ONLY=``).
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import nbformat

from cnnbook.grading.assignment import Assignment
from cnnbook.grading.results import Row
from cnnbook.term.course import Course, CourseAssignment, Roster, Student
from cnnbook.term.manual import (
    HandGrade,
    ManualQuestion,
    digest,
    manual_questions,
    manual_row,
    read_answer,
    read_manual,
)

__all__ = ["Term", "build_term", "folder_of", "points_text", "regrade_merge"]

MANUAL_NAME = "manual.csv"


def folder_of(submission: str) -> str:
    """The student folder of a submission path (a file directly in the
    submissions folder: its stem), as the grader names students."""
    path = PurePosixPath(submission)
    return path.parts[0] if len(path.parts) > 1 else path.stem


def points_text(value: float | None) -> str:
    """Points as a gradebook shows them: 7, 7.2, 7.25; empty for None."""
    if value is None:
        return ""
    value = round(value, 2)
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0")


@dataclass
class NotebookResult:
    notebook: str
    max_points: int
    submission: str | None = None
    submitted: datetime | None = None
    rows: list[Row] = field(default_factory=list)
    days_late: int = 0
    factor: float = 1.0

    @property
    def earned(self) -> int:
        return sum(row.points or 0 for row in self.rows if row.status == "graded")

    @property
    def pending(self) -> int:
        return sum(
            row.status.startswith("not graded: to be graded by hand")
            for row in self.rows
        )

    @property
    def failed(self) -> int:
        return (
            sum(row.status.startswith("not graded") for row in self.rows) - self.pending
        )


@dataclass
class AssignmentResult:
    assignment: CourseAssignment
    notebooks: list[NotebookResult]
    score: float | None
    """Points after the late rule; None when nothing was submitted."""
    note: str

    @property
    def max_points(self) -> int:
        return sum(nb.max_points for nb in self.notebooks)

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass
class StudentResult:
    student: Student
    assignments: list[AssignmentResult]

    @property
    def total(self) -> float:
        return round(sum(a.score or 0 for a in self.assignments), 2)

    @property
    def max_points(self) -> int:
        return sum(a.max_points for a in self.assignments)


@dataclass
class Term:
    course: Course
    roster: Roster
    rows: list[Row]
    students: list[StudentResult]
    questions: dict[str, list[tuple[str, int]]]
    """Each notebook's questions in order: (question id, points)."""
    manual: list[dict]
    """The records of manual.csv."""
    rubrics: dict[str, tuple[str, ...]]
    answers: dict[tuple[str, str], str]
    """Full prose answers by (student, question)."""
    unknown: list[str] = field(default_factory=list)
    absent: list[Student] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def pending(self) -> int:
        return sum(1 for record in self.manual if record["points"] == "")

    def max_points(self, assignment: CourseAssignment) -> int:
        return sum(
            points
            for notebook in assignment.notebooks
            for _, points in self.questions.get(notebook, [])
        )


# --------------------------------------------------------------------------- steps
def _with_ids(
    rows: list[Row], roster: Roster, known: bool
) -> tuple[list[Row], list[str]]:
    by_folder = roster.by_folder()
    unknown, out = set(), []
    for row in rows:
        folder = folder_of(row.submission)
        student = by_folder.get(folder)
        if student is None and known:
            unknown.add(folder)
        out.append(replace(row, student=student.id if student else folder))
    return out, sorted(unknown)


def _mtime(folder: Path, submission: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(os.stat(folder / submission).st_mtime, tz=UTC)
    except OSError:
        return None


def _counted(rows: list[Row], folder: Path, problems: list[str]) -> list[Row]:
    """Rows with one counted file per (student, notebook): the newest."""
    files = defaultdict(set)
    for row in rows:
        if row.notebook and not row.status.startswith(("skipped", "superseded")):
            files[row.student, row.notebook].add(row.submission)
    beaten = {}
    for (student, notebook), names in files.items():
        if len(names) > 1:
            times = {
                n: _mtime(folder, n) or datetime.min.replace(tzinfo=UTC) for n in names
            }
            newest = max(sorted(names), key=times.get)
            beaten.update({name: newest for name in names if name != newest})
            problems.append(
                f"{student}: {len(names)} files answer {notebook}; the newest, "
                f"{newest}, counts"
            )
    return [
        replace(row, status=f"superseded: {beaten[row.submission]}", points=None)
        if row.submission in beaten
        else row
        for row in rows
    ]


def _hand_grades(
    folder: Path, manual_file: Path | None, expected: dict, notices: list[str]
) -> dict[tuple[str, str], HandGrade]:
    grades = {}
    previous = folder / MANUAL_NAME
    if previous.is_file():
        grades, skipped = read_manual(previous, expected, strict=False)
        notices += skipped
    if manual_file is not None:
        given, _ = read_manual(manual_file, expected, strict=True)
        grades.update(given)
    return grades


def _manual(
    rows: list[Row],
    folder: Path,
    assignments: dict[str, Assignment],
    manual_file: Path | None,
    term_notices: list[str],
) -> tuple[list[Row], list[dict], dict, dict]:
    """The rows with each counted notebook's hand-graded questions added after
    its checks; the manual.csv records; the rubrics; the answers."""
    questions = {name: manual_questions(a) for name, a in assignments.items()}
    counted: dict[str, Row] = {}
    for row in rows:
        if row.notebook in questions and row.status.split(":")[0] in (
            "graded",
            "not graded",
        ):
            counted.setdefault(row.submission, row)
    answers: dict[tuple[str, str], str] = {}
    found: dict[str, list[tuple[ManualQuestion, str]]] = {}
    for submission, base in counted.items():
        if not questions[base.notebook]:
            continue
        try:
            nb = nbformat.read(folder / submission, as_version=4)
        except Exception:  # the grader's rows already say what is wrong with it
            continue
        ids = {cell.id for cell in assignments[base.notebook].source.cells}
        found[submission] = []
        for question in questions[base.notebook]:
            text = read_answer(nb, question, ids)
            found[submission].append((question, text))
            answers[base.student, question.qid] = text
    expected = {
        (counted[s].student, q.qid): q.points
        for s, pairs in found.items()
        for q, text in pairs
        if text.strip()
    }
    grades = _hand_grades(folder, manual_file, expected, term_notices)
    out, records, done = [], [], set()
    for index, row in enumerate(rows):
        out.append(row)
        last = index + 1 == len(rows) or rows[index + 1].submission != row.submission
        if not last or row.submission not in found or row.submission in done:
            continue
        done.add(row.submission)
        for question, text in found[row.submission]:
            key = (row.student, question.qid)
            grade = grades.get(key)
            if grade and grade.digest and grade.digest != digest(text):
                term_notices.append(
                    f"{row.student}'s answer to {question.qid} changed since it "
                    "was graded by hand: it is to be graded again"
                )
                grade = None
            out.append(manual_row(row, question, text, grade))
            if text.strip():
                records.append(
                    {
                        "student": row.student,
                        "name": "",  # the roster's, filled by build_term
                        "notebook": question.notebook,
                        "question": question.qid,
                        "max_points": question.points,
                        "rubric": "\n".join(question.rubric),
                        "answer": text,
                        "points": ""
                        if grade is None or grade.points is None
                        else grade.points,
                        "comment": grade.comment if grade else "",
                        "answer_digest": digest(text),
                    }
                )
    records.sort(key=lambda r: (r["notebook"], r["question"], r["student"]))
    rubrics = {q.qid: q.rubric for qs in questions.values() for q in qs}
    return out, records, rubrics, answers


def _assignment_result(
    course_assignment: CourseAssignment, by_notebook: dict, maxima: dict
) -> AssignmentResult:
    results, notes, score = [], [], 0.0
    several = len(course_assignment.notebooks) > 1
    for name in course_assignment.notebooks:
        result = by_notebook.get(name) or NotebookResult(name, maxima[name])
        results.append(result)
        label = f"{name}: " if several else ""
        if result.submission is None:
            if several:
                notes.append(f"{label}missing")
            continue
        if result.submitted is not None:
            result.days_late = course_assignment.days_late(result.submitted)
        result.factor = course_assignment.late.factor(result.days_late)
        kept = result.earned * result.factor
        score += kept
        if result.days_late:
            day = "day" if result.days_late == 1 else "days"
            notes.append(
                f"{label}late {result.days_late} {day} "
                f"({course_assignment.late.describe()}): "
                f"{points_text(result.earned)} -> {points_text(kept)}"
            )
        if result.pending:
            notes.append(f"{label}{result.pending} to grade by hand")
        if result.failed:
            notes.append(f"{label}{result.failed} not graded (see feedback)")
    if all(r.submission is None for r in results):
        return AssignmentResult(course_assignment, results, None, "missing")
    return AssignmentResult(
        course_assignment, results, round(score, 2), "; ".join(notes)
    )


def build_term(
    folder: Path | str,
    rows: list[Row],
    assignments: dict[str, Assignment],
    course: Course,
    roster: Roster | None = None,
    manual_file: Path | str | None = None,
) -> Term:
    """The term's results (see the module doc). ``roster`` None: the folders
    are the students."""
    folder = Path(folder)
    manual_ids = {q.qid for a in assignments.values() for q in manual_questions(a)}
    rows = [row for row in rows if row.question not in manual_ids]
    known = roster is not None
    if roster is None:
        roster = Roster.of_folders([folder_of(row.submission) for row in rows])
    rows, unknown = _with_ids(rows, roster, known)
    problems: list[str] = []
    notices: list[str] = []
    rows = _counted(rows, folder, problems)
    manual_path = Path(manual_file) if manual_file is not None else None
    rows, records, rubrics, answers = _manual(
        rows, folder, assignments, manual_path, notices
    )
    by_id = roster.by_id()
    for record in records:
        student = by_id.get(record["student"])
        record["name"] = student.name if student else ""
    questions = {
        name: [(c.qid, c.points) for c in a.checks]
        + [(q.qid, q.points) for q in manual_questions(a)]
        for name, a in assignments.items()
    }
    maxima = {name: sum(p for _, p in qs) for name, qs in questions.items()}
    per_student: dict[str, dict[str, NotebookResult]] = defaultdict(dict)
    for row in rows:
        if not row.notebook or row.status.startswith(("skipped", "superseded")):
            continue
        result = per_student[row.student].setdefault(
            row.notebook,
            NotebookResult(
                row.notebook,
                maxima.get(row.notebook, 0),
                row.submission,
                _mtime(folder, row.submission),
            ),
        )
        result.rows.append(row)
    in_course = {nb for a in course.assignments for nb in a.notebooks}
    outside = sorted(
        {r.notebook for r in rows if r.notebook and r.notebook not in in_course}
    )
    if outside:
        problems.append(
            "notebooks graded but in no assignment of the course file: "
            + ", ".join(outside)
        )
    problems += [
        f"{row.submission}: {row.status}"
        for row in rows
        if row.status.startswith("skipped")
    ]
    students = [
        StudentResult(
            student,
            [
                _assignment_result(a, per_student.get(student.id, {}), maxima)
                for a in course.assignments
            ],
        )
        for student in roster.students
    ]
    absent = [s.student for s in students if all(a.missing for a in s.assignments)]
    return Term(
        course,
        roster,
        rows,
        students,
        questions,
        records,
        rubrics,
        answers,
        unknown,
        absent,
        problems,
        notices,
    )


def regrade_merge(existing: list[Row], fresh: list[Row], folder: str) -> list[Row]:
    """``existing`` with every row of student folder ``folder`` replaced by
    ``fresh`` (the rows of grading that folder alone), in order."""
    kept = [row for row in existing if folder_of(row.submission) != folder]
    merged = kept + [row for row in fresh if folder_of(row.submission) == folder]
    return sorted(merged, key=lambda row: row.submission)
