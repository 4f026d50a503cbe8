"""The term: the course file (assignments, due dates, late rules) and the roster.

``course.yml`` at the repository's root (``make grade COURSE=...`` names
another) says which exercise notebooks make up each assignment, when each is
due and what happens to late work; it may name the roster. The roster is a CSV
with at least ``id`` and ``name`` columns (``email``, ``folder`` where the
student's submissions folder is not their id, ``section``, ``canvas_id`` and
``sis_login_id`` for the LMS file are optional). A missing course file grades
every exercise as an assignment of its own, with no due date; a missing
roster takes each submissions folder as a student.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

__all__ = [
    "Course",
    "CourseAssignment",
    "LateRule",
    "Roster",
    "Student",
    "load_course",
    "load_roster",
]

COURSE_KEYS = {"roster", "timezone", "late", "assignments"}
ASSIGNMENT_KEYS = {"name", "notebooks", "due", "late", "lms_name"}
ROSTER_OPTIONAL = ("email", "folder", "section", "canvas_id", "sis_login_id")
MAX_ID = 100


@dataclass(frozen=True)
class LateRule:
    """What late work loses: ``percent_per_day`` of its points for each day or
    part of a day after the due date, and everything after
    ``zero_after_days`` days (when set)."""

    percent_per_day: float = 0.0
    zero_after_days: int | None = None

    def factor(self, days: int) -> float:
        """The share of the points kept by work ``days`` days late."""
        if days <= 0:
            return 1.0
        if self.zero_after_days is not None and days > self.zero_after_days:
            return 0.0
        return max(0.0, 1.0 - self.percent_per_day * days / 100)

    def describe(self) -> str:
        if not self.percent_per_day and self.zero_after_days is None:
            return "no penalty"
        text = f"-{self.percent_per_day:g}% a day"
        if self.zero_after_days is not None:
            text += f", 0 after {self.zero_after_days} days"
        return text

    @classmethod
    def parse(cls, value, where: str) -> LateRule:
        if value is None or value == "none":
            return cls()
        if not isinstance(value, dict) or not set(value) <= {
            "percent_per_day",
            "zero_after_days",
        }:
            raise ValueError(
                f"{where}: late must be 'none' or a mapping with percent_per_day "
                f"(and zero_after_days), got {value!r}"
            )
        percent = value.get("percent_per_day", 0)
        zero = value.get("zero_after_days")
        if isinstance(percent, bool) or not isinstance(percent, int | float):
            percent = -1
        if not 0 <= percent <= 100:
            raise ValueError(
                f"{where}: late.percent_per_day must be a number from 0 to 100, "
                f"got {value.get('percent_per_day')!r}"
            )
        if zero is not None and (
            isinstance(zero, bool) or not isinstance(zero, int) or zero < 0
        ):
            raise ValueError(
                f"{where}: late.zero_after_days must be a whole number of days, "
                f"got {zero!r}"
            )
        return cls(float(percent), zero)


@dataclass(frozen=True)
class CourseAssignment:
    name: str
    """The gradebook's column for it."""
    notebooks: tuple[str, ...]
    """The exercise notebooks (stems of notebooks/*.ipynb) it is made of."""
    due: datetime | None
    late: LateRule
    lms_name: str
    """The LMS file's column: the name of the LMS assignment to fill."""

    def days_late(self, submitted: datetime) -> int:
        """Days, or parts of a day, between the due date and ``submitted``."""
        if self.due is None or submitted <= self.due:
            return 0
        return math.ceil((submitted - self.due) / timedelta(days=1))


@dataclass(frozen=True)
class Course:
    assignments: tuple[CourseAssignment, ...]
    roster: Path | None = None
    path: Path | None = None

    def assignment_of(self, notebook: str) -> CourseAssignment | None:
        for assignment in self.assignments:
            if notebook in assignment.notebooks:
                return assignment
        return None

    @classmethod
    def every_notebook(cls, notebooks: list[str]) -> Course:
        """No course file: each exercise an assignment, no due date."""
        return cls(
            tuple(
                CourseAssignment(name, (name,), None, LateRule(), name)
                for name in notebooks
            )
        )


def _due(value, zone: ZoneInfo, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time(23, 59, 59))  # the end of that day
    elif isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime):
        raise ValueError(
            f"{where}: due must be a date and time such as 2027-02-14 23:59 "
            f"(or 2027-02-14T23:59:00+01:00), got {value!r}"
        )
    return value if value.tzinfo else value.replace(tzinfo=zone)


