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
from cnnbook.checks.feedback import right
from cnnbook.checks.specs import NumberSpec
from cnnbook.commands import main
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.collect import collect, student_of
from cnnbook.grading.grader import GradeOptions, grade_folder
from cnnbook.grading.judging import judge_in_process
from cnnbook.grading.report import summary
from cnnbook.grading.results import CSV_FIELDS, read_rows
from cnnbook.grading.sandbox import Limits
from tests.grading import grading_fixtures as fx
from tests.helpers import full_isolation_or_skip

LIMITS = Limits(cell_seconds=10, notebook_seconds=60, memory_mb=400, answer_seconds=3)

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
BABBLER = textwrap.dedent(
    """\
    kernel = get_ipython().kernel
    session = kernel.session
    header = session.pack(session.msg_header("stream"))
    for parent in (b"[" * 100_000 + b"]" * 100_000, b"[]", b"not json"):
        parts = [header, parent, b"{}", b'{"name": "stdout", "text": "x"}']
        frames = [b"stream", b"<IDS|MSG>", session.sign(parts), *parts]
        kernel.iopub_socket.send_multipart(frames)
    """
)
HELPERS = textwrap.dedent(
    """\
    import numpy as np
    from numpy import pad as padding
    EXPONENT = {"beta": 1.0}

    def _window(x, n):
        r, maps = n // 2, x.shape[-1]
        padded = padding(x**2, [(0, 0)] * (x.ndim - 1) + [(r, r)])
        return sum(padded[..., j : j + maps] for j in range(n))

    def my_lrn(x, k, n, alpha, beta):
        return x / (k + alpha * _window(x, n)) ** (beta * EXPONENT["beta"])
    """
)
SIGNATURE = "def my_lrn(x, k, n, alpha, beta):\n"


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
        "forger/09_fixture.ipynb": fx.insert_after(blank, "q3-answer", fx.FORGE),
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
        "exiter/09_fixture.ipynb": fx.set_source(
            perfect, "q3-answer", f"import sys\n{SIGNATURE}    sys.exit(3)"
        ),
        "spinner/09_fixture.ipynb": fx.set_source(
            perfect, "q3-answer", f"{SIGNATURE}    while True:\n        pass"
        ),
        "closure/09_fixture.ipynb": fx.set_source(
            perfect,
            "q3-answer",
            f"def make():\n    {SIGNATURE}        return x\n    return my_lrn\n"
            "my_lrn = make()",
        ),
        "objects/09_fixture.ipynb": fx.set_source(
            perfect,
            "q3-answer",
            f"HALF = 0.5 + 0j\n{SIGNATURE}    return x * HALF.real",
        ),
        "helpers/09_fixture.ipynb": fx.set_source(perfect, "q3-answer", HELPERS),
        "bomb/09_fixture.ipynb": fx.insert_after(
            perfect, "q2-check", "print('x' * 50_000_000)"
        ),
        "babbler/09_fixture.ipynb": fx.insert_after(perfect, "q1-check", BABBLER),
        "dup/old.ipynb": blank,
        "dup/09_fixture.ipynb": perfect,
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
    os.utime(folder / "dup" / "old.ipynb", (1e9, 1e9))  # saved in 2001
    corrupt = folder / "corrupt" / "09_fixture.ipynb"
    corrupt.parent.mkdir()
    corrupt.write_bytes(b"\x00\x01 not a notebook")
    checkpoint = (
        folder / "perfect" / ".ipynb_checkpoints" / "09_fixture-checkpoint.ipynb"
    )
    checkpoint.parent.mkdir()
    nbformat.write(assignment.exercise, checkpoint)
    (folder / "perfect" / "notes.py").write_text("answer = 42\n")
    (folder / "linked").mkdir()
    (folder / "linked" / "09_fixture.ipynb").symlink_to(
        folder / "perfect" / "09_fixture.ipynb"
    )
    (folder / "grades.csv").symlink_to(root / "elsewhere.csv")
    options = GradeOptions(jobs=2, limits=LIMITS)
    report = grade_folder(folder, source=source.parent, options=options, log=None)
    rows = list(csv.DictReader((folder / "grades.csv").open()))
    return report, rows, folder, root


