"""Small builders shared by tests: notebooks made in code, run in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def make_notebook(
    *sources: str, markdown: str = "# A test notebook"
) -> nbformat.NotebookNode:
    """A notebook with one markdown cell and one code cell per source."""
    nb = new_notebook(cells=[new_markdown_cell(markdown)])
    nb.cells += [new_code_cell(s) for s in sources]
    return nb


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


def run_pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run pytest in a subprocess rooted at ``cwd`` (ignores the repo's config)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--rootdir",
            str(cwd),
            "-c",
            "/dev/null",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


REQUIRE_ISOLATION = "CNNBOOK_REQUIRE_ISOLATION"


def full_isolation_or_skip(level: str, why: str) -> None:
    """Skip a test of the grader's full isolation where this machine cannot give
    it, but fail where CI says it can (``CNNBOOK_REQUIRE_ISOLATION=full``, which
    .ci/run sets when it runs as root and namespaces work): a sandbox that
    cannot set itself up must not pass as a skip."""
    if level == "full":
        return
    message = f"full isolation is not available here: {why}"
    if os.environ.get(REQUIRE_ISOLATION) == "full":
        pytest.fail(f"{message} ({REQUIRE_ISOLATION}=full)")
    pytest.skip(message)
