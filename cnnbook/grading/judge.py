"""The judge: the source's checks, run by a fresh interpreter on answers as data.

``python -m cnnbook.grading.judge`` reads one request on stdin (JSON: an
assignment's source notebook and the encoded answers of every submission to
it) and writes the verdicts on stdout. The grader starts one judge per
assignment, in the sandbox, after the students' kernels have finished: no
student code ever ran in this interpreter, and the answers it receives are
plain data (:mod:`cnnbook.grading.answers`), so a student cannot reach the
checks that judge them.

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
import json
import os
import sys
from collections.abc import Callable

import nbformat

from cnnbook.grading.answers import decode
from cnnbook.grading.assignment import Assignment, GradedCheck

__all__ = ["judge", "keras_loader", "main"]

ALLOWED_KERAS_MODULES = ("keras", "cnnbook.")
"""A rebuilt model may only use classes from Keras and from cnnbook."""


def keras_loader(text: str):
    """Rebuild a model from its Keras JSON config, refusing anything but
    Keras' and cnnbook's classes and any serialised Python code."""
    config = json.loads(text)
    _check_config(config)
    import keras

    import cnnbook.referee.lrn_layer  # noqa: F401  (registers the LRN layer)

    return keras.models.model_from_json(text)


def _check_config(node, depth: int = 0) -> None:
    if depth > 200:
        raise ValueError("the model's config is nested too deeply")
    if isinstance(node, dict):
        module = node.get("module")
        if isinstance(module, str) and not (
            module == "keras" or module.startswith(ALLOWED_KERAS_MODULES)
        ):
            raise ValueError(f"the model uses a class from {module!r}")
        if node.get("class_name") in ("Lambda", "__lambda__", "function"):
            raise ValueError("the model holds Python code (a Lambda layer)")
        for value in node.values():
            _check_config(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _check_config(value, depth + 1)


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


def _judge_one(check_function: Callable, data: dict) -> dict:
    try:
        value = decode(data, keras_loader)
    except Exception as err:
        return {
            "status": "incorrect",
            "message": f"Not quite: your answer could not be rebuilt by the grader "
            f"({type(err).__name__}: {str(err)[:160]}).",
        }
    try:
        return _verdict(check_function(value))
    except Exception as err:
        return {
            "status": "incorrect",
            "message": f"Not quite: the check raised {type(err).__name__} on this "
            "answer.",
        }


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


def judge(request: dict) -> dict:
    """Verdicts ``{key: {"status", "message"}}`` for ``request["items"]``;
    ``{"error": ...}`` names a check the judge could not evaluate (the
    source's fault, not a student's)."""
    source = nbformat.reads(request["source"], as_version=4)
    assignment = Assignment.from_notebook(source, request["name"])
    by_qid: dict[str, list[dict]] = {}
    for item in request["items"]:
        by_qid.setdefault(item["qid"], []).append(item)
    results, errors = {}, []
    notebook = None
    for check in assignment.checks:
        items = by_qid.get(check.qid)
        if not items:
            continue
        try:
            if check.bank is not None:
                function = _bank_question(check.bank)
            else:
                notebook = notebook or _Notebook(assignment)
                notebook.run_until(check.cell_index)
                function = notebook.checker(check)
        except Exception as err:
            errors.append(f"{check.qid}: {type(err).__name__}: {str(err)[:200]}")
            for item in items:
                results[item["key"]] = {
                    "status": "error",
                    "message": "Not graded: the grader could not run this check "
                    f"({type(err).__name__}); tell your instructor.",
                }
            continue
        for item in items:
            results[item["key"]] = _judge_one(function, item["answer"])
    return {"results": results, "errors": errors}


def main() -> int:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything the checks print goes to stderr, not the reply
    sys.stdout = sys.stderr
    request = json.loads(sys.stdin.read())
    json.dump(judge(request), out)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
