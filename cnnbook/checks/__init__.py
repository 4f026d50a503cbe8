"""Feedback for the exercises: checks that say what to revisit, not the answer.

Every exercise question is declared once in the question bank
(:mod:`cnnbook.checks.bank`), in the module of its chapter, ``checks.ch01`` to
``checks.ch07`` (imported on first use, so a notebook that needs no Keras does
not pay for it). A check cell names the question and passes the student's
variable only::

    from cnnbook import checks
    checks.ch03.segments(segments)

Every check returns a :class:`Feedback` ("Correct: ...", "Not quite: ...",
"Not answered yet: ...") and never raises. Each student has their own numbers
(:mod:`~cnnbook.checks.variants`): the setup cell sets the id,
``checks.set_student("jdoe")``, and ``checks.ch03.variant()`` prints that
student's numbers, which the questions judge against. A question's spec
holds what it compares against: :class:`NumberSpec`, :class:`QuantitySpec`,
:class:`ChoiceSpec`, :class:`ShapeSpec`, :class:`ShapesSpec`,
:class:`ModelSpec`, :class:`FunctionSpec`. Layout:
:mod:`~cnnbook.checks.feedback` (the verdict), :mod:`~cnnbook.checks.reading`
(what students write), the specs (:mod:`~cnnbook.checks.specs`,
:mod:`~cnnbook.checks.choices`, :mod:`~cnnbook.checks.shapes`,
:mod:`~cnnbook.checks.models`, :mod:`~cnnbook.checks.functions`), the spec
builders for stacks of layers (:mod:`~cnnbook.checks.stacks`), and
:mod:`~cnnbook.checks.generic`, one-off checks built from the specs for an
instructor's own cells.
"""

from __future__ import annotations

import importlib

from cnnbook.checks.bank import CHAPTERS, Question, question, questions
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.feedback import PREFIXES, UNANSWERED, Feedback
from cnnbook.checks.functions import FunctionSpec
from cnnbook.checks.generic import choice, keras_model, number, quantity, shape
from cnnbook.checks.models import ModelSpec
from cnnbook.checks.reading import UNITS, parse_quantity, read_quantity
from cnnbook.checks.shapes import ShapeSpec, ShapesSpec
from cnnbook.checks.specs import Mistake, NumberSpec, QuantitySpec
from cnnbook.checks.variants import set_student, student

__all__ = [
    "CHAPTERS",
    "PREFIXES",
    "UNANSWERED",
    "UNITS",
    "ChoiceSpec",
    "Feedback",
    "FunctionSpec",
    "Mistake",
    "ModelSpec",
    "NumberSpec",
    "QuantitySpec",
    "Question",
    "ShapeSpec",
    "ShapesSpec",
    "choice",
    "keras_model",
    "number",
    "parse_quantity",
    "quantity",
    "question",
    "questions",
    "read_quantity",
    "set_student",
    "shape",
    "student",
]


def __getattr__(name: str):
    if name in CHAPTERS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *CHAPTERS])
