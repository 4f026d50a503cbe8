"""Chapter 1's questions: dense against conv, equivariance, a CNN for digits anywhere.

Parameter counts come from :mod:`cnnbook.calc` (through chapter 2's
:func:`~cnnbook.checks.ch02.parameter_count_spec`, which names the slips that
fit each layer kind); whether a one-pixel shift changes max pooling is measured
with :mod:`cnnbook.science.pooling`.
"""

from __future__ import annotations

import numpy as np

from cnnbook import calc
from cnnbook.checks.bank import question
from cnnbook.checks.ch02 import parameter_count_spec
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.models import ModelSpec
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.science import pooling

__all__: list[str] = []

SMALL, LARGE = (64, 64, 3), (128, 128, 3)
"""The image of question 1, and the image grown to twice the side (1c, 1d)."""
DENSE = (calc.Flatten(), calc.Dense(50))
CONV = (calc.Conv2D(32, 5, padding="same"),)


def _growth(layers) -> float:
    return (
        calc.analyze(LARGE, list(layers)).params
        / calc.analyze(SMALL, list(layers)).params
    )


@question()
def dense_params() -> NumberSpec:
    """1a: the parameters of a Dense(50) layer on the flattened 64 x 64 RGB image."""
    return parameter_count_spec(SMALL, DENSE)


@question()
def conv_params() -> NumberSpec:
    """1b: the parameters of 32 filters of 5 x 5 on the same image."""
    return parameter_count_spec(SMALL, CONV)


@question()
def growth() -> NumberSpec:
    """1c: how much the dense layer's count grows on a 128 x 128 image."""
    return NumberSpec(
        _growth(DENSE),
        rel_tol=0.01,
        mistakes=(
            Mistake(2, "Doubling the side doubles the height and the width."),
            Mistake(
                1,
                "A dense layer has one weight per input value and unit: its count "
                "grows with the image.",
            ),
        ),
        hint="Divide the new count by the old one: (inputs + 1) x units each time.",
        what="the growth factor",
    )


@question()
def conv_growth() -> NumberSpec:
    """1d: how much the conv layer's count grows on a 128 x 128 image."""
    pixels = (LARGE[0] * LARGE[1]) / (SMALL[0] * SMALL[1])
    return NumberSpec(
        _growth(CONV),
        rel_tol=0.01,
        mistakes=(
            Mistake(
                pixels,
                "That is how much the conv layer's output grows; its parameters are "
                "the filters' weights, which are the same size whatever the image.",
            ),
            Mistake(
                0,
                "A factor is new count / old count: a count that does not change "
                "is not a factor of 0.",
            ),
        ),
        hint="A filter's weights depend on its kernel and its input channels only.",
        what="the growth factor",
    )


def _one_pixel_shift_keeps_max_pooling() -> bool:
    """Whether 2 x 2 max pooling gives the same output after a one-pixel shift,
    on a random image (it does not: the windows regroup)."""
    image = np.random.default_rng(1).random((16, 17))
    return bool(
        np.array_equal(pooling.max_pool(image[:, :16]), pooling.max_pool(image[:, 1:]))
    )


@question(points=2)
def statements() -> ChoiceSpec:
    """2: which statements on equivariance and invariance are true (select all)."""
    truth = {
        "a": True,  # a convolution with stride 1 commutes with shifts (chapter 1)
        "b": False,  # the chapter's odd shifts and Flatten + Dense say otherwise
        "c": _one_pixel_shift_keeps_max_pooling(),
        "d": True,  # the maximum of each map, wherever it was
    }
    return ChoiceSpec(
        [label for label, true in truth.items() if true],
        "abcd",
        {
            "a": "Equivariance: with stride 1 the same weights meet the same pixels "
            "at the shifted position, so away from the borders the maps move with "
            "the input.",
            "b": "Convolutions are equivariant: their maps move with the object. "
            "Whether the prediction moves too depends on what follows them (Flatten "
            "+ Dense keeps the position; global pooling mostly discards it), and "
            "borders and strides break invariance even then.",
            "c": "A one-pixel shift regroups the 2 x 2 windows, so many pooled values "
            "change; the chapter measured how many stay. Pooling is only "
            "approximately invariant.",
            "d": "Global max pooling keeps one value per map, its largest, and that "
            "value does not say where in the map it was.",
        },
    )


@question(points=3)
def model() -> ModelSpec:
    """3: a CNN for 20 x 20 digits anywhere, ending in global max pooling, at most
    3,000 parameters."""
    return ModelSpec(
        (20, 20, 1),
        (10,),
        max_params=3_000,
        must_contain=("Conv2D", "GlobalMaxPooling2D"),
    )
