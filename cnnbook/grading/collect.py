"""The files of a class folder: which are submissions, whose, and which count.

* Every file under the folder is looked at, except hidden files and folders
  (``.ipynb_checkpoints``) and the grader's own ``grades.csv``. A regular
  ``*.ipynb`` file is a submission; anything else (a ``.py`` file, a PDF, a
  symbolic link, which is never followed) is *skipped*, and listed as such.
* A submission's student is the first folder of its path under the folder
  (``alice/ch02/02_x.ipynb`` is alice's); a file directly in the folder is
  its own student, named by its stem.
* When one student submitted one notebook twice, the newest file by
  modification time counts (on a tie, the last in path order); the others
  are *superseded* by it, and not run.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["OWN_FILES", "Found", "collect", "student_of", "supersede"]

OWN_FILES = frozenset({"grades.csv"})
"""Files the grader writes at the top of the folder: not submissions."""


@dataclass(frozen=True)
class Found:
    """A file under the folder: a submission, or skipped and why."""

    path: Path
    relative: str  # posix, relative to the folder
    skipped: str = ""  # "not a notebook (a .py file)", "a symbolic link (...)"
    mtime: float = 0.0

    @property
    def student(self) -> str:
        return student_of(self.relative)


def student_of(relative: str) -> str:
    """The student a file belongs to: its first folder, or its stem."""
    parts = Path(relative).parts
    return parts[0] if len(parts) > 1 else Path(relative).stem


def _why_skipped(path: Path, info: os.stat_result) -> str:
    if stat.S_ISLNK(info.st_mode):
        return f"a symbolic link (to {os.readlink(path)!r}), not followed"
    if stat.S_ISDIR(info.st_mode):
        return ""
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if path.suffix != ".ipynb":
        kind = f"a {path.suffix} file" if path.suffix else "a file with no extension"
        return f"not a notebook ({kind})"
    return ""


def collect(folder: Path) -> list[Found]:
    """Every file under ``folder`` (see the module docstring), in path order."""
    folder = Path(folder)
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(root)
        names = [d for d in dirs if (here / d).is_symlink()]
        names += [f for f in files if not f.startswith(".")]
        for name in names:
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if relative in OWN_FILES:
                continue
            info = os.lstat(path)
            found.append(Found(path, relative, _why_skipped(path, info), info.st_mtime))
    return sorted(found, key=lambda f: f.relative)


def supersede(entries: list[tuple[str, str, float, str]]) -> dict[str, str]:
    """``{relative: newer relative}`` for every superseded submission, from
    ``(relative, student, mtime, notebook)`` entries (notebook "" when not
    recognised: never superseded)."""
    newest: dict[tuple[str, str], tuple[float, str]] = {}
    for relative, student, mtime, notebook in entries:
        if notebook:
            key = (student, notebook)
            newest[key] = max(newest.get(key, (mtime, relative)), (mtime, relative))
    return {
        relative: newest[(student, notebook)][1]
        for relative, student, _, notebook in entries
        if notebook and newest[(student, notebook)][1] != relative
    }
