"""Which exercise a submission answers, and what the grader runs of it."""

import copy

import nbformat
import pytest

from cnnbook.grading.assignment import Assignment, load_assignments
from cnnbook.grading.submission import plan, read_submission, recognise
from tests.conftest import REPO
from tests.grading import grading_fixtures as fx


@pytest.fixture(scope="module")
def assignment():
    return Assignment.from_notebook(fx.fixture_notebook(), fx.NAME)


@pytest.fixture(scope="module")
def real():
    return load_assignments(REPO / "notebooks")


def _kinds(steps):
    return [(s.label, s.check.qid if s.check else None) for s in steps]


def test_every_exercise_is_recognised_under_its_name_and_renamed(real, tmp_path):
    for path in sorted((REPO / "exercises").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert recognise(nb, path, real).name == path.stem
        assert recognise(nb, tmp_path / "homework.ipynb", real).name == path.stem
        for cell in nb.cells:  # saved by a front end that drops cell ids
            cell.pop("id", None)
        assert recognise(nb, tmp_path / "homework.ipynb", real).name == path.stem


def test_a_file_that_is_not_a_notebook_is_known_by_its_name_only(real, tmp_path):
    path = tmp_path / "02_counting_parameters_and_memory.ipynb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n not json")
    nb, problem = read_submission(path)
    assert nb is None and problem.startswith("the file is not a notebook")
    assert recognise(None, path, real).name == path.stem
    assert recognise(None, tmp_path / "untitled.ipynb", real) is None
    path.write_text('{"cells": "no"}')
    assert read_submission(path)[0] is None


def test_an_unrelated_notebook_matches_nothing(real, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    assert recognise(nb, tmp_path / "scratch.ipynb", real) is None


def test_the_plan_runs_setup_as_the_source_has_it_and_answers_as_written(assignment):
    nb = fx.student(assignment)
    nb = fx.set_source(
        nb, "setup", "import numpy as np\nfrom cnnbook import checks\nbase = 0"
    )
    steps = plan(nb, assignment)
    assert _kinds(steps) == [
        ("source cell setup", None),
        ("cell 3", None),
        ("cell 4", "ch09.q1-check"),
        ("cell 5", None),
        ("cell 6", "ch09.q2-check"),
        ("cell 7", None),
        ("cell 8", "ch05.my_lrn"),
        ("cell 9", None),
        ("cell 10", "ch09.q4-check"),
    ]
    assert steps[0].code.endswith("base = 40"), "the instructor's setup is restored"
    assert steps[1].code == "answer = base + 2"
    assert "edited" in steps[2].notes[0] and not steps[4].notes


def test_edited_deleted_and_added_cells(assignment):
    nb = fx.student(assignment)
    nb = fx.set_source(nb, "q1-check", 'print("Correct: trust me")')
    nb = fx.delete(nb, "q2-check")
    nb = fx.delete(nb, "setup")
    nb = fx.insert_after(nb, "q3-answer", "extra = 1")
    steps = plan(nb, assignment)
    assert _kinds(steps) == [
        ("source cell setup", None),
        ("cell 2", None),
        ("cell 3", "ch09.q1-check"),
        ("cell 4", None),
        ("source cell q2-check", "ch09.q2-check"),
        ("cell 5", None),
        ("cell 6", None),
        ("cell 7", "ch05.my_lrn"),
        ("cell 8", None),
        ("cell 9", "ch09.q4-check"),
    ]
    assert "edited" in steps[2].notes[0]
    assert "deleted" in steps[4].notes[0]
    assert steps[6].code == "extra = 1"
    assert all("Correct" not in step.code for step in steps)


def test_cells_without_ids_are_matched_by_their_text(assignment):
    nb = copy.deepcopy(fx.student(assignment))
    for cell in nb.cells:
        cell.pop("id", None)
    labels = [label for label, qid in _kinds(plan(nb, assignment)) if qid]
    assert labels == ["cell 4", "cell 6", "cell 8", "cell 10"]


def test_a_file_too_large_is_not_read(tmp_path, monkeypatch):
    from cnnbook.grading import submission

    monkeypatch.setattr(submission, "MAX_NOTEBOOK_BYTES", 1_000_000)
    path = tmp_path / "huge.ipynb"
    path.write_text(" " * 1_000_001)
    nb, problem = read_submission(path)
    assert nb is None and problem == "the file is larger than 1 MB (1,000,001 bytes)"