def rows_of(graded, student):
    _, rows, _, _ = graded
    return {
        row["question"]: row
        for row in rows
        if row["submission"].startswith(student) and row["question"]
    }


def points(graded, student):
    return [
        int(row["points"]) if row["points"] else None
        for row in rows_of(graded, student).values()
    ]


QIDS = ["ch09.q1-check", "ch09.q2-check", "ch05.my_lrn", "ch09.q4-check"]
NOTEBOOKS = 23  # every .ipynb file but the link and the checkpoint


def test_the_csv_has_one_row_per_submission_and_question(graded):
    report, rows, folder, root = graded
    assert tuple(rows[0]) == CSV_FIELDS
    assert CSV_FIELDS == (
        "submission",
        "student",
        "notebook",
        "question",
        "status",
        "points",
        "max_points",
        "answer",
        "feedback",
    )
    notebooks = {row["submission"] for row in rows if row["question"]}
    assert len(notebooks) == NOTEBOOKS and len(rows) == NOTEBOOKS * 4 + 2
    assert not any(".ipynb_checkpoints" in row["submission"] for row in rows)
    assert {row["notebook"] for row in rows if row["question"]} == {fx.NAME}
    assert not (folder / "grades.csv").is_symlink(), "the link is replaced"
    assert not (root / "elsewhere.csv").exists(), "not followed"
    assert report.exit_code == 0 and report.problems == []
    assert read_rows(folder / "grades.csv") == report.rows


def test_a_perfect_notebook_gets_every_point_even_renamed(graded):
    assert points(graded, "perfect/") == [1, 2, 3, 1]
    assert points(graded, "renamed/") == [1, 2, 3, 1]
    rows = rows_of(graded, "perfect/")
    assert rows["ch09.q2-check"]["max_points"] == "2"
    assert rows["ch09.q1-check"]["feedback"] == "Correct: 42 matches exactly."
    assert [row["answer"] for row in rows.values()] == [
        "42",
        "'b'",
        SIGNATURE.strip(),
        "(25, 38, 400)",
    ]
    assert all(row["status"] == "graded" for row in rows.values())
    assert all(row["student"] == "perfect" for row in rows.values())
    assert rows["ch05.my_lrn"]["feedback"].startswith("Correct: Your function")


def test_a_blank_notebook_is_not_answered(graded):
    rows = rows_of(graded, "blank/")
    assert points(graded, "blank/") == [0, 0, 0, 0]
    for row in rows.values():
        assert row["feedback"].startswith("Not answered yet:")
    assert rows["ch09.q1-check"]["answer"] == "..."


LOOP = "a cell ran longer than its limit of 10 s (cell 7)"


@pytest.mark.parametrize(
    ("student", "expected", "reason"),
    [
        ("loop/", [1, 2, None, None], LOOP),
        (
            "exit/",
            [1, None, None, None],
            "(exit code 3): os._exit, a crash or a kill (cell 5)",
        ),
        ("crash/", [1, 2, 3, None], "the kernel stopped (signal 11)"),
        ("memory/", [1, None, None, None], "more than its memory limit of 400 MB"),
    ],
)
def test_a_failure_keeps_the_points_earned_before_it(graded, student, expected, reason):
    assert points(graded, student) == expected
    for row, earned in zip(rows_of(graded, student).values(), expected, strict=True):
        if earned is None:
            assert row["status"].startswith("not graded: ")
            assert reason in row["status"] and reason in row["feedback"]
            assert row["feedback"].startswith("Not graded:") and row["answer"] == ""
        else:
            assert row["status"] == "graded"


