"""The generic checks: a number, an amount of memory, a shape, an option, a model.

Each builds the matching spec and judges the answer with it, for an instructor
who needs a one-off check; the exercises' check cells call the question bank
instead (:mod:`cnnbook.checks.bank`), which keeps the expected values out of
the notebooks. Only the instructor's arguments raise ``ValueError``, naming
the argument. :func:`keras_model` is the only one that imports Keras, lazily.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.feedback import Feedback
from cnnbook.checks.models import ModelSpec, all_layers
from cnnbook.checks.shapes import ShapeSpec
from cnnbook.checks.specs import NumberSpec, QuantitySpec

__all__ = ["all_layers", "choice", "keras_model", "number", "quantity", "shape"]


def number(
    answer: object,
    expected: float,
    rel_tol: float = 0.0,
    mistakes: Iterable = (),
    hint: str = "",
    what: str = "the answer",
    digits: int | None = None,
) -> Feedback:
    """A plain number or count: :class:`~cnnbook.checks.specs.NumberSpec`'s
    verdict on ``answer``."""
    return NumberSpec(expected, rel_tol, tuple(mistakes), hint, what, digits).judge(
        answer
    )


def quantity(
    answer: object,
    expected: float,
    unit: str = "MB",
    rel_tol: float = 0.01,
    mistakes: Iterable = (),
    hint: str = "",
) -> Feedback:
    """An amount of memory in bytes, asked in ``unit``:
    :class:`~cnnbook.checks.specs.QuantitySpec`'s verdict on ``answer``."""
    return QuantitySpec(expected, unit, rel_tol, tuple(mistakes), hint).judge(answer)


def shape(
    answer: object, expected: Sequence[int], what: str = "the shape", kind="Conv2D"
) -> Feedback:
    """A tensor shape such as ``(25, 38, 400)``: :class:`~cnnbook.checks.shapes.
    ShapeSpec`'s verdict (a leading batch axis is accepted and named)."""
    return ShapeSpec(tuple(expected), kind=kind, what=what).judge(answer)


def choice(
    answer: object,
    correct: str | Iterable[str],
    options: Iterable[str],
    hints: Mapping[str, str] | None = None,
) -> Feedback:
    """Multiple choice: :class:`~cnnbook.checks.choices.ChoiceSpec`'s verdict;
    ``correct`` is one option or a collection (select all)."""
    return ChoiceSpec(correct, options, hints or {}).judge(answer)


def keras_model(
    model: object,
    input_shape: Sequence[int],
    output_shape: Sequence[int] | None = None,
    max_params: int | None = None,
    min_params: int | None = None,
    must_contain: Iterable[str] = (),
) -> Feedback:
    """A Keras model the student built: :class:`~cnnbook.checks.models.ModelSpec`'s
    verdict (shapes, parameter budget, layer types)."""
    if isinstance(must_contain, str):
        must_contain = [must_contain]
    return ModelSpec(
        input_shape, output_shape, max_params, min_params, tuple(must_contain)
    ).judge(model)
