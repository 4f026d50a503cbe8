"""The generic checks: a number, an amount of memory, a shape, an option, a model.

Each answers any student input with feedback; only the instructor's arguments
(unknown unit, negative tolerance, options that do not include the right one)
raise ``ValueError`` naming the argument. :func:`keras_model` is the only one
that imports Keras, lazily.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence

from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.reading import (
    as_shape,
    join_options,
    option_label,
    picked_options,
    strip_batch,
)
from cnnbook.checks.specs import NumberSpec, QuantitySpec

__all__ = ["all_layers", "choice", "keras_model", "number", "quantity", "shape"]


def number(
    answer: object,
    expected: float,
    rel_tol: float = 0.0,
    mistakes: Iterable = (),
    hint: str = "",
    what: str = "the answer",
) -> Feedback:
    """A plain number or count: :class:`~cnnbook.checks.specs.NumberSpec`'s
    verdict on ``answer``."""
    return NumberSpec(expected, rel_tol, tuple(mistakes), hint, what).judge(answer)


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


def shape(answer: object, expected: Sequence[int], what: str = "the shape") -> Feedback:
    """A tensor shape such as ``(25, 38, 400)``; a leading ``None`` batch axis is
    accepted and ignored."""
    expected = check_shape_arg("expected", expected)
    if is_unanswered(answer):
        return unanswered()
    if isinstance(answer, (tuple, list)) and any(a is ... for a in answer):
        return unanswered()
    got = as_shape(answer)
    if got is None:
        return wrong(f"{what} should be a tuple of integers such as (32, 32, 3).")
    got, _ = strip_batch(got, expected)
    if got == expected:
        return right(f"{what} is {got}.")
    if len(got) != len(expected):
        return wrong(
            f"{what} has {len(expected)} axes (without the batch axis); yours has "
            f"{len(got)}."
        )
    return wrong(f"{what} is not right. {shape_hint(got, expected, [])}")


def check_shape_arg(arg: str, value: object) -> tuple[int, ...]:
    got = as_shape(value) if value is not None else None
    if not got or any(v is None or v < 1 for v in got):
        raise ValueError(f"{arg} must be a tuple of positive integers, got {value!r}")
    return got


def shape_hint(got: tuple, expected: tuple, variants: list[tuple[tuple, str]]) -> str:
    """What to revisit for a wrong shape, without giving the shape."""
    if len(got) == 3 and (got[1], got[0], got[2]) == expected:
        return "Height and width are swapped: shapes are (height, width, channels)."
    for variant, hint in variants:
        if variant != expected and got == variant:
            return hint
    if len(got) == 3 and got[:2] == expected[:2]:
        return (
            "The height and width are right, the number of channels is not: a "
            "convolution outputs one feature map per filter; pooling keeps the "
            "channels."
        )
    return (
        "Along each axis a convolution or pooling layer keeps ceil(n / stride) "
        "positions with SAME padding and floor((n - kernel) / stride) + 1 with VALID "
        "padding."
    )


def choice(
    answer: object,
    correct: str | Iterable[str],
    options: Iterable[str],
    hints: Mapping[str, str] | None = None,
) -> Feedback:
    """Multiple choice: ``correct`` is one option or a collection (select all).

    ``options`` are the labels, e.g. ``"abcd"``; answers are matched
    case-insensitively, and ``"(b)"``, ``"b."``, ``"a, c"`` or ``["a", "c"]`` work.
    ``hints`` maps a wrong option to what to reread when it is chosen.
    """
    labels = [option_label(o) for o in options]
    if len(labels) < 2 or len(set(labels)) != len(labels) or "" in labels:
        raise ValueError(
            f"options must be at least two distinct labels, got {options!r}"
        )
    many = not isinstance(correct, str)
    keys = {option_label(c) for c in ([correct] if not many else correct)}
    if not keys or not keys <= set(labels):
        raise ValueError(f"correct must be among the options {labels}, got {correct!r}")
    hints = dict(hints or {})
    for key in hints:
        if option_label(key) not in labels:
            raise ValueError(f"hints keys must be options {labels}, got {key!r}")
    hints = {option_label(k): v for k, v in hints.items()}
    if is_unanswered(answer) or (isinstance(answer, str) and not answer.strip()):
        return unanswered()
    picked = picked_options(answer)
    if picked is None:
        return wrong(f"answer with the letter of an option ({', '.join(labels)}).")
    unknown = sorted(picked - set(labels))
    if unknown:
        return wrong(
            f"{', '.join(map(repr, unknown))} is not one of the options "
            f"{', '.join(labels)}."
        )
    if picked == keys:
        verb = "is" if len(picked) == 1 else "are"
        return right(f"{join_options(sorted(picked))} {verb} right.")
    if not many and len(picked) > 1:
        return wrong("pick exactly one option.")
    chosen_wrong = [p for p in labels if p in picked - keys]
    if chosen_wrong:
        notes = " ".join(hints[p] for p in chosen_wrong if p in hints)
        verb = "is" if len(chosen_wrong) == 1 else "are"
        text = f"{join_options(chosen_wrong)} {verb} not right."
        return wrong(f"{text} {notes}".strip())
    missing = len(keys - picked)
    return wrong(
        f"what you picked is right, but {missing} more option"
        f"{' is' if missing == 1 else 's are'} right too."
    )


# --------------------------------------------------------------------------- Keras
def keras_model(
    model: object,
    input_shape: Sequence[int],
    output_shape: Sequence[int] | None = None,
    max_params: int | None = None,
    min_params: int | None = None,
    must_contain: Iterable[str] = (),
) -> Feedback:
    """A Keras model the student built: input and output shape, a parameter
    budget ``[min_params, max_params]`` and the layer types it must use (Keras
    class names such as ``"Conv2D"``). Keras is imported only here."""
    input_shape = check_shape_arg("input_shape", input_shape)
    if output_shape is not None:
        output_shape = check_shape_arg("output_shape", output_shape)
    for arg, value in (("max_params", max_params), ("min_params", min_params)):
        if value is not None and (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool)
            or value < 0
        ):
            raise ValueError(
                f"{arg} must be None or a non-negative integer, got {value!r}"
            )
    if max_params is not None and min_params is not None and min_params > max_params:
        raise ValueError(
            f"min_params must not exceed max_params, got {min_params} > {max_params}"
        )
    if isinstance(must_contain, str):
        must_contain = [must_contain]
    must_contain = list(must_contain)
    if not all(isinstance(name, str) and name for name in must_contain):
        raise ValueError(
            f"must_contain must be Keras layer class names, got {must_contain!r}"
        )
    if is_unanswered(model):
        return unanswered()

    import keras

    if not isinstance(model, keras.Model):
        return wrong(
            "`model` should be a Keras model (keras.Sequential([...]) or "
            f"keras.Model(inputs, outputs)), got {type(model).__name__}."
        )
    try:  # the student's model is code of theirs: any error is feedback
        return _judge_model(
            model, input_shape, output_shape, max_params, min_params, must_contain
        )
    except Exception as err:
        return wrong(
            f"checking your model raised {type(err).__name__}: "
            f"{str(err).splitlines()[0][:200] if str(err) else 'no message'}"
        )


def _shapes(model, input_shape: tuple) -> tuple[tuple, tuple] | Feedback:
    """(input shape, output shape) without the batch axis, or the feedback why
    they cannot be known. A subclassed model has no symbolic inputs: it is
    called once on a batch of zeros of the question's input shape."""
    inputs = getattr(model, "_inputs_struct", None) and getattr(model, "inputs", None)
    if inputs:
        if len(model.inputs) != 1 or len(model.outputs) != 1:
            return wrong("build a model with exactly one input and one output.")
        return tuple(model.inputs[0].shape)[1:], tuple(model.outputs[0].shape)[1:]
    if not model.built:
        return wrong(
            "the model has no known input yet: start it with keras.Input(shape=...) "
            "or call it once on a batch."
        )
    import numpy as np

    output = model(np.zeros((1, *input_shape), dtype="float32"))
    if not hasattr(output, "shape"):
        return wrong("build a model with exactly one input and one output.")
    return input_shape, tuple(output.shape)[1:]