def test_a_file_that_is_not_a_notebook_is_not_graded_and_says_so(graded):
    rows = list(rows_of(graded, "corrupt/").values())
    assert [row["points"] for row in rows] == [""] * 4
    assert [row["max_points"] for row in rows] == ["1", "2", "3", "1"]
    for row in rows:
        assert row["status"].startswith("not graded: the file is not a notebook")
        assert row["feedback"].startswith("Not graded: the file is not a notebook")


def test_files_that_are_not_notebooks_are_skipped_and_listed(graded):
    report, rows, _, _ = graded
    skipped = {row["submission"]: row for row in rows if not row["question"]}
    assert set(skipped) == {"perfect/notes.py", "linked/09_fixture.ipynb"}
    assert skipped["perfect/notes.py"]["status"] == (
        "skipped: not a notebook (a .py file)"
    )
    assert skipped["linked/09_fixture.ipynb"]["status"].startswith(
        "skipped: a symbolic link (to "
    )
    assert all(row["points"] == row["max_points"] == "" for row in skipped.values())
    lines = summary(report.rows, report.runs)
    assert any("perfect/notes.py" in line and "skipped" in line for line in lines)
    assert [entry.relative for entry in report.skipped] == sorted(skipped)


def test_the_newest_of_two_submissions_counts(graded):
    assert points(graded, "dup/09_fixture") == [1, 2, 3, 1]
    older = rows_of(graded, "dup/old")
    for row in older.values():
        assert row["status"] == "superseded: dup/09_fixture.ipynb"
        assert row["points"] == ""
    assert "dup/09_fixture.ipynb is a newer submission" in older[QIDS[0]]["feedback"]


def test_monkeypatched_checks_and_json_earn_nothing(graded):
    assert points(graded, "forger/") == [0, 0, 0, 0]
    rows = rows_of(graded, "forger/")
    assert rows["ch09.q1-check"]["feedback"].startswith("Not answered yet:")
    # my_lrn is carried out of the kernel and judged by the judge: the identity
    # the forger wrote is wrong, whatever the kernel's json says
    assert rows["ch05.my_lrn"]["status"] == "graded"
    assert "your output differs from the reference" in rows["ch05.my_lrn"]["feedback"]


def test_a_kernel_that_lies_about_answers_earns_nothing(graded):
    rows = rows_of(graded, "kernel-forger/")
    for qid in ("ch09.q1-check", "ch09.q2-check", "ch09.q4-check"):
        assert rows[qid]["points"] == "0"
        assert rows[qid]["feedback"].startswith("Not quite: the grader reads numbers")
    # the kernel claims my_lrn is code: the one its cells define is the stub
    assert rows["ch05.my_lrn"]["points"] == "0"
    assert rows["ch05.my_lrn"]["feedback"].startswith("Not answered yet:")


SPUN = "raised TimeoutError: your function ran longer than its limit of 3 s"


@pytest.mark.parametrize(
    ("student", "said"),
    [
        ("exiter/", "raised SystemExit: 3"),
        ("spinner/", SPUN),
        ("closure/", "`my_lrn` is not defined by a `def` or `class` statement"),
        ("objects/", "uses the global `HALF`, which is not data (an object)"),
    ],
)
def test_a_function_that_misbehaves_or_cannot_move_costs_only_itself(
    graded, student, said
):
    assert points(graded, student) == [1, 2, 0, 1]
    row = rows_of(graded, student)["ch05.my_lrn"]
    assert row["status"] == "graded" and said in row["feedback"]


def test_signed_messages_nested_too_deep_or_malformed_are_ignored(graded):
    assert points(graded, "babbler/") == [1, 2, 3, 1]


def test_a_function_is_carried_with_its_imports_helpers_and_data(graded):
    assert points(graded, "helpers/") == [1, 2, 3, 1]


