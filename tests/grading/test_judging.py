"""Each answer judged with its own limit: a slow or crashing answer costs only
itself, and a function runs in a host of its own, called with data."""

import contextlib
import tempfile
from pathlib import Path

import pytest

from cnnbook.grading import judging
from cnnbook.grading.assignment import Assignment
from cnnbook.grading.capture import encode
from cnnbook.grading.carry import carry
from cnnbook.grading.channel import ChildFailure
from cnnbook.grading.jobs import GradeOptions, Jobs
from cnnbook.grading.judging import Item, judge_in_sandbox
from cnnbook.grading.sandbox import Limits
from tests.grading import grading_fixtures as fx

SIGNATURE = "def my_lrn(x, k, n, alpha, beta):\n"


class FakeJudge:
    """A judge that takes too long on 666 and stops on 13."""

    started = 0

    def __init__(self, sandbox, module, log, max_line):
        FakeJudge.started += 1
        self.last = None

    def send(self, message, deadline):
        self.last = message

    def receive(self, deadline):
        if "prepare" in self.last:
            return {"ready": self.last["prepare"]}
        item = self.last["judge"]
        value = item["answer"].get("v")
        if value == "666":
            raise ChildFailure("timeout", "ran longer than its limit")
        if value == "13":
            raise ChildFailure("stopped", "stopped (exit code 1)")
        return {"verdict": {"key": item["key"], "status": "correct", "message": "Ok"}}

    def ask(self, message, seconds):
        self.send(message, 0)
        return self.receive(0)

    def kill(self):
        pass

    def last_log_line(self):
        return "MemoryError"


class FakeJobs:
    limits = Limits(answer_seconds=2)

    @contextlib.contextmanager
    def slot(self, name, judge=False):
        yield None, Path(tempfile.gettempdir())


def _item(n, value, qid="ch09.q1-check"):
    return Item(f"{n}:{qid}", qid, f"s{n}", f"s{n}/09_fixture.ipynb", encode(value))


def test_a_slow_or_crashing_answer_costs_only_itself(monkeypatch):
    monkeypatch.setattr(judging, "Child", FakeJudge)
    FakeJudge.started = 0
    assignment = Assignment.from_notebook(fx.fixture_notebook(), fx.NAME)
    items = [_item(0, 42), _item(1, 666), _item(2, 42), _item(3, 13), _item(4, 42)]
    judged = judge_in_sandbox(assignment, items, FakeJobs())
    statuses = [judged.verdicts[item.key].status for item in items]
    assert statuses == ["correct", "not graded", "correct", "not graded", "correct"]
    assert FakeJudge.started == 3  # a fresh judge after each failure
    assert judged.problems == [
        "s1/09_fixture.ipynb: ch09.q1-check: judging this answer took longer than "
        "its limit of 2 s",
        "s3/09_fixture.ipynb: ch09.q1-check: the grader's judge stopped (exit code "
        "1) while judging this answer (MemoryError)",
    ]
    slow = judged.verdicts[items[1].key]
    assert slow.reason == "judging this answer took longer than its limit of 2 s"
    assert slow.message.startswith(f"Not graded: {slow.reason}")


class BrokenJudge(FakeJudge):
    def receive(self, deadline):
        if "prepare" in self.last:
            return {"error": "ch09.q1-check: NameError: name 'x' is not defined"}
        return super().receive(deadline)


def test_a_check_of_the_source_that_cannot_run_is_one_problem(monkeypatch):
    monkeypatch.setattr(judging, "Child", BrokenJudge)
    assignment = Assignment.from_notebook(fx.fixture_notebook(), fx.NAME)
    items = [_item(0, 42), _item(1, 42), _item(2, "b", "ch09.q2-check")]
    judged = judge_in_sandbox(assignment, items, FakeJobs())
    assert [judged.verdicts[item.key].status for item in items] == ["not graded"] * 3
    assert len(judged.problems) == 2  # one per question, not per answer
    assert "NameError" in judged.problems[0]


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """my_lrn answers judged by the real judge, each in a real host."""
    work = tmp_path_factory.mktemp("judging")
    source = fx.write_source(work / "source")
    assignment = Assignment.from_file(source)
    lines = fx.LRN_SOLUTION.splitlines()
    solution = "\n".join(line for line in lines if "SOLUTION" not in line)
    bodies = {
        "right": solution,
        "loops": f"{SIGNATURE}    while True:\n        pass",
        "exits": f"import os\n{SIGNATURE}    os._exit(0)",
        "hogs": f"{SIGNATURE}    hog = bytearray(10**9)\n    hog[::4096] = b'x' * len("
        "hog[::4096])\n    return x",
        "huge": f"{SIGNATURE}    return np.ones(10**6)",
        "missing": f"import no_such_module\n{SIGNATURE}    return no_such_module.f(x)",
        "deep": "import os\nclass my_lrn:  # writes a reply of its own\n"
        "    for fd in range(3, 10):\n        try:\n"
        "            os.write(fd, b'[' * 100_000 + b'\\n')\n"
        "        except OSError:\n            pass",
    }
    items = []
    for n, (name, body) in enumerate(bodies.items()):
        carried = carry("my_lrn", ["import numpy as np", body])
        items.append(
            Item(f"{n}:ch05.my_lrn", "ch05.my_lrn", name, name, carried.answer())
        )
    limits = Limits(answer_seconds=3, memory_mb=400)
    options = GradeOptions(jobs=1, limits=limits)
    jobs = Jobs(work, options, [source.parent])
    try:
        judged = judge_in_sandbox(assignment, items, jobs)
    finally:
        jobs.close()
    return {item.student: judged.verdicts[item.key] for item in items}, judged


@pytest.mark.parametrize(
    ("student", "said"),
    [
        ("right", "Correct: your function matches the reference"),
        (
            "loops",
            "raised TimeoutError: your function ran longer than its limit of 3 s",
        ),
        ("exits", "raised RuntimeError: the process running your function stopped"),
        ("hogs", "raised MemoryError: the process running your function used more"),
        ("huge", "returned ndarray <ndarray object>, not an array of numbers"),
        ("missing", "could not be set up outside your kernel, where the grader runs"),
        ("deep", "setting it up answered something unreadable"),
    ],
)
def test_a_function_runs_in_a_host_of_its_own_and_answers_for_itself(
    hosted, student, said
):
    verdicts, judged = hosted
    assert judged.problems == []
    assert verdicts[student].graded
    assert said.lower() in verdicts[student].message.lower()


def test_the_judge_judges_as_the_student_and_refuses_an_id_with_no_variant():
    import nbformat

    from cnnbook.grading.judge import Judge

    judge = Judge({"name": fx.NAME, "source": nbformat.writes(fx.fixture_notebook())})
    assert judge.prepare("ch09.q1-check") == {"ready": "ch09.q1-check"}
    item = {"key": "k", "qid": "ch09.q1-check", "answer": encode(42)}
    assert judge.judge({**item, "student": "bob"})["status"] == "correct"
    refused = judge.judge({**item, "student": "x" * 101})
    assert refused["status"] == "error" and "student_id must be" in refused["message"]
    assert judge.prepare("nope")["error"].startswith("nope: KeyError")
