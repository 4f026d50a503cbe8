"""The judge: the source's checks, run by a fresh interpreter on answers as data.

``python -m cnnbook.grading.judge`` serves one assignment, one JSON line at a
time (stdin in, stdout out), for the grader (:mod:`cnnbook.grading.judging`),
which starts it in the sandbox after the students' kernels have finished and
holds each answer's time limit: no student code ever runs in this
interpreter, and the answers it receives are plain data
(:mod:`cnnbook.grading.answers`), so a student cannot reach the checks that
judge them. The lines it reads:

* first ``{"name", "source"}``: the assignment's source notebook;
* ``{"prepare": qid, "keras": bool}``: get question ``qid``'s check ready
  (build the bank's spec, run the exercise's cells up to the check, import
  Keras), outside any answer's time limit; reply ``{"ready": qid}`` or
  ``{"error": why}`` (the source's fault);
* ``{"judge": {"key", "qid", "student", "answer"}}``: judge one answer, as
  that student (:func:`cnnbook.checks.variants.as_student`); reply
  ``{"verdict": {"key", "status", "message"}}``.

An answer that is code (:mod:`cnnbook.grading.carry`) is a stand-in here
(:class:`CodeAnswer`): calling it writes ``{"call": {"args", "kwargs"}}``
and reads the result the grader relays from the code host
(:mod:`cnnbook.grading.host`), where the student's code runs.

* A question of the bank is judged by the bank: ``Question(answer)``.
* Any other check needs the notebook's state (``checks.number(x,
  calc.analyze(input_shape, layers).params)``): the judge runs the exercise's
  cells (the student's version, stubs and all: it runs top to bottom, and a
  check's other arguments never depend on an answer) up to each such check,
  evaluates the check's function and its other arguments once, and calls it
  on each student's answer.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator

import nbformat

from cnnbook.grading.answers import decode
from cnnbook.grading.assignment import Assignment, GradedCheck
from cnnbook.grading.capture import encode

__all__ = ["CodeAnswer", "Judge", "keras_loader", "main"]

ALLOWED_KERAS_MODULES = ("keras", "cnnbook.")
"""A rebuilt model may only use classes from Keras and from cnnbook."""
MAX_MODEL_LAYERS = 300
"""The most layers of a model the judge rebuilds: the questions' models have a
few dozen, and a Sequential of 200 Dense layers took 14 s to rebuild on a
busy 2-core machine."""


def _import_keras():
    import keras

    import cnnbook.referee.lrn_layer  # noqa: F401  (registers the LRN layer)

    return keras


def keras_loader(text: str):
    """Rebuild a model from its Keras JSON config, refusing anything but
    Keras' and cnnbook's classes, any serialised Python code, and more than
    :data:`MAX_MODEL_LAYERS` layers."""
    config = json.loads(text)
    layers = [0]
    _check_config(config, layers)
    return _import_keras().models.model_from_json(text)


def _check_config(node, layers: list[int], depth: int = 0) -> None:
    if depth > 200:
        raise ValueError("the model's config is nested too deeply")
    if isinstance(node, dict):
        if isinstance(node.get("layers"), list):
            layers[0] += len(node["layers"])
            if layers[0] > MAX_MODEL_LAYERS:
                raise ValueError(
                    f"the model has more than {MAX_MODEL_LAYERS} layers, more than "
                    "any question asks for (rebuilding it would take minutes)"
                )
        module = node.get("module")
        if isinstance(module, str) and not (
            module == "keras" or module.startswith(ALLOWED_KERAS_MODULES)
        ):
            raise ValueError(f"the model uses a class from {module!r}")
        if node.get("class_name") in ("Lambda", "__lambda__", "function"):
            raise ValueError("the model holds Python code (a Lambda layer)")
        for value in node.values():
            _check_config(value, layers, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _check_config(value, layers, depth + 1)


def _feedback_type():
    from cnnbook.checks.feedback import Feedback

    return Feedback


def _verdict(result) -> dict:
    if type(result) is not _feedback_type():
        return {
            "status": "incorrect",
            "message": "Not quite: the check returned no feedback.",
        }
    return {"status": result.status, "message": result.message}


def _bank_question(qid: str):
    import importlib

    from cnnbook.checks import bank

    importlib.import_module(f"cnnbook.checks.{qid.partition('.')[0]}")
    return bank.BANK[qid]


class _Notebook:
    """The exercise's cells, run in order in one IPython shell."""

    def __init__(self, assignment: Assignment) -> None:
        from IPython.core.interactiveshell import InteractiveShell

        self.shell = InteractiveShell.instance()
        self.cells = assignment.exercise.cells
        self.checks = {check.cell_index: check for check in assignment.checks}
        self.next = 0

    def run_until(self, index: int) -> None:
        """Run the code cells before cell ``index`` that have not run (of a
        check cell, only the statements before its call)."""
        while self.next < index:
            cell = self.cells[self.next]
            check = self.checks.get(self.next)
            self.next += 1
            code = check.prelude if check else cell.source
            if cell.cell_type == "code" and code.strip():
                self.shell.run_cell(code, silent=True, store_history=False)

    def checker(self, check: GradedCheck) -> Callable:
        """``check``'s function with its other arguments, evaluated once."""
        self.next = max(self.next, check.cell_index + 1)
        if check.prelude:
            self.shell.run_cell(check.prelude, silent=True, store_history=False)
        call = ast.parse(check.call, mode="eval").body
        namespace = self.shell.user_ns

        def value(node):
            return eval(compile(ast.Expression(node), "<check>", "eval"), namespace)

        function = value(call.func)
        rest = [value(arg) for arg in call.args[1:]]
        keywords = {}
        for keyword in call.keywords:
            if keyword.arg is None:
                keywords.update(value(keyword.value))
            else:
                keywords[keyword.arg] = value(keyword.value)
        return lambda answer: function(answer, *rest, **keywords)


