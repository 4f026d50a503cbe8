"""Feedback for the exercises: checks that say what to revisit, not the answer.

A notebook imports ``from cnnbook import checks``; every check cell calls
something under ``checks.``:

* the generic checks: :func:`number`, :func:`quantity`, :func:`shape`,
  :func:`choice`, :func:`keras_model` (:mod:`cnnbook.checks.generic`);
* one module per chapter, ``checks.ch02`` ... (imported on first use, so a
  notebook that needs no Keras does not pay for it), whose questions are
  declared in the bank (:mod:`cnnbook.checks.bank`): ``checks.ch03.segments(x)``.

Every check returns a :class:`Feedback` ("Correct: ...", "Not quite: ...",
"Not answered yet: ..."); a spec (:class:`NumberSpec`, :class:`QuantitySpec`)
describes what a check compares against, for the notebook and for the page's
live self-checks alike. Layout: :mod:`~cnnbook.checks.feedback` (the verdict),
:mod:`~cnnbook.checks.reading` (what students write),
:mod:`~cnnbook.checks.specs` (expected answers), :mod:`~cnnbook.checks.generic`.
"""

from __future__ import annotations

import importlib

from cnnbook.checks.bank import CHAPTERS, Question, question, questions
from cnnbook.checks.feedback import PREFIXES, UNANSWERED, Feedback
from cnnbook.checks.generic import choice, keras_model, number, quantity, shape
from cnnbook.checks.reading import UNITS, parse_quantity
from cnnbook.checks.specs import Mistake, NumberSpec, QuantitySpec

__all__ = [
    "CHAPTERS",
    "PREFIXES",
    "UNANSWERED",
    "UNITS",
    "Feedback",
    "Mistake",
    "NumberSpec",
    "QuantitySpec",
    "Question",
    "choice",
    "keras_model",
    "number",
    "parse_quantity",
    "quantity",
    "question",
    "questions",
    "shape",
]


def __getattr__(name: str):
    if name in CHAPTERS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *CHAPTERS])
