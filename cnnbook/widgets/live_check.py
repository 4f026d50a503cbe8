"""Quick self-checks that answer in the published page, with no kernel.

`LiveCheck` shows a question, an answer box and the one-line feedback of a
check. It takes the spec of a question of the bank
(:class:`~cnnbook.checks.NumberSpec` or :class:`~cnnbook.checks.QuantitySpec`:
expected value, tolerance, typical mistakes and their hints), the same object
the exercise's check judges with; reading the reader's answer (``7/8``,
``87.5%``, ``12.6 MB``, any script's digits) and wording the feedback happen in
the ES module ``live_check.js``, a port of the specs' ``judge``. So the page
gives the same feedback as the exercise notebook::

    LiveCheck("How many parameters does the network have?",
              checks.ch02.params.spec())
"""

from __future__ import annotations

from collections.abc import Mapping

import anywidget
import traitlets

from cnnbook.checks import PREFIXES, UNANSWERED, NumberSpec, QuantitySpec
from cnnbook.checks.feedback import Feedback
from cnnbook.checks.reading import (
    QUESTION_UNITS,
    TWIN_UNITS,
    UNIT_MEANING,
    UNIT_OF,
    UNITS,
)
from cnnbook.checks.specs import EXACT, from_page
from cnnbook.widgets.esm import esm

__all__ = ["ESM", "LiveCheck", "describe", "tables"]

ESM = esm("live_check.js")
"""The ES module that checks typed answers (common.js, then live_check.js)."""


def tables() -> dict:
    """The unit tables and wording of `cnnbook.checks`, for the page."""
    return {
        "units": dict(UNITS),
        "unit_of": dict(UNIT_OF),
        "question_units": list(QUESTION_UNITS),
        "unit_meaning": dict(UNIT_MEANING),
        "twin": dict(TWIN_UNITS),
        "exact": EXACT,
        "prefixes": dict(PREFIXES),
        "unanswered": UNANSWERED,
    }


def _judge(spec: NumberSpec | QuantitySpec, answer: str) -> Feedback:
    """The verdict the page gives on a typed ``answer`` (blank: not answered)."""
    return spec.judge(answer if answer.strip() else None)


class LiveCheck(anywidget.AnyWidget):
    """A question whose answer box gives a check's feedback in the page.

    ``spec`` is what the notebook's check compares against. ``answer`` holds
    what was last checked; ``feedback`` is the spec's verdict on it (what the
    page shows).
    """

    _esm = ESM
    question = traitlets.Unicode().tag(sync=True)
    spec = traitlets.Dict().tag(sync=True)
    tables = traitlets.Dict().tag(sync=True)
    answer = traitlets.Unicode("").tag(sync=True)

    def __init__(self, question: str, spec: NumberSpec | QuantitySpec, **kwargs):
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"question must be a non-empty string, got {question!r}")
        if not isinstance(spec, (NumberSpec, QuantitySpec)):
            raise ValueError(
                "spec must be a NumberSpec or QuantitySpec of cnnbook.checks (such "
                f"as checks.ch02.params.spec()), got {spec!r}"
            )
        self._spec = spec
        super().__init__(
            question=question, spec=spec.to_page(), tables=tables(), **kwargs
        )

    @property
    def feedback(self) -> Feedback:
        return _judge(self._spec, self.answer)

    def __repr__(self) -> str:
        return f"LiveCheck: {self.question}"


def describe(settings: Mapping) -> dict:
    """The page's verdict on ``settings["answer"]`` (a typed string) for
    ``settings["spec"]`` (``spec.to_page()``): ``{"message"}``."""
    return {"message": _judge(from_page(settings["spec"]), settings["answer"]).message}
