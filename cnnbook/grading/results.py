"""grades.csv as data: one :class:`Row` per (submission file, question).

This is the interface between ``cnnbook grade`` and everything a term builds
from its result (gradebook, LMS file, feedback files, class report, hand
grading): each reads ``list[Row]``, never the grader's internals. Columns, in
order (:data:`CSV_FIELDS`):

* ``submission``: the file's path relative to the submissions folder (posix);
* ``student``: the student's id (the first folder of ``submission``, or the
  stem of a file directly in the folder; with a roster, the roster's id);
* ``notebook``: the exercise it answers, empty when not recognised;
* ``question``: the question id, empty on a skipped row;
* ``status``: ``graded``, ``not graded: <why>``, ``skipped: <why>`` or
  ``superseded: <by which file>``;
* ``points``: an integer when graded, empty otherwise (so that "not graded"
  is never mistaken for an earned 0);
* ``max_points``: the question's points, empty on skipped rows;
* ``answer``: the answer as read, at most 200 characters;
* ``feedback``: what the student sees.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import astuple, dataclass, fields
from pathlib import Path

__all__ = ["CSV_FIELDS", "Row", "read_rows", "write_rows"]


@dataclass(frozen=True)
class Row:
    submission: str
    student: str
    notebook: str
    question: str
    status: str
    points: int | None
    max_points: int | None
    answer: str
    feedback: str


CSV_FIELDS = tuple(field.name for field in fields(Row))


def write_rows(rows: list[Row], path: Path | str) -> None:
    """Write ``rows`` to ``path`` atomically (a new file renamed into place,
    so whatever stands at ``path``, even a link, is replaced, not followed)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}-", suffix=".csv"
    )
    try:
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(CSV_FIELDS)
            for row in rows:
                writer.writerow(["" if v is None else v for v in astuple(row)])
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _integer(text: str, name: str, where: str) -> int | None:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{where}: {name} must be an integer, got {text!r}") from None


def read_rows(path: Path | str) -> list[Row]:
    """The rows of a grades.csv written by :func:`write_rows`."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(header) != CSV_FIELDS:
                raise ValueError(
                    f"path must be a grades.csv with the columns "
                    f"{','.join(CSV_FIELDS)}, got {str(path)!r}"
                )
            rows = []
            for number, values in enumerate(reader, start=2):
                where = f"{path} line {number}"
                if len(values) != len(CSV_FIELDS):
                    raise ValueError(f"{where}: expected {len(CSV_FIELDS)} columns")
                record = dict(zip(CSV_FIELDS, values, strict=True))
                record["points"] = _integer(record["points"], "points", where)
                record["max_points"] = _integer(
                    record["max_points"], "max_points", where
                )
                rows.append(Row(**record))
            return rows
    except OSError as err:
        raise ValueError(
            f"path must be a readable grades.csv, got {str(path)!r}"
        ) from err
