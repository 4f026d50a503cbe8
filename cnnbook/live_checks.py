"""Quick self-checks that answer in the published page, with no kernel.

`LiveCheck` shows a question, an answer box and the one-line feedback of a
`cnnbook.checks` check. The check runs once in Python, when the notebook is
executed, to record what it compares against (expected value, tolerance, typical
mistakes and their hints); reading the reader's answer and wording the feedback
happen in the ES module `cnnbook/static/checks.js`, a port of `checks.number`
and `checks.quantity`. So the page gives the same feedback as the notebook check:

    LiveCheck("How many parameters does the network have?",
              checks.parameter_count, input_shape, layers)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from unittest import mock

import anywidget
import traitlets

from cnnbook import checks
from cnnbook.live_esm import esm

ESM = esm("checks.js")
"""The ES module that checks typed answers (common.js, then checks.js)."""


def tables() -> dict:
    """The unit tables and wording of `cnnbook.checks`, for the page."""
    return {
        "units": dict(checks.UNITS),
        "unit_of": dict(checks._UNIT_OF),
        "question_units": list(checks.QUESTION_UNITS),
        "unit_meaning": dict(checks.UNIT_MEANING),
        "twin": dict(checks._TWIN),
        "exact": checks._EXACT,
        "prefixes": dict(checks.PREFIXES),
        "unanswered": checks.UNANSWERED,
    }


def _spec(kind: str, bound: inspect.BoundArguments) -> dict:
    args = dict(bound.arguments)
    args.pop("answer")
    args["mistakes"] = [[m.value, m.hint]
                        for m in checks._check_mistakes(args.get("mistakes", ()))]
    return {"kind": kind, **args}


def capture(check: Callable, *args, **kwargs) -> dict:
    """What ``check(answer, *args, **kwargs)`` compares an answer against.

    ``check`` is `checks.number`, `checks.quantity` or a check that ends by
    calling one of them (`checks.parameter_count`, `checks.prediction_memory`,
    `checks.training_memory`...). Returns a JSON-able spec for the page.
    """
    generic = {"number": checks.number, "quantity": checks.quantity}
    for kind, function in generic.items():
        if check is function:
            bound = inspect.signature(function).bind(None, *args, **kwargs)
            bound.apply_defaults()
            function(None, *args, **kwargs)  # the check's own argument errors
            return _spec(kind, bound)
    calls = []

    def recorder(kind):
        def record(*call_args, **call_kwargs):
            bound = inspect.signature(generic[kind]).bind(*call_args, **call_kwargs)
            bound.apply_defaults()
            calls.append(_spec(kind, bound))
            return generic[kind](*call_args, **call_kwargs)
        return record

    with mock.patch.object(checks, "number", recorder("number")), \
            mock.patch.object(checks, "quantity", recorder("quantity")):
        check(None, *args, **kwargs)
    if len(calls) != 1:
        raise ValueError(
            "check must be checks.number, checks.quantity or a check that calls one "
            f"of them once (such as checks.parameter_count), got {check!r}")
    return calls[0]


class LiveCheck(anywidget.AnyWidget):
    """A question whose answer box gives `cnnbook.checks` feedback in the page.

    ``check`` and its arguments are those of the notebook's check cell, without
    the answer. ``answer`` holds what was last checked; ``feedback`` is the
    Python check's verdict on it (what the page shows).
    """

    _esm = ESM
    question = traitlets.Unicode().tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    tables = traitlets.Dict().tag(sync=True)
    answer = traitlets.Unicode("").tag(sync=True)

    def __init__(self, question: str, check: Callable, *args, **kwargs):
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"question must be a non-empty string, got {question!r}")
        if not callable(check):
            raise ValueError(
                f"check must be a function of cnnbook.checks, got {check!r}")
        super().__init__(question=question, spec=capture(check, *args, **kwargs),
                         tables=tables())

    @property
    def feedback(self) -> checks.Feedback:
        spec = {k: v for k, v in self.spec.items() if k != "kind"}
        answer = self.answer if self.answer.strip() else None
        if self.spec["kind"] == "quantity":
            return checks.quantity(answer, **spec)
        return checks.number(answer, **spec)

    def __repr__(self) -> str:
        return f"LiveCheck: {self.question}"
