"""Small builders shared by tests: notebooks made in code, run in a subprocess."""

import subprocess
import sys
from pathlib import Path

import nbformat
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