def load_course(path: Path | str | None, notebooks: list[str]) -> Course:
    """The course file at ``path`` (None: :meth:`Course.every_notebook`),
    checked against the exercise ``notebooks`` that exist."""
    if path is None:
        return Course.every_notebook(notebooks)
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ValueError(
            f"course must be a readable YAML file, got {str(path)!r}: {err}"
        ) from None
    if not isinstance(data, dict) or not set(data) <= COURSE_KEYS:
        raise ValueError(
            f"{path}: the course file has the keys {sorted(COURSE_KEYS)}, "
            f"got {sorted(data) if isinstance(data, dict) else data!r}"
        )
    try:
        zone = ZoneInfo(str(data.get("timezone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{path}: timezone must be a zone such as Europe/Berlin or UTC, "
            f"got {data.get('timezone')!r}"
        ) from None
    default_late = LateRule.parse(data.get("late"), f"{path}")
    entries = data.get("assignments")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: assignments must be a list of assignments")
    assignments, seen_names, seen_notebooks = [], set(), set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, assignment {number}"
        if not isinstance(entry, dict) or not set(entry) <= ASSIGNMENT_KEYS:
            raise ValueError(
                f"{where}: an assignment has the keys {sorted(ASSIGNMENT_KEYS)}, "
                f"got {entry!r}"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip() or name in seen_names:
            raise ValueError(
                f"{where}: name must be a new non-empty text, got {name!r}"
            )
        names = entry.get("notebooks")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not names:
            raise ValueError(f"{where}: notebooks must list exercise notebooks")
        for notebook in names:
            if notebook not in notebooks:
                raise ValueError(
                    f"{where}: notebooks must be exercises of the source "
                    f"({', '.join(notebooks)}), got {notebook!r}"
                )
            if notebook in seen_notebooks:
                raise ValueError(f"{where}: {notebook} is in two assignments")
            seen_notebooks.add(notebook)
        seen_names.add(name)
        late = default_late
        if "late" in entry:
            late = LateRule.parse(entry["late"], where)
        lms = entry.get("lms_name") or name
        assignments.append(
            CourseAssignment(
                name, tuple(names), _due(entry.get("due"), zone, where), late, str(lms)
            )
        )
    roster = data.get("roster")
    if roster is not None:
        roster = (path.parent / str(roster)).resolve()
    return Course(tuple(assignments), roster, path)


# --------------------------------------------------------------------------- roster
@dataclass(frozen=True)
class Student:
    id: str
    name: str
    email: str = ""
    folder: str = ""
    section: str = ""
    canvas_id: str = ""
    sis_login_id: str = ""


@dataclass(frozen=True)
class Roster:
    students: tuple[Student, ...]
    path: Path | None = None

    def by_folder(self) -> dict[str, Student]:
        return {student.folder: student for student in self.students}

    def by_id(self) -> dict[str, Student]:
        return {student.id: student for student in self.students}

    @classmethod
    def of_folders(cls, folders: list[str]) -> Roster:
        """No roster: every submissions folder is a student of that id."""
        return cls(tuple(Student(f, "", folder=f) for f in sorted(set(folders))))


def valid_id(value: str) -> bool:
    """An id that is also a safe file name (feedback/<id>.html)."""
    return (
        0 < len(value) <= MAX_ID
        and value.isprintable()
        and value.strip() == value
        and not value.startswith(".")
        and "/" not in value
        and "\\" not in value
    )


def load_roster(path: Path | str) -> Roster:
    """The roster CSV at ``path`` (see the module doc); every error names its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ValueError(
            f"roster must be a readable UTF-8 CSV file, got {str(path)!r} ({err})"
        ) from None
    reader = csv.DictReader(text.splitlines())
    columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
    if "id" not in columns or "name" not in columns:
        raise ValueError(
            f"{path}: a roster needs the columns id and name (and optionally "
            f"{', '.join(ROSTER_OPTIONAL)}), got {list(reader.fieldnames or [])}"
        )
    students, ids, folders = [], set(), set()
    for number, record in enumerate(reader, start=2):
        values = {
            key: (record.get(original) or "").strip()
            for key, original in columns.items()
        }
        where = f"{path} line {number}"
        student_id = values["id"]
        if not any(values.values()):
            continue
        if not valid_id(student_id):
            raise ValueError(
                f"{where}: id must be printable, at most {MAX_ID} characters, "
                f"without '/' and not starting with '.', got {student_id!r}"
            )
        folder = values.get("folder") or student_id
        if not valid_id(folder):
            raise ValueError(f"{where}: folder must be a folder name, got {folder!r}")
        if student_id in ids:
            raise ValueError(f"{where}: the id {student_id!r} is listed twice")
        if folder in folders:
            raise ValueError(f"{where}: the folder {folder!r} is listed twice")
        ids.add(student_id)
        folders.add(folder)
        extra = {key: values.get(key, "") for key in ROSTER_OPTIONAL if key != "folder"}
        students.append(Student(student_id, values["name"], folder=folder, **extra))
    if not students:
        raise ValueError(f"{path}: the roster lists no student")
    return Roster(tuple(students), path)
