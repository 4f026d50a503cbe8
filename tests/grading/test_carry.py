"""A code answer taken from the cells the grader ran, set up in a host of its own,
and called by the judge through a stand-in that only ever passes data."""

import io
import json

import numpy as np
import pytest

from cnnbook.grading.answers import decode, encode
from cnnbook.grading.carry import CannotCarry, carry, needed_data
from cnnbook.grading.host import serve
from cnnbook.grading.judge import CodeAnswer
from tests.helpers import run_module_in_fork

CELLS = [
    "import numpy as np\nimport os, json\nfrom math import pi as PI\n%pwd\n",
    "SCALE = 2.0\nunused = 1\n\ndef helper(x):\n    return np.asarray(x) * SCALE",
    "def helper(x):  # the last one counts\n    return np.asarray(x) * SCALE * 1",
    "this is not python",
    "class Base:\n    factor = PI\n\n\ndef deco(f):\n    return f",
    "@deco\ndef answer(x, k=SCALE, *, n=len('ab')) -> np.ndarray:\n"
    "    return helper(x) + k + n + Base.factor + sum(q for q in LIST)",
]


def test_a_function_is_carried_with_what_it_uses_and_nothing_else():
    carried = carry("answer", CELLS)
    assert carried.line == ("def answer(x, k=SCALE, *, n=len('ab')) -> np.ndarray:")
    assert carried.data_names == ("LIST", "SCALE")
    source = carried.source
    assert source.startswith("import numpy as np\n\nfrom math import pi as PI\n")
    assert "* SCALE * 1" in source and "* SCALE\n" not in source  # the last helper
    for absent in ("import os", "json", "unused", "pwd", "not python"):
        assert absent not in source
    assert (
        source.index("class Base")
        < source.index("def deco")
        < source.index("def answer")
    )
    values = {"SCALE": encode(2.0), "LIST": encode([1, 2])}
    namespace = {}
    for name, value in needed_data(carried, values).data.items():
        namespace[name] = decode(value)
    exec(source, namespace)
    assert namespace["answer"](np.ones(2)).tolist() == [2 + 2 + 2 + np.pi + 3] * 2


def test_an_imported_function_and_a_class_are_answers_too():
    assert carry("PI", CELLS).source == "from math import pi as PI\n"
    assert carry("Base", CELLS).line == "class Base:"


@pytest.mark.parametrize(
    "cells",
    [
        ["def make():\n    def f(x):\n        return x\n    return f\nf = make()"],
        ["f = lambda x: x"],
        ["import functools\nf = functools.partial(max, 0)"],
        [],
    ],
)
def test_what_a_def_statement_does_not_define_cannot_be_carried(cells):
    with pytest.raises(CannotCarry, match="`f` is not defined by a `def`"):
        carry("f", cells)


def test_a_global_that_is_not_data_cannot_be_carried_and_a_missing_one_is_left():
    carried = carry("f", ["import re\nPATTERN = re.compile('a')\ndef f(x):\n"
                          "    return PATTERN.match(x) or MISSING"])  # fmt: skip
    assert carried.data_names == ("MISSING", "PATTERN")
    values = {
        "PATTERN": {"t": "opaque", "kind": "object"},
        "MISSING": {"t": "missing"},
    }
    with pytest.raises(CannotCarry, match="`PATTERN`, which is not data"):
        needed_data(carried, values)
    carried = needed_data(carried, {**values, "PATTERN": encode("a")})
    assert carried.data == {"PATTERN": encode("a")}  # MISSING left out


def test_a_star_import_is_carried_when_a_name_may_come_from_it():
    carried = carry("f", ["from math import *", "def f(x):\n    return sqrt(x)"])
    assert carried.source.startswith("from math import *")
    assert carried.data_names == ()
    plain = carry("g", ["from math import *", "def g(x):\n    return abs(x)"])
    assert "import" not in plain.source


