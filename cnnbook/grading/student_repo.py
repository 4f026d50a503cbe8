"""A copy of the repository for students, without the solutions: ``make student-repo``.

Anyone who opens the book on Binder gets a clone of the repository the book's
buttons point to, ``solutions/`` and the instructor's ``notebooks/`` included.
A course that keeps its solutions private publishes instead the folder this
writes: every file git tracks except ``solutions/``, ``notebooks/`` (the
sources hold the solutions), the instructor's tests, CI, README, Makefile,
workflow, course file and dev requirements; with ``_toc.yml`` left without its
Solutions part, the rubrics of hand-graded questions taken out of the
exercises' metadata, the book's Binder, Colab and repository buttons and every
Colab install cell pointed at the student repository's address ``url``
(required: without it they would open the instructor's repository, solutions
and all), and the student's own README, Makefile, workflow and test
(:mod:`cnnbook.grading.student_files`). Its history must start afresh
(``git init``): the instructor repository's history holds the solutions.

Writing again into the same folder replaces its files and keeps its ``.git``,
so each release is one commit of the student repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat

from cnnbook.authoring import colab
from cnnbook.authoring.exercises import BEGIN
from cnnbook.grading import student_files
from cnnbook.project import read_pins
from cnnbook.publishing.edition import web_url
from cnnbook.publishing.toc import write_public_toc

__all__ = ["EXCLUDED", "MARKER", "NO_URL", "write_student_repo"]

EXCLUDED = (
    "solutions/",
    "notebooks/",
    "tests/",
    ".ci/",
    ".github/",
    "README.md",
    "Makefile",
    "course.yml",
    "requirements-dev.txt",
)
MARKER = ".cnnbook-student-repo"
NO_URL = (
    "url is required: the student repository's address (STUDENT_URL=https://...), "
    "for the book's Binder, Colab and repository buttons and the Colab install "
    "cells; without it they would open this repository, solutions included"
)


def tracked_files(repo: Path) -> list[str]:
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z"],
            cwd=repo,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        raise ValueError(f"repo must be a git checkout, got {str(repo)!r}") from err
    return sorted(name for name in listing.split("\0") if name)


def _check_target(repo: Path, out: Path) -> None:
    if out == repo or repo in out.parents:
        raise ValueError(f"out must be outside the repository, got {str(out)!r}")
    if out.exists() and any(p.name not in (".git", MARKER) for p in out.iterdir()):
        if not (out / MARKER).is_file():
            raise ValueError(
                f"out must be empty or a student repository written before, "
                f"got {str(out)!r}"
            )


def write_student_repo(repo: Path | str, out: Path | str, url: str | None) -> list[str]:
    """Write the student repository of ``repo`` to ``out``; the files written."""
    if not url:
        raise ValueError(NO_URL)
    if not re.fullmatch(r"https://\S+", url):
        raise ValueError(f"url must be an https:// address, got {url!r}")
    repo, out = Path(repo).resolve(), Path(out).resolve()
    files = tracked_files(repo)
    _check_target(repo, out)
    if out.exists():
        for path in out.iterdir():
            if path.name != ".git":
                shutil.rmtree(path) if path.is_dir() else path.unlink()
    kept = [name for name in files if not name.startswith(EXCLUDED)]
    for name in kept:
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (repo / name).is_file():
            shutil.copy2(repo / name, target)
    write_public_toc(repo / "_toc.yml", out / "_toc.yml")
    _set_url(out / "_config.yml", url)
    notebooks = sorted(out.glob("book/*.ipynb")) + sorted(out.glob("exercises/*.ipynb"))
    colab.update_files(
        notebooks,
        log=None,
        config=out / "_config.yml",
        requirements=out / "requirements.txt",
    )
    for path in sorted(out.glob("exercises/*.ipynb")):
        _drop_rubrics(path)
    kept += _write_own_files(repo, out, url)
    (out / MARKER).write_text(
        "Written by `make student-repo` from the instructor repository; "
        "regenerate it rather than editing it.\n"
    )
    leaks = [n for n in kept if _holds_solutions(out / n)]
    if leaks:
        raise ValueError(f"these files hold solution blocks: {leaks}")
    return kept


def _drop_rubrics(path: Path) -> None:
    """Remove the rubrics of hand-graded questions from a notebook's cell
    metadata (they say what a full answer holds; the points stay)."""
    from cnnbook.authoring.execute import write_if_changed

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.get("cnnbook", {}).pop("rubric", None)
    write_if_changed(nb, path)


def _write_own_files(repo: Path, out: Path, url: str) -> list[str]:
    """The student README, Makefile, workflow and test; their names."""
    pins = read_pins(repo / "requirements-dev.txt", ["jupyterlab"])
    exercises = sorted(p.name for p in (out / "exercises").glob("*.ipynb"))
    files = {
        "README.md": student_files.readme(url, web_url(url), exercises),
        "Makefile": student_files.MAKEFILE.replace("{jupyterlab}", pins["jupyterlab"]),
        ".github/workflows/book.yml": student_files.WORKFLOW,
        "tests/test_exercises.py": student_files.TEST,
        "exercises/README.md": student_files.EXERCISES_README,
    }
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    return list(files)


def _holds_solutions(path: Path) -> bool:
    """Whether a file holds a solution block: a line that is the marker
    alone, in a notebook's cell or a text file (prose that names the marker
    does not count)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return False
    if path.suffix == ".ipynb":
        cells = nbformat.reads(text, as_version=4).cells
        text = "\n".join(cell.source for cell in cells)
    return any(line.strip() == BEGIN for line in text.splitlines())


def _set_url(config: Path, url: str) -> None:
    text = config.read_text(encoding="utf-8")
    new, count = re.subn(
        r"(?m)^(repository:\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)\S+", rf"\g<1>{url}", text
    )
    if count != 1:
        raise ValueError(f"{config} has no repository url to replace")
    config.write_text(new, encoding="utf-8")
