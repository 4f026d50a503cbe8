"""The files a student repository has instead of the instructor's: its README,
Makefile, workflow and test (written by :mod:`cnnbook.grading.student_repo`).

The instructor's README (how to grade, and how the grader can be attacked),
Makefile (targets for solutions/, notebooks/ and grading), workflow (which
runs .ci/run and the instructor's tests) do not belong in a repository made
for students; these are what a student, and the repository's own CI, need:
open and do the exercises, build the book, check that every exercise runs.
"""

from __future__ import annotations

__all__ = ["EXERCISES_README", "MAKEFILE", "TEST", "WORKFLOW", "readme"]

EXERCISES_README = """\
# Exercises

One notebook per chapter of the book. Open one from its page in the book
(Binder or Colab), or with `make lab`; README.md at the top of this repository
says how to do and submit them.
"""

MAKEFILE = """\
# Convolutional Networks, Measured: the student repository. Written by the
# instructor's `make student-repo`; every workflow is a make target:
#   make book   build the HTML book into _build/html
#   make test   build the book and run every exercise untouched (what CI runs)
#   make lab    JupyterLab on 127.0.0.1, to do the exercises on your machine
#   make clean  remove what the builds wrote
# Each target creates .venv and installs the pinned requirements when needed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JUPYTERLAB := jupyterlab=={jupyterlab}

.PHONY: venv book test lab clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
\t@test -x $(PY) || $(PYTHON) -m venv $(VENV)
\t$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
\t$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
\t$(PY) -c "import cnnbook"
\t@touch $(STAMP)

book: $(STAMP)
\t$(VENV)/bin/jupyter-book build . -W -n --keep-going
\t@echo "The book is at $(CURDIR)/_build/html/index.html"

test: book
\t$(PY) -m pytest -q -p no:cacheprovider tests

# JupyterLab from the venv, on this machine only (127.0.0.1); open the address
# it prints (with its token). Root (a container) needs --allow-root.
LAB_PORT ?= 8888
lab: $(STAMP)
\t$(PY) -c "import jupyterlab" 2>/dev/null || \\
\t    $(PY) -m pip install --quiet --disable-pip-version-check "$(JUPYTERLAB)"
\t$(VENV)/bin/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --no-browser \\
\t    $$([ "$$(id -u)" = 0 ] && echo --allow-root) --ServerApp.root_dir=$(CURDIR)

clean:
\trm -rf _build .pytest_cache
"""

TEST = '''\
"""The exercises as a student gets them (run by `make test`, and by CI on
every push): each runs top to bottom unanswered without an error and each of
its checks says "Not answered yet"; no file holds a solution."""

from pathlib import Path

import nbformat
import pytest

from cnnbook.authoring.execute import execute_notebook
from cnnbook.authoring.exercises import check_cells

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def test_there_are_exercises():
    assert EXERCISES, "exercises/ holds no notebook"


@pytest.mark.parametrize("path", EXERCISES, ids=lambda path: path.name)
def test_an_untouched_exercise_runs_and_every_check_waits(path):
    nb = nbformat.read(path, as_version=4)
    done = execute_notebook(nb, path.parent, label=path.name)
    checks = check_cells(done)
    assert checks, f"{path.name} has no check cell"
    for index in checks:
        shown = [
            output["data"]["text/plain"]
            for output in done.cells[index].outputs
            if output.output_type == "execute_result"
        ]
        assert shown and "Not answered yet" in shown[0], (path.name, index, shown)


def lines_of(path):
    if path.suffix == ".ipynb":
        cells = nbformat.read(path, as_version=4).cells
        return [line for cell in cells for line in cell.source.splitlines()]
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def test_no_file_holds_a_solution():
    marker = "### BEGIN " + "SOLUTION"
    for path in ROOT.rglob("*"):
        skipped = {".git", ".venv", "_build"} & set(path.relative_to(ROOT).parts)
        if skipped or not path.is_file():
            continue
        if path.suffix in (".ipynb", ".md", ".py", ".yml", ".txt"):
            assert marker not in [line.strip() for line in lines_of(path)], path
'''

WORKFLOW = """\
# Test the student repository on every push and pull request; publish the book
# (which has no solutions: this repository holds none) to GitHub Pages from
# main. Written by the instructor's `make student-repo`.
#
# Settings of the repository, once: Settings > Pages > Build and deployment >
# Source: GitHub Actions.
name: Book

on:
  push:
    branches: [main]
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: book-${{ github.ref }}
  cancel-in-progress: ${{ github.event_name == 'pull_request' }}

jobs:
  test:
    name: Test, and build the book
    runs-on: ubuntu-24.04
    container: python:3.11-bookworm
    timeout-minutes: 60
    permissions:
      contents: read
      pages: read
    steps:
      - uses: actions/checkout@v4

      - name: Build the book and run every exercise untouched (make test)
        run: make test

      - uses: actions/configure-pages@v5
        if: github.event_name != 'pull_request'

      - uses: actions/upload-pages-artifact@v3
        if: github.event_name != 'pull_request'
        with:
          path: _build/html

  deploy:
    name: Deploy to GitHub Pages
    needs: test
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-24.04
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    concurrency:
      group: pages
      cancel-in-progress: false
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def readme(url: str, web: str | None, exercises: list[str]) -> str:
    """The student README: how to open, do and submit the exercises."""
    book = f"the book at <{web}>" if web else "the book (built from this repository)"
    listing = "\n".join(f"- `exercises/{name}`" for name in exercises)
    return f"""\
# Convolutional Networks, Measured: exercises

This repository holds the book *Convolutional Networks, Measured* and its
exercises, one notebook per chapter. Read {book}; each chapter ends with a
link to its exercises. The repository's address is <{url}>.

## Opening an exercise

- **In the browser, nothing to install:** on an exercise's page in the book,
  use the rocket button at the top: **Binder** opens it in JupyterLab with
  everything installed (it can take a few minutes to start), **Colab** opens
  it in Google Colab (its first cell installs what the book needs; run it).
- **On your machine** (Python 3.11 and `make`): clone this repository and run
  `make lab`, which installs the pinned packages into `.venv/` the first time
  and starts JupyterLab; open the address it prints.

The exercises:

{listing}

## Doing the exercises

- Run the cells from the top (Run > Run All Cells is fine at any time).
- Each question has an answer cell: replace `...` in
  `answer = ...  # YOUR ANSWER HERE` (or write the function body where it
  says `# YOUR CODE HERE`) and run the cell.
- The cell after it is a **check**: run it and read its feedback ("Correct",
  "Not quite: ...", "Not answered yet"). A check names common mistakes but
  never gives the answer away. Try again as often as you like.
- A question asked in words (*Write your answer here.*): replace that line
  with your answer, two or three sentences, in the same cell. A person grades
  these.
- Do not edit or delete the other cells: the grader runs its own copy of them
  (and of the checks), so changing them gains nothing and may cost an answer.

## Submitting

- **Keep your work:** Binder does not save anything and stops a session left
  idle for about ten minutes: download your notebook often (File > Download).
  On Colab, use File > Download > Download .ipynb.
- Submit the `.ipynb` file, keeping its name (for example
  `02_counting_parameters_and_memory.ipynb`), the way your instructor asks.
  The grader runs your notebook from the top in a fresh kernel, so check that
  Run > Restart Kernel and Run All Cells works before you submit.
- The time your file was last changed may count as the time you submitted it.

## Building the book yourself

```bash
make book   # the HTML book into _build/html (creates .venv the first time)
make test   # the book, and every exercise run untouched: what CI runs
```
"""