class _GraderFailure(Exception):
    """An argument the stand-in of a code answer cannot send (the check's
    doing, not the student's): the answer is not graded."""


def _raised(name: object, message: object) -> Exception:
    """An exception that reads as the one the student's code raised (an
    Exception, whatever it was there: SystemExit included)."""
    name = str(name)
    if not name.isidentifier() or len(name) > 100:
        name = "Exception"
    return type(name, (Exception,), {})(str(message)[:300])


def _unreadable(name: object):
    """A stand-in for a result that is not data (repr ``<Tensor object>``)."""
    name = str(name) if str(name).isidentifier() else "object"
    return type(name, (), {"__repr__": lambda self: f"<{name} object>"})()


class CodeAnswer:
    """The judge's stand-in for a student's function: calling it sends the
    arguments, as data, to the process that holds the student's code, and
    returns what the function returned there, as data (or raises what it
    raised). ``call(message) -> reply`` is the channel."""

    def __init__(self, name: str, call: Callable[[dict], dict]) -> None:
        self.__name__ = self.__qualname__ = name
        self._call = call
        self.failure = ""

    def __repr__(self) -> str:
        return f"<function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        try:
            message = {
                "args": [encode(arg) for arg in args],
                "kwargs": {str(k): encode(v) for k, v in kwargs.items()},
            }
        except (TypeError, OverflowError) as err:
            self.failure = f"the check passed an argument that is not data ({err})"
            raise _GraderFailure(self.failure) from None
        reply = self._call(message)
        if "value" in reply:
            try:
                return decode(reply["value"])
            except ValueError as err:
                raise _raised("ValueError", f"an unreadable result: {err}") from None
        if "unreadable" in reply:
            return _unreadable(reply["unreadable"])
        raise _raised(reply.get("raised", "RuntimeError"), reply.get("message", ""))


class Judge:
    """One assignment's checks, answering the grader's lines (module docstring)."""

    def __init__(self, request: dict, call: Callable[[dict], dict] | None = None):
        source = nbformat.reads(request["source"], as_version=4)
        self.assignment = Assignment.from_notebook(source, request["name"])
        self.checks = {check.qid: check for check in self.assignment.checks}
        self.functions: dict[str, Callable] = {}
        self.notebook: _Notebook | None = None
        self.call = call  # relays a code answer's calls; None: code is refused

    def prepare(self, qid: str, keras: bool = False) -> dict:
        """Get question ``qid``'s check ready to judge answers."""
        try:
            check = self.checks[qid]
            if check.bank is not None:
                function = _bank_question(check.bank)
                function._spec()  # the default built once, outside any time limit
            else:
                self.notebook = self.notebook or _Notebook(self.assignment)
                self.notebook.run_until(check.cell_index)
                function = self.notebook.checker(check)
            if keras:  # imported before any answer's clock runs
                _import_keras()
        except Exception as err:
            return {"error": f"{qid}: {type(err).__name__}: {str(err)[:200]}"}
        self.functions[qid] = function
        return {"ready": qid}

    def judge(self, item: dict) -> dict:
        """The verdict on one answer: ``{"key", "status", "message"}`` with
        status "correct", "incorrect", "unanswered" or "error" (not graded)."""
        from cnnbook.checks.variants import as_student

        key, data = item["key"], item["answer"]
        function = self.functions.get(item["qid"])
        if function is None:
            return _error(key, f"the check {item['qid']} was not prepared")
        code = None
        if isinstance(data, dict) and data.get("t") == "code":
            if self.call is None:
                return _error(key, "code answers cannot be judged here")
            code = value = CodeAnswer(str(data.get("name")), self.call)
        else:
            try:
                value = decode(data, keras_loader)
            except Exception as err:
                return {
                    "key": key,
                    "status": "incorrect",
                    "message": "Not quite: your answer could not be rebuilt by the "
                    f"grader ({type(err).__name__}: {str(err)[:160]}).",
                }
        with contextlib.ExitStack() as stack:
            try:
                stack.enter_context(as_student(item.get("student")))
            except ValueError as err:  # an id no variant can be drawn for
                return _error(key, str(err)[:200])
            try:
                verdict = _verdict(function(value))
            except Exception as err:
                verdict = {
                    "status": "incorrect",
                    "message": f"Not quite: the check raised {type(err).__name__} "
                    "on this answer.",
                }
        if code is not None and code.failure:
            return _error(key, code.failure)
        return {"key": key, **verdict}

    def serve(self, lines: Iterator[str], send: Callable[[dict], None]) -> None:
        """Answer every line of ``lines`` until they end."""
        for text in lines:
            message = json.loads(text)
            if "prepare" in message:
                send(self.prepare(message["prepare"], bool(message.get("keras"))))
            elif "judge" in message:
                send({"verdict": self.judge(message["judge"])})


def _error(key: str, why: str) -> dict:
    return {"key": key, "status": "error", "message": why}


def main() -> int:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything the checks print goes to stderr, not the reply
    sys.stdout = sys.stderr
    lines = iter(sys.stdin.readline, "")

    def send(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    def call(message: dict) -> dict:
        send({"call": message})
        return json.loads(next(lines))

    Judge(json.loads(next(lines)), call).serve(lines, send)
    return 0


if __name__ == "__main__":
    sys.exit(main())
