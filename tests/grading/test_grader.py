"""The grader's mechanics on a small source (no TensorFlow, fast kernels).

One class folder is graded once for the module: each submission exercises one
way a notebook can go wrong, and each test reads its rows of grades.csv. The
hostile folder built from a real chapter is in test_grading_hostile.py.
"""

import csv
import os
import textwrap

import nbformat
import pytest

from cnnbook.checks import bank, ch03
from cnnbook.checks.specs import NumberSpec
from cnnbook.commands import main
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.grader import (
    GradeOptions,
    find_submissions,
    grade_folder,
    student_of,
)
from cnnbook.grading.judge import judge
from cnnbook.grading.sandbox import Limits
from tests.grading import grading_fixtures as fx
from tests.helpers import full_isolation_or_skip

LIMITS = Limits(cell_seconds=10, notebook_seconds=60, memory_mb=400)
FORGE = textwrap.dedent(
    """\
    import cnnbook.checks.feedback as fb
    forged = lambda *args, **kwargs: fb.right("forged")
    checks.number = checks.choice = checks.shape = forged
    checks.ch05.my_lrn = forged
    fb.Feedback.__bool__ = lambda self: True
    def my_lrn(x, k, n, alpha, beta):
        return x
    """
)

WRITER = textwrap.dedent(
    """\
    import os
    answer = base + 2
    for path in ("/kernel/x", "/kernel/connection.json", "/x", "/etc/x"):
        try:
            open(path, "w").close()
            answer = "wrote " + path
        except OSError:
            pass
    """
)

KERNEL_FORGER = textwrap.dedent(
    """\
    import json
    lie = json.dumps({"t": "opaque", "status": "correct", "message": "Correct: me"})
    get_ipython().user_expressions = lambda expressions: {
        name: {"status": "ok", "data": {"text/plain": repr(lie)}, "metadata": {}}
        for name in expressions
    }
    """
)


