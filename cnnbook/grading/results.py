"""grades.csv: one row per (submission, question), plus one per file skipped.

The interface between ``cnnbook grade`` and everything built on its results
(the gradebook, the LMS file, feedback files, the term's report): a
:class:`Row` has exactly the columns of :data:`CSV_FIELDS`, in that order.

``status`` says whether ``points`` means anything:

* ``graded``: ``points`` is what the answer earned (0 included);
* ``not graded: <why>``: nothing was judged (the kernel hit a limit before
  this question, the file is not a notebook, the grader's judge failed on
  this answer); ``points`` is empty, so a gradebook import can tell it from
  an earned 0;
* ``skipped: <why>``: a file under the folder that is not a notebook to grade
  (a ``.py`` file, a symbolic link); one row, no question;
* ``superseded: <newer file>``: a student's older submission of a notebook
  they submitted twice; the newer one counts.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import TextIO

__all__ = [
    "CSV_FIELDS",
    "GRADED",
    "Row",
    "not_graded",
    "read_rows",
    "skipped",
    "superseded",
    "write_csv_atomically",
    "write_rows",
]

GRADED = "graded"
KINDS = ("not graded: ", "skipped: ", "superseded: ")


def not_graded(why: str) -> str:
    return f"not graded: {why}"


def skipped(why: str) -> str:
    return f"skipped: {why}"


def superseded(by: str) -> str:
    return f"superseded: {by}"


@dataclass(frozen=True)
class Row:
    """One row of grades.csv (see the module docstring)."""

    submission: str  # path of the file relative to the folder (posix)
    student: str  # the first folder of ``submission`` (a file at the top: its stem)
    notebook: str  # the exercise it answers; "" when not recognised
    question: str  # the question's id; "" on a skipped or unrecognised row
    status: str  # "graded", "not graded: ...", "skipped: ...", "superseded: ..."
    points: int | None  # an integer when graded, else None (empty in the file)
    max_points: int | None  # the question's points; None on a skipped row
    answer: str  # the answer as read, at most 200 characters; "" when none
    feedback: str  # what the student sees

    def __post_init__(self) -> None:
        graded = self.status == GRADED
        if graded != isinstance(self.points, int) or isinstance(self.points, bool):
            raise ValueError(
                f"points must be an integer exactly when status is {GRADED!r}, got "
                f"{self.points!r} with status {self.status!r}"
            )
        if not (graded or self.status.startswith(KINDS)):
            raise ValueError(
                f"status must be {GRADED!r} or start with one of {list(KINDS)}, got "
                f"{self.status!r}"
            )

    @property
    def graded(self) -> bool:
        return self.status == GRADED


CSV_FIELDS = tuple(field.name for field in fields(Row))


def _cell(value: object) -> object:
    return "" if value is None else value


def write_rows(rows: list[Row], path: Path | str) -> None:
    """Write ``rows`` to ``path`` as grades.csv, atomically."""

    def fill(out: TextIO) -> None:
        writer = csv.writer(out)
        writer.writerow(CSV_FIELDS)
        for row in rows:
            writer.writerow([_cell(value) for value in astuple(row)])

    write_csv_atomically(Path(path), fill)


def write_csv_atomically(path: Path, fill: Callable[[TextIO], None]) -> None:
    """Write a CSV file that ``fill`` writes into a new file renamed into
    place: a reader never sees half a file, and whatever stands at ``path``,
    even a link, is replaced, not followed. Every CSV of a class uses it."""
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix
    )
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            fill(out)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _number(text: str, column: str, line: int) -> int | None:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(
            f"{column} must be an integer or empty, got {text!r} on line {line}"
        ) from None


def read_rows(path: Path | str) -> list[Row]:
    """The rows of a grades.csv written by :func:`write_rows`; ValueError
    naming the line for a file that is not one."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != CSV_FIELDS:
            raise ValueError(
                f"path must be a grades.csv with the columns {list(CSV_FIELDS)}, got "
                f"{reader.fieldnames}"
            )
        rows = []
        for line, record in enumerate(reader, start=2):
            values = dict(record)
            for column in ("points", "max_points"):
                values[column] = _number(values[column], column, line)
            try:
                rows.append(Row(**values))
            except (TypeError, ValueError) as err:
                raise ValueError(f"line {line} of {path}: {err}") from None
        return rows
