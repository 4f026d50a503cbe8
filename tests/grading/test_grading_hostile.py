"""A hostile class folder, built from real chapters' sources, graded as
`make grade` grades it: each submission gets the points, status and feedback
it must, and the honest students beside them get full marks.

The submissions are made in code from notebooks/02 and notebooks/05 (the
student's version and the source's solutions), so they follow the sources as
they change: questions, ids and points are read from them, never typed here.
"""

import csv
import os
import socket
import textwrap
import threading
import uuid
from pathlib import Path

import nbformat
import pytest

from cnnbook.checks import bank
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.grader import GradeOptions, grade_folder
from cnnbook.grading.samples import answered, question_of_cells
from cnnbook.grading.sandbox import Limits
from tests.conftest import REPO
from tests.grading import grading_fixtures as fx
from tests.helpers import full_isolation_or_skip

NAME = "02_counting_parameters_and_memory"
SOURCE = REPO / "notebooks" / f"{NAME}.ipynb"
LRN = "05_local_response_normalization"
LRN_SOURCE = REPO / "notebooks" / f"{LRN}.ipynb"
LIMITS = Limits(cell_seconds=40, notebook_seconds=300, answer_seconds=4)
LOOP_AFTER, EXIT_AFTER, BOMB_AFTER = 3, 2, 2  # questions answered before
LONG = "9" * 149_999 + "1"  # 150,000 characters ending in a digit
HEAVY = (  # a Sequential of 290 layers: seconds to build, a minute to rebuild
    "import keras\n"
    "{name} = keras.Sequential([keras.Input((1,))]"
    " + [keras.layers.Dense(1) for _ in range(290)])"
)
EXITS = "import sys\n\ndef my_lrn(x, k, n, alpha, beta):\n    sys.exit()\n"


