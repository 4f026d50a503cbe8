"""Chapter 4's questions: what downsampling costs, what each way can do, and a
network that downsamples with strided convolutions only.

Counts come from :mod:`cnnbook.calc`; whether a strided convolution computes
average pooling, and whether a one-pixel shift leaves max pooling unchanged,
are measured with :mod:`cnnbook.science.pooling`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from cnnbook import calc
from cnnbook.checks.bank import question
from cnnbook.checks.ch02 import parameter_count_spec
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.models import ModelSpec, no_pooling, strided_convolution
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.science import pooling

__all__: list[str] = []

INPUT = (28, 28, 64)
"""Question 1: the maps to halve."""
POOL = (calc.MaxPooling2D(2),)
STRIDED = (calc.Conv2D(128, 3, strides=2, padding="same"),)


@question()
def pool_params() -> NumberSpec:
    """1a: the parameters of MaxPooling2D(2)."""
    return parameter_count_spec(INPUT, POOL)


@question()
def strided_params() -> NumberSpec:
    """1b: the parameters of 128 filters of 3 x 3, stride 2."""
    return parameter_count_spec(INPUT, STRIDED)


@question()
def strided_macs() -> NumberSpec:
    """1c: the multiply-adds of the strided convolution for one image."""
    layer = STRIDED[0]
    report = calc.analyze(INPUT, list(STRIDED))
    every_position = calc.analyze(INPUT, [dataclasses.replace(layer, strides=1)])
    outputs = report.layers[0].output_elements
    return NumberSpec(
        report.macs,
        mistakes=(
            Mistake(
                every_position.macs,
                "That counts every input position; with stride 2 the layer only "
                "computes an output at every second row and column.",
            ),
            Mistake(
                report.macs + outputs,
                "Biases are additions, not multiply-adds: leave them out.",
            ),
            Mistake(
                report.macs // layer.filters,
                "That is one filter's work: every filter computes its own map.",
            ),
        ),
        hint="Multiply-adds = output values x kernel weights per output.",
        what="the number of multiply-adds",
    )


def _truths() -> dict[str, bool]:
    """Which of question 2's statements hold, measured where a measure exists."""
    rng = np.random.default_rng(4)
    image = rng.random((16, 17))
    left, moved = image[:, :16], image[:, 1:]
    channels_in = INPUT[-1]
    pooled = calc.analyze(INPUT, list(POOL)).layers[0].output_shape[-1]
    averaged = pooling.strided_conv(left, np.full((2, 2), 0.25), strides=2)
    return {
        "a": pooled == channels_in,
        "b": bool(np.allclose(averaged, pooling.avg_pool(left, 2))),
        "c": False,  # the maximum is not a weighted sum of its window
        "d": bool(np.array_equal(pooling.max_pool(left), pooling.max_pool(moved))),
    }


@question(points=2)
def statements() -> ChoiceSpec:
    """2: what pooling and strided convolutions can do (select all)."""
    return ChoiceSpec(
        [label for label, true in _truths().items() if true],
        "abcd",
        {
            "a": "Pooling works on each channel separately, so the channels it "
            "outputs are those it receives.",
            "b": "Average pooling is a weighted sum with equal weights: a stride-2 "
            "convolution whose 2 x 2 kernel holds 1/4 for its own channel computes "
            "it.",
            "c": "A convolution is linear (a weighted sum); the maximum is not, so "
            "no choice of weights gives it for every input.",
            "d": "Only a share of max-pooled values stays the same after a one-pixel "
            "shift; the chapter measured how large. Pooling is approximately "
            "invariant.",
        },
    )


@question(points=3)
def model() -> ModelSpec:
    """3: an all-convolutional block from (32, 32, 16) to (8, 8, 32), under 10,000
    parameters."""
    return ModelSpec(
        (32, 32, 16),
        (8, 8, 32),
        max_params=10_000,
        must_contain=("Conv2D",),
        rules=(no_pooling, strided_convolution),
    )
