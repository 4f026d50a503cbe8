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
from cnnbook.term.manual import manual_questions
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
    assert sources["q1-check"] == assignment.source.cells[3].source  # no hidden test


def test_a_hand_graded_prose_question_keeps_its_points():
    nb = fx.fixture_notebook()
    nb.cells[fx.cell_index(nb, "why")].metadata["cnnbook"] = {"points": 2}
    course = course_notebook(Assignment.from_notebook(nb, fx.NAME))
    why = course.cells[fx.cell_index(course, "why")].metadata["nbgrader"]
    assert why["grade"] and why["solution"] and why["points"] == 2


def test_the_command_writes_the_course_and_its_config(tmp_path, capsys):
    source = fx.write_source(tmp_path / "source")
    assert main(["nbgrader", str(source), "--out", str(tmp_path / "course")]) == 0
    written = tmp_path / "course" / "source" / "ch09" / "09_fixture.ipynb"
    assert f"wrote {written}" in capsys.readouterr().out
    assert (tmp_path / "course" / "nbgrader_config.py").read_text() == CONFIG
    with pytest.raises(ValueError, match="sources must be .ipynb files"):
        write_course([tmp_path / "missing.ipynb"], tmp_path / "course")


def nbgrader(*args, cwd: Path) -> subprocess.CompletedProcess:
    """The venv's nbgrader, run from a shell whose PATH does not hold the venv
    (nbgrader runs alembic from PATH: the course's config must find it)."""
    venv = str(Path(sys.executable).parent)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv]
    env = {**os.environ, "PATH": os.pathsep.join(path) or "/usr/bin:/bin"}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        [str(Path(venv) / "nbgrader"), *args],
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
            by_hand = sum(q.points for q in manual_questions(assignment))
            assert by_hand == 2  # the prose question 1e, graded by a person
            assert submission.max_score == assignment.max_points + by_hand
            for row, check in zip(ours[student], assignment.checks, strict=True):
                grade = gradebook.find_grade(grade_id(check.qid), NAME, "ch02", student)
                assert grade.score == row.points, (student, check.qid)


VARIANT_PROBE = (
    "from cnnbook.checks import variants\nprint('variant of', variants.student())"
)


def test_autograde_of_an_untouched_release_warns_nothing_and_knows_the_student(
    tmp_path,
):
    """The fixture course (fast kernels): an untouched release gets 0 points
    and no warning at all; a solved one all the points; each kernel judges as
    the student nbgrader grades (their id reaches the variants)."""
    source = fx.write_source(tmp_path / "source")
    root = tmp_path / "course"
    write_course([source], root)
    nbgrader("generate_assignment", "ch09", "--force", cwd=root)
    released = nbformat.read(root / "release" / "ch09" / source.name, 4)
    assignment = Assignment.from_file(source)
    for student, nb in {
        "untouched": released,
        "solved": fx.insert_after(
            answered(released, assignment, len(assignment.checks)),
            "setup",
            VARIANT_PROBE,
            "probe",
        ),
    }.items():
        path = root / "submitted" / student / "ch09" / source.name
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    result = nbgrader("autograde", "ch09", "--create", "--force", cwd=root)
    log = result.stdout + result.stderr
    assert "WARNING" not in log and "checksum" not in log, log[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission("ch09", "untouched").score == 0
        solved = gradebook.find_submission("ch09", "solved")
        assert solved.score == assignment.max_points == 7
    graded = nbformat.read(root / "autograded" / "solved" / "ch09" / source.name, 4)
    probe = graded.cells[fx.cell_index(graded, "probe")]
    assert probe.outputs[0]["text"] == "variant of solved\n"