class Server:
    """A TCP server on this machine that counts who reaches it."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.5)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.sendall(b"the answer")
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.socket.close()


def answer_cell(assignment: Assignment, n: int) -> str:
    """The (last) solution cell that answers question ``n``."""
    owners = question_of_cells(assignment)
    return [cell for cell, question in owners.items() if question == n][-1]


def hostile_class(assignment: Assignment, folder: Path, port: int, marker: Path):
    """{relative path: notebook or bytes} of the hostile folder."""
    checks = assignment.checks
    exercise = assignment.exercise
    perfect = answered(exercise, assignment, len(checks))
    wrong = answered(exercise, assignment, 0)
    first, answer = answer_cell(assignment, 0), checks[0].answer
    forge = textwrap.dedent(
        f"""\
        import cnnbook.checks.feedback as fb
        from cnnbook import checks
        forged = lambda *args, **kwargs: fb.right("forged")
        for module in (checks, getattr(checks, {assignment.chapter!r}, checks)):
            for name in dir(module):
                if callable(getattr(module, name)) and not name.startswith("_"):
                    setattr(module, name, forged)
        fb.Feedback.__bool__ = lambda self: True
        """
    )
    steal = textwrap.dedent(
        f"""\
        import json, os, pathlib
        {answer} = ...
        for path in [{str(REPO / "solutions" / f"{NAME}.ipynb")!r},
                     {str(SOURCE)!r}, {str(REPO / "notebooks")!r}]:
            try:
                text = pathlib.Path(path).read_text()
                {answer} = _right0  # as good as copied from the solution
            except OSError:
                pass
        for path in [{str(folder / "grades.csv")!r}, {str(marker)!r}, "/x"]:
            try:
                pathlib.Path(path).write_text("submission,points\\nmallory,100\\n")
            except OSError:
                pass
        """
    )
    dial = textwrap.dedent(
        f"""\
        import socket
        {answer} = ...
        for host in ("127.0.0.1", "localhost"):
            try:
                socket.create_connection((host, {port}), timeout=3).recv(64)
                {answer} = _right0  # as good as given by a server
            except OSError:
                pass
        """
    )

    def at_check(nb, n, code):
        """``code`` sets question n's answer just before its check; the right
        answer is put back after it, for the cells that build on it."""
        name, cell = checks[n].answer, answer_cell(assignment, n)
        solved = {c.id: c.source for c in perfect.cells}[cell]
        nb = fx.set_source(nb, cell, f"{solved}\n_right{n} = {name}\n{code}")
        return fx.insert_after(nb, checks[n].cell_id, f"{name} = _right{n}", f"r{n}")

    replaced = at_check(perfect, 0, f"{answer} = 1")
    replaced = at_check(replaced, 1, f"{checks[1].answer} = 1")
    replaced = fx.set_source(
        replaced, checks[0].cell_id, 'print("Correct: it matches exactly.")'
    )
    replaced = fx.delete(replaced, checks[1].cell_id)
    long = perfect
    for n, check in enumerate(checks):  # a long answer in every answer type
        shapes = type(bank.BANK[check.qid]._spec()).__name__ == "ShapesSpec"
        text = "'9' * 149_999 + '1'"  # LONG, built in the kernel
        long = at_check(
            long, n, f"{check.answer} = {f'[{text}] * 3' if shapes else text}"
        )
    model = next(n for n, check in enumerate(checks) if check.qid.endswith(".model"))
    bomb = checks[BOMB_AFTER - 1].cell_id
    return {
        "perfect": perfect,
        "blank": exercise,
        "wrong": wrong,
        "loop": fx.insert_after(
            perfect, checks[LOOP_AFTER - 1].cell_id, "while True:\n    pass"
        ),
        "exit": fx.insert_after(
            perfect, checks[EXIT_AFTER - 1].cell_id, "import os\nos._exit(3)"
        ),
        "monkeypatch": fx.insert_after(wrong, first, forge, "forge"),
        "replaced-checks": replaced,
        "corrupt": b'{"cells": [',
        "escape": at_check(perfect, 0, steal),
        "network": at_check(perfect, 0, dial),
        "long": long,
        "bomb": fx.insert_after(perfect, bomb, "print('x' * 50_000_000)", "bomb"),
        "heavy": at_check(perfect, model, HEAVY.format(name=checks[model].answer)),
        "twice": perfect,
        "twice/old": wrong,
    }


def lrn_class(assignment: Assignment):
    """{student: notebook} of chapter 5: honest, forged, exiting."""
    perfect = answered(assignment.exercise, assignment, len(assignment.checks))
    cell = next(c.id for c in assignment.source.cells if "def my_lrn" in c.source)
    return {
        "perfect": perfect,
        "forger": fx.set_source(perfect, cell, fx.FORGE),
        "exiter": fx.set_source(perfect, cell, EXITS),
    }


def _write(path: Path, nb) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    else:
        nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    assignment = Assignment.from_file(SOURCE)
    lrn = Assignment.from_file(LRN_SOURCE)
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "class"
    marker = Path("/tmp") / f"cnnbook-escape-{uuid.uuid4().hex}"
    server = Server()
    try:
        for student, nb in hostile_class(
            assignment, folder, server.port, marker
        ).items():
            _write(folder / student / f"{NAME}.ipynb", nb)
        for student, nb in lrn_class(lrn).items():
            _write(folder / student / f"{LRN}.ipynb", nb)
        old = folder / "twice" / "old" / f"{NAME}.ipynb"
        os.utime(old, (1e9, 1e9))  # handed in first
        (folder / "mallory" / "answers.py").parent.mkdir()
        (folder / "mallory" / "answers.py").write_text("params = 903_400\n")
        options = GradeOptions(jobs=2, limits=LIMITS)
        report = grade_folder(folder, options=options, log=None)
    finally:
        server.close()
    rows = list(csv.DictReader((folder / "grades.csv").open()))
    by_file = {}
    for row in rows:
        by_file.setdefault(row["submission"], []).append(row)
    return assignment, report, by_file, server, marker, lrn


def file_of(student, name=NAME):
    return f"{student}/{name}.ipynb"


def earned(graded, student, name=NAME):
    return [
        int(row["points"]) if row["points"] else None
        for row in graded[2][file_of(student, name)]
    ]


def full_points(assignment):
    return [check.points for check in assignment.checks]


HEAVY_PROBLEM = "judging this answer took longer than its limit of 4 s"


def test_every_file_is_graded_and_only_the_heavy_answer_is_a_problem(graded):
    assignment, report, by_file, _, _, lrn = graded
    model = next(c.qid for c in assignment.checks if c.qid.endswith(".model"))
    assert report.problems == [f"{file_of('heavy')}: {model}: {HEAVY_PROBLEM}"]
    assert report.exit_code == 1
    assert len(by_file) == 15 + 3 + 1
    for submission, rows in by_file.items():
        checks = lrn.checks if LRN in submission else assignment.checks
        if submission.endswith(".ipynb"):
            assert [row["question"] for row in rows] == [c.qid for c in checks]
    assert report.judge_seconds < 240  # no answer is read for long


def test_perfect_blank_and_wrong(graded):
    assignment, _, by_file, _, _, lrn = graded
    assert earned(graded, "perfect") == full_points(assignment)
    assert earned(graded, "perfect", LRN) == full_points(lrn)
    assert all(
        r["feedback"].startswith("Correct:") for r in by_file[file_of("perfect")]
    )
    assert all(r["status"] == "graded" for r in by_file[file_of("perfect")])
    assert earned(graded, "blank") == [0] * len(assignment.checks)
    assert all(
        r["feedback"].startswith("Not answered yet:") for r in by_file[file_of("blank")]
    )
    assert earned(graded, "wrong") == [0] * len(assignment.checks)
    assert all(
        r["feedback"].startswith("Not quite:") for r in by_file[file_of("wrong")]
    )


@pytest.mark.parametrize(
    ("student", "kept", "reason"),
    [
        ("loop", LOOP_AFTER, "a cell ran longer than its limit of 40 s"),
        ("exit", EXIT_AFTER, "the kernel stopped (exit code 3)"),
    ],
)
def test_failures_keep_the_points_before_them(graded, student, kept, reason):
    assignment, _, by_file, _, _, _ = graded
    points = full_points(assignment)
    assert earned(graded, student) == points[:kept] + [None] * (len(points) - kept)
    for row in by_file[file_of(student)][kept:]:
        assert row["status"].startswith("not graded: ") and reason in row["status"]
        assert row["feedback"].startswith("Not graded:") and reason in row["feedback"]


def test_monkeypatched_checks_earn_nothing(graded):
    rows = graded[2][file_of("monkeypatch")]
    assert earned(graded, "monkeypatch") == [0] * len(rows)
    assert all(row["feedback"].startswith("Not quite:") for row in rows)


def test_a_replaced_or_deleted_check_cell_is_the_sources(graded):
    assignment, _, by_file, _, _, _ = graded
    rows = by_file[file_of("replaced-checks")]
    assert earned(graded, "replaced-checks") == [0, 0] + full_points(assignment)[2:]
    assert rows[0]["feedback"].startswith("Not quite:")
    assert "check cell was edited" in rows[0]["feedback"]
    assert "check cell was deleted" in rows[1]["feedback"]


def test_a_corrupt_file_is_not_graded_and_says_why(graded):
    for row in graded[2][file_of("corrupt")]:
        assert row["points"] == ""
        assert row["status"].startswith("not graded: the file is not a notebook")
        assert row["feedback"].startswith("Not graded: the file is not a notebook")


def test_a_long_answer_of_every_type_is_read_at_once_and_earns_nothing(graded):
    assignment, _, by_file, _, _, _ = graded
    assert earned(graded, "long") == [0] * len(assignment.checks)
    for row, check in zip(by_file[file_of("long")], assignment.checks, strict=True):
        assert row["status"] == "graded" and row["feedback"].startswith("Not quite:")
        assert len(row["answer"]) <= 200
        if type(bank.BANK[check.qid]._spec()).__name__ != "ShapesSpec":
            assert f"{len(LONG):,} characters" in row["feedback"], row


def test_an_output_too_large_is_dropped_between_two_answered_questions(graded):
    assignment, _, by_file, _, _, _ = graded
    assert earned(graded, "bomb") == full_points(assignment)
    rows = by_file[file_of("bomb")]
    assert "larger than 32 MiB and was dropped" in rows[BOMB_AFTER]["feedback"]
    assert not any("dropped" in row["feedback"] for row in rows[:BOMB_AFTER])


def test_an_answer_too_slow_to_judge_costs_only_itself_and_is_named(graded):
    assignment, report, by_file, _, _, _ = graded
    points = full_points(assignment)
    model = next(n for n, c in enumerate(assignment.checks) if c.qid.endswith(".model"))
    expected = points[:model] + [None] + points[model + 1 :]
    assert earned(graded, "heavy") == expected
    row = by_file[file_of("heavy")][model]
    assert row["status"] == f"not graded: {HEAVY_PROBLEM}"
    assert HEAVY_PROBLEM in row["feedback"]
    for student in ("perfect", "bomb", "twice"):  # judged by the judge after it
        assert earned(graded, student)[model] == points[model]
    from cnnbook.grading.report import summary

    line = next(x for x in summary(report.rows, report.runs) if x.startswith("heavy"))
    assert HEAVY_PROBLEM in line


def test_a_forged_code_verdict_earns_nothing_and_an_exit_is_feedback(graded):
    *_, lrn = graded
    points = full_points(lrn)
    n = next(i for i, c in enumerate(lrn.checks) if c.qid.endswith(".my_lrn"))
    for student, said in (
        ("forger", "your output differs from the reference"),
        ("exiter", "raised SystemExit"),
    ):
        assert earned(graded, student, LRN) == points[:n] + [0] + points[n + 1 :]
        row = graded[2][file_of(student, LRN)][n]
        assert row["status"] == "graded" and said in row["feedback"]


def test_a_python_file_is_skipped_and_an_older_copy_superseded(graded):
    assignment, _, by_file, _, _, _ = graded
    (row,) = by_file["mallory/answers.py"]
    assert row["status"] == "skipped: not a notebook (a .py file)"
    assert row["student"] == "mallory" and row["points"] == row["max_points"] == ""
    assert earned(graded, "twice") == full_points(assignment)
    for row in by_file[f"twice/old/{NAME}.ipynb"]:
        assert row["status"] == f"superseded: {file_of('twice')}"
        assert row["points"] == "" and row["student"] == "twice"


def test_the_sandbox_kept_the_solutions_the_csv_and_the_network_away(graded):
    assignment, report, by_file, server, marker, _ = graded
    full_isolation_or_skip(report.isolation, "see test_sandbox.py")
    points = full_points(assignment)
    for student in ("escape", "network"):
        assert earned(graded, student) == [0] + points[1:]
        assert by_file[file_of(student)][0]["feedback"].startswith("Not answered yet:")
    assert server.connections == 0
    assert not marker.exists()
    assert "mallory,100" not in (report.csv_path.read_text())