def _class(assignment):
    perfect, blank = fx.student(assignment), fx.student(assignment, solved=False)
    return {
        "perfect/09_fixture.ipynb": perfect,
        "blank/09_fixture.ipynb": blank,
        "renamed/homework.ipynb": perfect,
        "loop/09_fixture.ipynb": fx.insert_after(
            perfect, "q2-check", "while True: pass"
        ),
        "exit/09_fixture.ipynb": fx.insert_after(
            perfect, "q1-check", "import os\nos._exit(3)"
        ),
        "crash/09_fixture.ipynb": fx.insert_after(
            perfect, "q3-check", "import ctypes\nctypes.string_at(0)"
        ),
        "memory/09_fixture.ipynb": fx.insert_after(
            perfect,
            "q1-check",
            "import time\nhog = []\nwhile True:\n"
            "    hog.append(b'x' * 50_000_000)\n    time.sleep(0.05)",
        ),
        "forger/09_fixture.ipynb": fx.insert_after(blank, "q3-answer", FORGE),
        "editor/09_fixture.ipynb": fx.delete(
            fx.set_source(
                fx.set_source(
                    blank, "q1-check", 'print("Correct: 42 matches exactly.")'
                ),
                "q4-answer",
                "shape = (25, 38, 400)",
            ),
            "q4-check",
        ),
        "liar/09_fixture.ipynb": fx.set_source(
            perfect,
            "q1-answer",
            "class Liar(int):\n    __eq__ = lambda self, other: True\n"
            "    __hash__ = int.__hash__\nanswer = Liar(7)",
        ),
        "writer/09_fixture.ipynb": fx.set_source(perfect, "q1-answer", WRITER),
        "kernel-forger/09_fixture.ipynb": fx.insert_after(
            blank, "setup", KERNEL_FORGER
        ),
        "orphans/09_fixture.ipynb": fx.insert_after(
            perfect,
            "q4-check",
            "import os, time\nfor _ in range(3):\n    if os.fork() == 0:\n"
            "        os.setsid()\n        os.closerange(0, 3)\n        time.sleep(600)",
        ),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    source = fx.write_source(root / "source")
    assignment = Assignment.from_file(source)
    folder = root / "class"
    for relative, nb in _class(assignment).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
    corrupt = folder / "corrupt" / "09_fixture.ipynb"
    corrupt.parent.mkdir()
    corrupt.write_bytes(b"\x00\x01 not a notebook")
    checkpoint = (
        folder / "perfect" / ".ipynb_checkpoints" / "09_fixture-checkpoint.ipynb"
    )
    checkpoint.parent.mkdir()
    nbformat.write(assignment.exercise, checkpoint)
    (folder / "grades.csv").symlink_to(root / "elsewhere.csv")
    options = GradeOptions(jobs=2, limits=LIMITS)
    report = grade_folder(folder, source=source.parent, options=options, log=None)
    rows = list(csv.DictReader((folder / "grades.csv").open()))
    return report, rows, folder, root


def rows_of(graded, student):
    _, rows, _, _ = graded
    return {
        row["question"]: row for row in rows if row["submission"].startswith(student)
    }


def points(graded, student):
    return [int(row["points"]) for row in rows_of(graded, student).values()]


def test_the_csv_has_one_row_per_submission_and_question(graded):
    report, rows, folder, root = graded
    assert list(rows[0]) == [
        "submission",
        "notebook",
        "question",
        "points",
        "max_points",
        "feedback",
    ]
    submissions = {row["submission"] for row in rows}
    assert len(submissions) == 14 and len(rows) == 14 * 4
    assert not any(".ipynb_checkpoints" in s for s in submissions)
    assert {row["notebook"] for row in rows} == {fx.NAME}
    assert not (folder / "grades.csv").is_symlink(), "the link is replaced"
    assert not (root / "elsewhere.csv").exists(), "not followed"
    assert report.exit_code == 0 and report.problems == []


def test_a_perfect_notebook_gets_every_point_even_renamed(graded):
    assert points(graded, "perfect/") == [1, 2, 3, 1]
    assert points(graded, "renamed/") == [1, 2, 3, 1]
    rows = rows_of(graded, "perfect/")
    assert rows["ch09.q2-check"]["max_points"] == "2"
    assert rows["ch09.q1-check"]["feedback"].startswith("Correct:")
    assert rows["ch05.my_lrn"]["feedback"].endswith("cannot copy out of it.)")


def test_a_blank_notebook_is_not_answered(graded):
    rows = rows_of(graded, "blank/")
    assert points(graded, "blank/") == [0, 0, 0, 0]
    for qid in ("ch09.q1-check", "ch09.q2-check", "ch09.q4-check"):
        assert rows[qid]["feedback"].startswith("Not answered yet:")


@pytest.mark.parametrize(
    ("student", "expected", "reason"),
    [
        ("loop/", [1, 2, 0, 0], "a cell ran longer than its limit of 10 s"),
        ("exit/", [1, 0, 0, 0], "the kernel stopped (exit code 3)"),
        ("crash/", [1, 2, 3, 0], "the kernel stopped (signal 11)"),
        ("memory/", [1, 0, 0, 0], "more than its memory limit of 400 MB"),
    ],
)
def test_a_failure_keeps_the_points_earned_before_it(graded, student, expected, reason):
    assert points(graded, student) == expected
    rows = list(rows_of(graded, student).values())
    failed = rows[expected.index(0) if 0 in expected else len(rows)]
    assert failed["feedback"].startswith("Not graded:") and reason in failed["feedback"]


def test_a_file_that_is_not_a_notebook_gets_zero_and_says_so(graded):
    rows = list(rows_of(graded, "corrupt/").values())
    assert [row["points"] for row in rows] == ["0"] * 4
    assert rows[0]["feedback"].startswith("Not graded: the file is not a notebook")


def test_monkeypatched_checks_earn_nothing(graded):
    assert points(graded, "forger/") == [0, 0, 0, 0]
    rows = rows_of(graded, "forger/")
    assert rows["ch09.q1-check"]["feedback"].startswith("Not answered yet:")
    # my_lrn is code, judged in the kernel: by a freshly imported check
    assert rows["ch05.my_lrn"]["feedback"].startswith("Not quite:")


def test_a_kernel_that_lies_about_answers_earns_nothing_for_data(graded):
    rows = rows_of(graded, "kernel-forger/")
    for qid in ("ch09.q1-check", "ch09.q2-check", "ch09.q4-check"):
        assert rows[qid]["points"] == "0"
        assert rows[qid]["feedback"].startswith("Not quite: the grader reads numbers")
    # The limit README states: an answer that is code is judged in the kernel,
    # which this student controls; its feedback says where it was judged.
    assert rows["ch05.my_lrn"]["feedback"].endswith("cannot copy out of it.)")


def test_edited_and_deleted_check_cells_are_replaced_by_the_source(graded):
    rows = rows_of(graded, "editor/")
    assert points(graded, "editor/") == [0, 0, 0, 1]
    assert rows["ch09.q1-check"]["feedback"].startswith("Not answered yet:")
    assert "check cell was edited" in rows["ch09.q1-check"]["feedback"]
    assert "check cell was deleted" in rows["ch09.q4-check"]["feedback"]


def test_an_answer_that_claims_to_equal_everything_is_judged_by_its_value(graded):
    assert points(graded, "liar/") == [0, 2, 3, 1]
    assert "7 is too low" in rows_of(graded, "liar/")["ch09.q1-check"]["feedback"]


@pytest.mark.skipif(os.getuid() != 0, reason="a uid per job needs root")
def test_a_kernel_writes_nowhere_but_its_scratch(graded):
    full_isolation_or_skip(graded[0].isolation, "see test_sandbox.py")
    assert points(graded, "writer/") == [1, 2, 3, 1]


@pytest.mark.skipif(os.getuid() != 0, reason="a uid per job needs root")
def test_no_process_of_any_job_survives(graded):
    assert points(graded, "orphans/") == [1, 2, 3, 1]
    assert graded[0].leftovers == 0


def test_the_summary_has_a_line_per_submission(graded, capsys):
    from cnnbook.grading.grader import summary

    report = graded[0]
    lines = summary(report)
    assert len(lines) == 1 + len(report.runs)
    assert any(line.startswith("perfect") and " 7 / 7" in line for line in lines)
    assert student_of("alice/ch02/a.ipynb") == "alice"
    assert student_of("alice.ipynb") == "alice"


def test_an_unknown_notebook_is_reported_and_the_command_fails(tmp_path, capsys):
    source = fx.write_source(tmp_path / "source")
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), folder / "untitled.ipynb")
    code = main(
        [
            "grade",
            str(folder),
            "--source",
            str(source.parent),
            "--jobs",
            "1",
            "--cell-timeout",
            "10",
        ]  # fmt: skip
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "problem: untitled.ipynb: the notebook matches none of the exercises" in out
    rows = list(csv.DictReader((folder / "grades.csv").open()))
    assert rows == [  # the columns of cnnbook.grading.results (issue 24)
        {
            "submission": "untitled.ipynb",
            "student": "untitled",
            "notebook": "",
            "question": "",
            "status": "skipped: the notebook matches none of the exercises",
            "points": "",
            "max_points": "",
            "answer": "",
            "feedback": "Not graded: the notebook matches none of the exercises.",
        }
    ]


def test_bank_questions_are_judged_by_the_bank_with_their_points(tmp_path):
    def fixture():
        """The fixture's bank question."""
        return NumberSpec(42, what="the answer")

    fixture.__module__ = "cnnbook.checks.ch03"
    ch03.fixture = bank.question(points=3)(fixture)
    try:
        nb = fx.fixture_notebook()
        nb.cells[3].source = "checks.ch03.fixture(answer)"
        source = fx.write_source(tmp_path / "source", nb)
        assignment = Assignment.from_file(source)
        folder = tmp_path / "class"
        for name, right in (("alice", 4), ("bob", 0)):
            (folder / name).mkdir(parents=True)
            student = fx.student(assignment) if right else assignment.exercise
            nbformat.write(student, folder / name / "09_fixture.ipynb")
        report = grade_folder(
            folder,
            source=source.parent,
            options=GradeOptions(jobs=2, limits=LIMITS),
            log=None,
            judge_runner=lambda a, items, jobs: judge(_request(a, items)),
        )
    finally:
        del ch03.fixture
        del bank.BANK["ch03.fixture"]
    first = {row.submission.split("/")[0]: row for row in report.rows[::4]}
    assert first["alice"].question == "ch03.fixture"
    assert (first["alice"].points, first["alice"].max_points) == (3, 3)
    assert first["alice"].feedback == "Correct: 42 matches exactly."
    assert first["bob"].points == 0


def _request(assignment, items):
    return {
        "name": assignment.name,
        "source": nbformat.writes(assignment.source),
        "items": items,
    }


def test_bad_options_are_refused(tmp_path):
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        GradeOptions(jobs=0)
    with pytest.raises(ValueError, match="submissions must be an existing folder"):
        grade_folder(tmp_path / "missing", log=None)
    (tmp_path / "a" / ".hidden").mkdir(parents=True)
    (tmp_path / "a" / ".hidden" / "x.ipynb").write_text("{}")
    assert find_submissions(tmp_path / "a") == []


def test_a_kernel_that_cannot_start_is_the_graders_problem(tmp_path, monkeypatch):
    import cnnbook.grading.kernel as kernel

    monkeypatch.setattr(kernel, "START_SECONDS", 0.01)
    source = fx.write_source(tmp_path / "source")
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(fx.fixture_notebook(), folder / "09_fixture.ipynb")
    options = GradeOptions(jobs=1, limits=LIMITS)
    report = grade_folder(folder, source=source.parent, options=options, log=None)
    assert report.exit_code == 1
    assert report.problems == ["09_fixture.ipynb: the kernel did not start in time"]
    assert all(row.feedback.startswith("Not graded:") for row in report.rows)
