"""A copy of the repository for students, without the solutions: ``make student-repo``.

Anyone who opens the book on Binder gets a clone of the repository the book's
buttons point to, ``solutions/`` and the instructor's ``notebooks/`` included.
A course that keeps its solutions private publishes instead the folder this
writes: every file git tracks except ``solutions/``, ``notebooks/`` (the
sources hold the solutions), ``tests/`` and ``.ci/`` (which need them), with
``_toc.yml`` left without its Solutions part and, given ``url``, the book's
buttons pointed at the student repository. Its history must start afresh
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

from cnnbook.authoring.exercises import BEGIN
from cnnbook.publishing.toc import write_public_toc

__all__ = ["EXCLUDED", "MARKER", "write_student_repo"]

EXCLUDED = ("solutions/", "notebooks/", "tests/", ".ci/")
MARKER = ".cnnbook-student-repo"


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


def write_student_repo(
    repo: Path | str, out: Path | str, url: str | None = None
) -> list[str]:
    """Write the student repository of ``repo`` to ``out``; the files written."""
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
    if url is not None:
        _set_url(out / "_config.yml", url)
    (out / MARKER).write_text(
        "Written by `make student-repo` from the instructor repository; "
        "regenerate it rather than editing it.\n"
    )
    leaks = [n for n in kept if _holds_solutions(out / n)]
    if leaks:
        raise ValueError(f"these files hold solution blocks: {leaks}")
    return kept


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
    if not re.fullmatch(r"https://\S+", url):
        raise ValueError(f"url must be an https:// address, got {url!r}")
    text = config.read_text(encoding="utf-8")
    new, count = re.subn(
        r"(?m)^(repository:\n(?:[ \t]+.*\n)*?[ \t]+url:[ \t]*)\S+", rf"\g<1>{url}", text
    )
    if count != 1:
        raise ValueError(f"{config} has no repository url to replace")
    config.write_text(new, encoding="utf-8")