def _judge_model(
    model, input_shape, output_shape, max_params, min_params, must_contain
) -> Feedback:
    shapes = _shapes(model, input_shape)
    if isinstance(shapes, Feedback):
        return shapes
    got_in, got_out = shapes
    if got_in != input_shape:
        return wrong(
            f"the model's input shape is {got_in}; the question asks for {input_shape} "
            "(without the batch axis)."
        )
    if output_shape is not None and got_out != output_shape:
        return wrong(
            f"the model's output shape is {got_out}; the question asks for "
            f"{output_shape}. Check the last layer's units or filters and whether "
            "the maps are flattened or pooled before it."
        )
    kinds = {type(layer).__name__ for layer in all_layers(model)}
    missing = [name for name in must_contain if name not in kinds]
    if missing:
        return wrong(f"the model must use {', '.join(missing)} layers.")
    params = model.count_params()
    if max_params is not None and params > max_params:
        return wrong(
            f"the model has {params:,} parameters, over the budget of {max_params:,}. "
            "Fewer filters, larger strides, or global average pooling instead of "
            "Flatten before a Dense layer all cut parameters."
        )
    if min_params is not None and params < min_params:
        return wrong(
            f"the model has {params:,} parameters; the question asks for at least "
            f"{min_params:,}."
        )
    budget = f" (budget {max_params:,})" if max_params is not None else ""
    return right(f"input {got_in}, output {got_out}, {params:,} parameters{budget}.")


def all_layers(model) -> list:
    layers = []
    for layer in getattr(model, "layers", []):
        layers.append(layer)
        if hasattr(layer, "layers"):
            layers += all_layers(layer)
    return layers
