"""A hostile class folder, built from a real chapter's source, graded as
`make grade` grades it: each submission gets the points and feedback it must.

The submissions are made in code from notebooks/02 (the student's version and
the source's solutions), so they follow the source as it changes: questions,
ids and points are read from it, never typed here.
"""

import csv
import socket
import textwrap
import threading
import uuid
from pathlib import Path

import nbformat
import pytest

from cnnbook.grading.assignment import Assignment
from cnnbook.grading.grader import GradeOptions, grade_folder
from cnnbook.grading.samples import answered, question_of_cells
from cnnbook.grading.sandbox import Limits
from tests.conftest import REPO
from tests.grading import grading_fixtures as fx
from tests.helpers import full_isolation_or_skip

NAME = "02_counting_parameters_and_memory"
SOURCE = REPO / "notebooks" / f"{NAME}.ipynb"
LIMITS = Limits(cell_seconds=40, notebook_seconds=300)
LOOP_AFTER, EXIT_AFTER = 3, 2  # questions answered before the failure


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
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    assignment = Assignment.from_file(SOURCE)
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "class"
    marker = Path("/tmp") / f"cnnbook-escape-{uuid.uuid4().hex}"
    server = Server()
    try:
        for student, nb in hostile_class(
            assignment, folder, server.port, marker
        ).items():
            path = folder / student / f"{NAME}.ipynb"
            path.parent.mkdir(parents=True)
            if isinstance(nb, bytes):
                path.write_bytes(nb)
            else:
                nbformat.write(nb, path)
        options = GradeOptions(jobs=2, limits=LIMITS)
        report = grade_folder(folder, options=options, log=None)
    finally:
        server.close()
    rows = list(csv.DictReader((folder / "grades.csv").open()))
    by_student = {}
    for row in rows:
        by_student.setdefault(row["submission"].split("/")[0], []).append(row)
    return assignment, report, by_student, server, marker


def earned(graded, student):
    return [int(row["points"]) for row in graded[2][student]]


def full_points(assignment):
    return [check.points for check in assignment.checks]


def test_every_file_is_graded_and_the_command_succeeds(graded):
    assignment, report, by_student, _, _ = graded
    assert report.exit_code == 0, report.problems
    assert len(by_student) == 10
    assert all(len(rows) == len(assignment.checks) for rows in by_student.values())


def test_perfect_blank_and_wrong(graded):
    assignment, _, by_student, _, _ = graded
    assert earned(graded, "perfect") == full_points(assignment)
    assert all(r["feedback"].startswith("Correct:") for r in by_student["perfect"])
    assert earned(graded, "blank") == [0] * len(assignment.checks)
    assert all(
        r["feedback"].startswith("Not answered yet:") for r in by_student["blank"]
    )
    assert earned(graded, "wrong") == [0] * len(assignment.checks)
    assert all(r["feedback"].startswith("Not quite:") for r in by_student["wrong"])


@pytest.mark.parametrize(
    ("student", "kept", "reason"),
    [
        ("loop", LOOP_AFTER, "a cell ran longer than its limit of 40 s"),
        ("exit", EXIT_AFTER, "the kernel stopped (exit code 3)"),
    ],
)
def test_failures_keep_the_points_before_them(graded, student, kept, reason):
    assignment, _, by_student, _, _ = graded
    points = full_points(assignment)
    assert earned(graded, student) == points[:kept] + [0] * (len(points) - kept)
    for row in by_student[student][kept:]:
        assert row["feedback"].startswith("Not graded:") and reason in row["feedback"]


def test_monkeypatched_checks_earn_nothing(graded):
    rows = graded[2]["monkeypatch"]
    assert earned(graded, "monkeypatch") == [0] * len(rows)
    assert all(row["feedback"].startswith("Not quite:") for row in rows)


def test_a_replaced_or_deleted_check_cell_is_the_sources(graded):
    assignment, _, by_student, _, _ = graded
    rows = by_student["replaced-checks"]
    assert earned(graded, "replaced-checks") == [0, 0] + full_points(assignment)[2:]
    assert rows[0]["feedback"].startswith("Not quite:")
    assert "check cell was edited" in rows[0]["feedback"]
    assert "check cell was deleted" in rows[1]["feedback"]


def test_a_corrupt_file_gets_zero_and_a_reason(graded):
    for row in graded[2]["corrupt"]:
        assert row["points"] == "0"
        assert row["feedback"].startswith("Not graded: the file is not a notebook")


def test_the_sandbox_kept_the_solutions_the_csv_and_the_network_away(graded):
    assignment, report, by_student, server, marker = graded
    full_isolation_or_skip(report.isolation, "see test_sandbox.py")
    points = full_points(assignment)
    for student in ("escape", "network"):
        assert earned(graded, student) == [0] + points[1:]
        assert by_student[student][0]["feedback"].startswith("Not answered yet:")
    assert server.connections == 0
    assert not marker.exists()
    assert "mallory" not in (report.csv_path.read_text())