def _host(request, *calls):
    lines = iter([json.dumps(request), *(json.dumps(call) for call in calls)])
    out = io.StringIO()
    serve(lines, out)
    hello, *replies = [json.loads(line) for line in out.getvalue().splitlines()]
    assert hello == {"hello": True}  # before any of the student's code runs
    return replies


def _request(source, name="f", data=None):
    return {"name": name, "source": source, "data": data or {}}


def test_the_host_sets_the_answer_up_and_answers_calls_as_data():
    source = (
        "import numpy as np\nimport sys\n\n"
        "def f(x, scale=1):\n"
        "    if scale == 0:\n        sys.exit(3)\n"
        "    if scale < 0:\n        return object()\n"
        "    return np.asarray(x) * scale + OFFSET"
    )
    replies = _host(
        _request(source, data={"OFFSET": encode(1.0)}),
        {"args": [encode(np.arange(3.0))], "kwargs": {"scale": encode(2)}},
        {"args": [encode(1.0)], "kwargs": {"scale": encode(0)}},
        {"args": [encode(1.0)], "kwargs": {"scale": encode(-1)}},
        {"args": [{"t": "pickle"}]},
    )
    assert replies[0] == {"ready": "function"}
    assert decode(replies[1]["value"]).tolist() == [1.0, 3.0, 5.0]
    assert replies[2] == {"raised": "SystemExit", "message": "3"}
    assert replies[3] == {"unreadable": "object"}
    assert replies[4]["raised"] == "ValueError"


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("import no_such_module\ndef f(x):\n    return x", "ModuleNotFoundError"),
        ("def g(x):\n    return x", "KeyError"),
        ("raise SystemExit(2)", "SystemExit"),
    ],
)
def test_a_host_that_cannot_set_the_answer_up_says_why(source, error):
    (reply,) = _host(_request(source))
    assert reply["error"].startswith(error)


def test_the_judge_stand_in_passes_only_data_and_raises_what_the_student_did():
    sent = []

    def call(message):
        sent.append(message)
        args = [decode(a) for a in message["args"]]
        if args[0] == "exit":
            return {"raised": "SystemExit", "message": ""}
        if args[0] == "odd":
            return {"raised": "not an identifier", "message": "x"}
        if args[0] == "tensor":
            return {"unreadable": "EagerTensor"}
        return {"value": encode([a * 2 for a in args])}

    answer = CodeAnswer("my_lrn", call)
    assert answer(1, 2.5) == [2, 5.0] and callable(answer)
    assert sent[0] == {"args": [encode(1), encode(2.5)], "kwargs": {}}
    with pytest.raises(Exception) as raised:
        answer("exit")
    assert type(raised.value).__name__ == "SystemExit"
    assert isinstance(raised.value, Exception)  # a check catches it as feedback
    with pytest.raises(Exception) as raised:
        answer("odd")
    assert type(raised.value).__name__ == "Exception"
    assert repr(answer("tensor")) == "<EagerTensor object>"
    assert answer.failure == ""
    with pytest.raises(Exception, match="not data"):
        answer(object())
    assert answer.failure.startswith("the check passed an argument that is not data")


def test_run_as_a_module_the_host_replies_on_stdout_and_the_student_prints_to_stderr(
    tmp_path,
):
    """``python -m cnnbook.grading.host`` as the grader runs it: what the
    student's code prints, even on descriptor 1, goes to stderr, never into
    a reply."""
    source = (
        "import os\n\ndef f(x):\n    print('print from the student')\n"
        "    os.write(1, b'write from the student\\n')\n    return x + 1"
    )
    calls = [_request(source), {"args": [encode(1)]}, {"args": [encode("a")]}]
    stdin = "".join(json.dumps(line) + "\n" for line in calls)
    code, out, err = run_module_in_fork("cnnbook.grading.host", stdin, tmp_path)
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {"hello": True},
        {"ready": "function"},
        {"value": encode(2)},
        {
            "raised": "TypeError",
            "message": 'can only concatenate str (not "int") to str',
        },
    ]
    printed = ["print from the student", "write from the student"]
    assert err.splitlines()[:4] == printed * 2  # one of each per call
