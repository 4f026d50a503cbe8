"""The nbgrader course: its metadata, what nbgrader releases, and scores that
equal `make grade`'s on the same submissions (nbgrader 0.9.6, the pinned dev
requirement, runs generate_assignment and autograde here)."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnbook.commands import main
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.grader import GradeOptions, grade_folder
from cnnbook.grading.nbgrader_course import (
    CONFIG,
    course_notebook,
    grade_id,
    write_course,
)
from cnnbook.grading.samples import answered, expected_points
from cnnbook.grading.sandbox import Limits
from tests.conftest import REPO
from tests.grading import grading_fixtures as fx

NAME = "02_counting_parameters_and_memory"
SOURCE = REPO / "notebooks" / f"{NAME}.ipynb"


def test_cells_get_nbgrader_metadata_and_points():
    assignment = Assignment.from_notebook(fx.fixture_notebook(), fx.NAME)
    nb = course_notebook(assignment)
    meta = {cell.id: cell.metadata["nbgrader"] for cell in nb.cells}
    assert meta["q2-check"] == {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": "ch09_q2-check",
        "schema_version": 3,
        "points": 2,
    }
    assert meta["q1-answer"]["solution"] and not meta["q1-answer"]["locked"]
    assert meta["why"]["grade"] and meta["why"]["points"] == 0  # prose: 0 points
    assert meta["setup"]["locked"] and not meta["setup"]["grade"]
    assert len({m["grade_id"] for m in meta.values()}) == len(meta)
    sources = {cell.id: cell.source for cell in nb.cells}
    assert sources["q1-answer"] == (
        "answer = ...  # YOUR ANSWER HERE\n### BEGIN SOLUTION\n"
        "answer = base + 2\n### END SOLUTION"
    )
    assert sources["q3-answer"].startswith(
        "def my_lrn(x, k, n, alpha, beta):\n    # YOUR CODE HERE\n    ...\n"
    )
    assert sources["q1-check"].splitlines()[0] == assignment.source.cells[3].source
    assert "### BEGIN HIDDEN TESTS" in sources["q1-check"]
    assert 'assert __feedback.status == "correct"' in sources["q1-check"]


def test_the_command_writes_the_course_and_its_config(tmp_path, capsys):
    source = fx.write_source(tmp_path / "source")
    assert main(["nbgrader", str(source), "--out", str(tmp_path / "course")]) == 0
    written = tmp_path / "course" / "source" / "ch09" / "09_fixture.ipynb"
    assert f"wrote {written}" in capsys.readouterr().out
    assert (tmp_path / "course" / "nbgrader_config.py").read_text() == CONFIG
    with pytest.raises(ValueError, match="sources must be .ipynb files"):
        write_course([tmp_path / "missing.ipynb"], tmp_path / "course")


def nbgrader(*args, cwd: Path) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs alembic from PATH
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    write_course([SOURCE], root)
    nbgrader("generate_assignment", "ch02", "--force", cwd=root)
    return root


def test_nbgrader_releases_the_student_notebook_of_exercises(course):
    released = nbformat.read(course / "release" / "ch02" / f"{NAME}.ipynb", 4)
    exercise = nbformat.read(REPO / "exercises" / f"{NAME}.ipynb", 4)
    assert [c.source.rstrip() for c in released.cells] == [
        c.source.rstrip() for c in exercise.cells
    ]


def test_autograde_scores_equal_make_grade_scores(course):
    from nbgrader.api import Gradebook

    assignment = Assignment.from_file(SOURCE)
    released = nbformat.read(course / "release" / "ch02" / f"{NAME}.ipynb", 4)
    half = len(assignment.checks) // 2
    students = {"perfect": len(assignment.checks), "partial": half}
    submitted = course / "submitted"
    for student, right in students.items():
        nb = answered(released, assignment, right)
        path = submitted / student / "ch02" / f"{NAME}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    report = grade_folder(
        submitted,
        options=GradeOptions(jobs=2, limits=Limits(cell_seconds=60)),
        log=None,
    )
    nbgrader("autograde", "ch02", "--create", "--force", cwd=course)
    ours = {}
    for row in report.rows:
        ours.setdefault(row.submission.split("/")[0], []).append(row)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student, right in students.items():
            submission = gradebook.find_submission("ch02", student)
            total = sum(row.points for row in ours[student])
            expected = expected_points(assignment, right)
            assert submission.score == total == expected, student
            assert submission.max_score == assignment.max_points
            for row, check in zip(ours[student], assignment.checks, strict=True):
                grade = gradebook.find_grade(grade_id(check.qid), NAME, "ch02", student)
                assert grade.score == row.points, (student, check.qid)