def test_an_output_too_large_is_dropped_and_the_grading_goes_on(graded):
    assert points(graded, "bomb/") == [1, 2, 3, 1]
    feedback = rows_of(graded, "bomb/")["ch05.my_lrn"]["feedback"]
    assert "The output of cell 7 was larger than 32 MiB and was dropped" in feedback


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


def test_the_summary_has_a_line_per_file(graded):
    report = graded[0]
    lines = summary(report.rows, report.runs)
    assert len(lines) == 1 + NOTEBOOKS + 2
    assert any(line.startswith("perfect") and " 7 / 7" in line for line in lines)
    assert any(line.startswith("loop") and "(cell 7)" in line for line in lines)
    assert any("superseded: dup/09_fixture.ipynb" in line for line in lines)
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
            "--answer-timeout",
            "5",
        ]  # fmt: skip
    )
    assert code == 1
    out = capsys.readouterr().out
    assert "problem: untitled.ipynb: the notebook matches none of the exercises" in out
    rows = list(csv.DictReader((folder / "grades.csv").open()))
    assert rows == [
        {
            "submission": "untitled.ipynb",
            "student": "untitled",
            "notebook": "",
            "question": "",
            "status": "not graded: the notebook matches none of the exercises",
            "points": "",
            "max_points": "",
            "answer": "",
            "feedback": "Not graded: the notebook matches none of the exercises.",
        }
    ]


def test_bank_questions_are_judged_by_the_bank_as_the_student(tmp_path):
    from cnnbook.checks import variants

    class AsWho:
        def judge(self, answer):
            if answer != 42:
                return NumberSpec(42, what="the answer").judge(answer)
            return right(f"42 matches exactly, judged as {variants.student()}.")

    def fixture():
        """The fixture's bank question."""
        return AsWho()

    fixture.__module__ = "cnnbook.checks.ch03"
    ch03.fixture = bank.question(points=3)(fixture)
    try:
        nb = fx.fixture_notebook()
        nb.cells[3].source = "checks.ch03.fixture(answer)"
        source = fx.write_source(tmp_path / "source", nb)
        assignment = Assignment.from_file(source)
        folder = tmp_path / "class"
        for name, solved in (("alice", True), ("bob", False)):
            (folder / name).mkdir(parents=True)
            student = fx.student(assignment) if solved else assignment.exercise
            nbformat.write(student, folder / name / "09_fixture.ipynb")
        report = grade_folder(
            folder,
            source=source.parent,
            options=GradeOptions(jobs=2, limits=LIMITS),
            log=None,
            judge_runner=judge_in_process,
        )
    finally:
        del ch03.fixture
        del bank.BANK["ch03.fixture"]
    first = {row.student: row for row in report.rows if row.question == "ch03.fixture"}
    assert (first["alice"].points, first["alice"].max_points) == (3, 3)
    assert first["alice"].feedback == "Correct: 42 matches exactly, judged as alice."
    assert first["bob"].points == 0
    my_lrn = [row for row in report.rows if row.question == "ch05.my_lrn"]
    assert my_lrn[0].status.startswith("not graded: ")
    assert "code answers cannot be judged here" in my_lrn[0].status
    assert len(report.problems) == 2  # the two my_lrn answers, each named
    assert report.problems[0].startswith("alice/09_fixture.ipynb: ch05.my_lrn: ")


def test_bad_options_are_refused(tmp_path):
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        GradeOptions(jobs=0)
    with pytest.raises(ValueError, match="answer_seconds must be a number"):
        Limits(answer_seconds=0)
    with pytest.raises(ValueError, match="submissions must be an existing folder"):
        grade_folder(tmp_path / "missing", log=None)
    (tmp_path / "a" / ".hidden").mkdir(parents=True)
    (tmp_path / "a" / ".hidden" / "x.ipynb").write_text("{}")
    (tmp_path / "a" / ".notes.txt").write_text("")
    assert collect(tmp_path / "a") == []


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
    assert all(row.points is None for row in report.rows)
