"""The judge (cnnbook.grading.judge) on what can reach it: checks with
statements before their call and keyword arguments, answers it cannot
rebuild, checks that raise, code answers relayed through the grader, and
``python -m cnnbook.grading.judge``, which speaks JSON lines on its stdout
only, whatever the source's cells print."""

import json
import sys

import nbformat
import numpy as np

from cnnbook.grading.answers import decode
from cnnbook.grading.capture import encode
from cnnbook.grading.judge import CodeAnswer, Judge
from tests.grading import grading_fixtures as fx
from tests.helpers import run_module_in_fork

Q1, LRN = "ch09.q1-check", "ch05.my_lrn"
CODE = {"t": "code", "name": "my_lrn", "line": "def my_lrn(x, k, n, alpha, beta):"}


def request(nb=None):
    return {"name": fx.NAME, "source": nbformat.writes(nb or fx.fixture_notebook())}


def item(key, answer, qid=Q1, student="jdoe"):
    return {"key": key, "qid": qid, "student": student, "answer": answer}


def reference_lrn():
    """The fixture's solution of my_lrn, as a student's correct function."""
    namespace = {"np": np}
    exec(fx.LRN_SOLUTION, namespace)
    return namespace["my_lrn"]


def test_a_check_with_statements_before_its_call_and_spread_keywords():
    nb = fx.set_source(
        fx.fixture_notebook(),
        "q1-check",
        "expected = base + 2\noptions = {'hint': 'Count the bias too.'}\n"
        "checks.number(answer, expected, **options)",
    )
    judge = Judge(request(nb))
    assert judge.prepare(Q1) == {"ready": Q1}
    assert judge.judge(item("a", encode(42)))["status"] == "correct"
    wrong = judge.judge(item("b", encode(41)))
    assert wrong["status"] == "incorrect"
    assert wrong["message"].endswith("Count the bias too.")


def test_an_answer_that_cannot_be_rebuilt_is_incorrect_and_says_why():
    judge = Judge(request())
    judge.prepare(Q1)
    lambda_layer = {"module": "keras.layers", "class_name": "Lambda", "config": {}}
    model = {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"layers": [lambda_layer]},
    }
    deep = "[" * 250 + "]" * 250
    said = {
        key: judge.judge(item(key, {"t": "keras", "v": text}))
        for key, text in (("lambda", json.dumps(model)), ("deep", deep))
    }
    assert {verdict["status"] for verdict in said.values()} == {"incorrect"}
    assert said["lambda"]["message"] == (
        "Not quite: your answer could not be rebuilt by the grader (ValueError: "
        "the model holds Python code (a Lambda layer))."
    )
    assert "the model's config is nested too deeply" in said["deep"]["message"]


def test_a_check_that_raises_on_an_answer_makes_it_incorrect_not_a_crash():
    # the source's check passes rel_tol a word: NumberSpec raises ValueError
    nb = fx.set_source(
        fx.fixture_notebook(), "q1-check", "checks.number(answer, 42, 'x')"
    )
    judge = Judge(request(nb))
    assert judge.prepare(Q1) == {"ready": Q1}
    assert judge.judge(item("a", encode(42))) == {
        "key": "a",
        "status": "incorrect",
        "message": "Not quite: the check raised ValueError on this answer.",
    }


def test_an_answer_to_a_question_not_prepared_or_code_with_no_host_is_not_graded():
    judge = Judge(request())
    assert judge.judge(item("a", encode(42))) == {
        "key": "a",
        "status": "error",
        "message": f"the check {Q1} was not prepared",
    }
    judge.prepare(LRN)
    refused = judge.judge(item("b", CODE, qid=LRN))
    assert (
        refused["status"] == "error" and "cannot be judged here" in refused["message"]
    )


def test_a_code_answer_is_called_through_the_relay_with_data_only():
    """The judge holds a stand-in: each call the check makes goes out as data
    and the reply, as data, is what the check sees."""
    lrn, calls = reference_lrn(), []

    def host(message):
        calls.append(message)
        args = [decode(a) for a in message["args"]]
        return {"value": encode(lrn(*args))}

    judge = Judge(request(), call=host)
    assert judge.prepare(LRN, keras=True) == {"ready": LRN}
    assert "keras" in sys.modules and "cnnbook.referee.lrn_layer" in sys.modules
    right = judge.judge(item("a", CODE, qid=LRN))
    assert right["status"] == "correct", right
    assert calls and all(set(call) == {"args", "kwargs"} for call in calls)
    assert isinstance(decode(calls[0]["args"][0]), np.ndarray)
    assert repr(CodeAnswer("my_lrn", host)) == "<function my_lrn>"

    def garbled(message):
        return {"value": {"t": "nonsense"}}

    judge.call = garbled
    wrong = judge.judge(item("b", CODE, qid=LRN))
    assert wrong["status"] == "incorrect"
    unreadable = "raised ValueError: an unreadable result: not an encoded answer"
    assert unreadable in wrong["message"]


def test_run_as_a_module_the_judge_replies_on_stdout_and_cells_print_to_stderr(
    tmp_path,
):
    """``python -m cnnbook.grading.judge`` as the grader runs it: one JSON line
    per request on stdout; what the source's cells print goes to stderr, never
    into a reply; a code answer's calls go out on stdout, their replies come
    in on stdin."""
    nb = fx.set_source(
        fx.fixture_notebook(),
        "setup",
        "import numpy as np\n\nfrom cnnbook import checks\nbase = 40\n"
        "print('hello from the source')",
    )
    lines = [
        request(nb),
        {"prepare": Q1},
        {"judge": item("a", encode(42))},
        {"judge": item("b", encode(41))},
        {"prepare": "nope"},
        {"prepare": LRN},
        {"judge": item("c", CODE, qid=LRN)},
        {"raised": "ZeroDivisionError", "message": "the student's code says no"},
    ]
    stdin = "".join(json.dumps(line) + "\n" for line in lines)
    code, out, err = run_module_in_fork("cnnbook.grading.judge", stdin, tmp_path)
    assert code == 0
    replies = [json.loads(line) for line in out.splitlines()]
    assert len(replies) == 7
    assert replies[0] == {"ready": Q1}
    assert replies[3] == {"error": "nope: KeyError: 'nope'"}
    verdicts = [reply["verdict"] for reply in replies[1:3]]
    assert [(v["key"], v["status"]) for v in verdicts] == [
        ("a", "correct"),
        ("b", "incorrect"),
    ]
    ready, call, verdict = replies[4:]
    assert ready == {"ready": LRN}
    assert set(call["call"]) == {"args", "kwargs"}
    assert verdict["verdict"]["status"] == "incorrect"
    raised = "raised ZeroDivisionError: the student's code says no"
    assert raised in verdict["verdict"]["message"]
    assert "hello from the source" in err
    assert "hello" not in out
