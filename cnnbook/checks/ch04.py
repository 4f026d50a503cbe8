"""Chapter 4's questions: what downsampling costs, what each way can do, and a
network that downsamples with strided convolutions only.

Each student gets their own feature maps, pooling and convolution, and their
own block to build (:func:`variant`); the default differs from the chapter's
56 x 56 x 64 maps and its 64- and 128-filter convolutions. Counts come from
:mod:`cnnbook.calc`; whether a strided convolution computes average pooling,
and whether a one-pixel shift leaves max pooling unchanged, are measured with
:mod:`cnnbook.science.pooling`.
"""

from __future__ import annotations

import dataclasses
import math
import random
from dataclasses import dataclass

import numpy as np

from cnnbook import calc
from cnnbook.checks import variants
from cnnbook.checks.apart import clashes
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec, Options
from cnnbook.checks.models import (
    ModelSpec,
    no_pooling,
    relu_after_each,
    strided_convolution,
)
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.checks.stacks import parameter_count_spec
from cnnbook.science import pooling

__all__ = ["Downsampling", "variant"]


def _truths() -> tuple[bool, ...]:
    """Which of question 2's statements hold, measured where a measure exists."""
    rng = np.random.default_rng(4)
    image = rng.random((16, 17))
    left, moved = image[:, :16], image[:, 1:]
    pooled = calc.analyze((28, 28, 64), [calc.MaxPooling2D(2)])
    averaged = pooling.strided_conv(left, np.full((2, 2), 0.25), strides=2)
    return (
        pooled.layers[0].output_shape[-1] == 64,
        bool(np.allclose(averaged, pooling.avg_pool(left, 2))),
        False,  # the maximum is not a weighted sum of its window
        bool(np.array_equal(pooling.max_pool(left), pooling.max_pool(moved))),
    )


_TRUTH = _truths()
_HINTS = {
    0: "Pooling works on each channel separately, so the channels it outputs are "
    "those it receives.",
    1: "Average pooling is a weighted sum with equal weights: a stride-2 convolution "
    "whose 2 x 2 kernel holds 1/4 for its own channel computes it.",
    2: "A convolution is linear (a weighted sum); the maximum is not, so no choice "
    "of weights gives it for every input.",
    3: "Only a share of max-pooled values stays the same after a one-pixel shift; "
    "the chapter measured how large. Pooling is approximately invariant.",
}
STATEMENTS = Options(
    (
        "A max pooling layer always outputs as many channels as it receives.",
        "A convolution with stride 2 and suitable fixed weights can compute exactly "
        "what `AveragePooling2D(2)` computes.",
        "A convolution with stride 2 and suitable fixed weights can compute exactly "
        "what `MaxPooling2D(2)` computes.",
        "Max pooling's output does not change at all when the input moves by one "
        "pixel.",
    ),
    right=[i for i, true in enumerate(_TRUTH) if true],
    hints={i: hint for i, hint in _HINTS.items() if not _TRUTH[i]},
)


@dataclass(frozen=True, repr=False)
class Downsampling(variants.Variant):
    """One student's maps and two ways to downsample them (question 1), and the
    all-convolutional block to build (question 3)."""

    maps: tuple[int, int, int]
    factor: int
    filters: int
    kernel: int
    block_input: tuple[int, int, int]
    block_filters: int
    budget: int

    CHOICES = {"statements": STATEMENTS}

    @property
    def block_output(self) -> tuple[int, int, int]:
        """Question 3's output: a quarter of the height and width."""
        side = self.block_input[0] // 4
        return (side, side, self.block_filters)

    def lines(self) -> list[str]:
        side, _, channels = self.maps
        k, f = self.kernel, self.factor
        return [
            f"maps = {self.maps}: feature maps of {side} x {side} with {channels} "
            "channels",
            f"factor = {f}: option A is MaxPooling2D({f}) (pool size and stride {f})",
            f"filters = {self.filters}, kernel = {k}: option B is a Conv2D layer "
            f"with {self.filters} filters of {k} x {k}, stride {f}, SAME padding "
            "and biases",
            f"block_input = {self.block_input}, block_output = {self.block_output}, "
            f"budget = {self.budget:,}: question 3's block, under {self.budget:,} "
            "parameters",
        ]

    def pool(self) -> tuple[calc.Layer, ...]:
        return (calc.MaxPooling2D(self.factor),)

    def strided(self) -> tuple[calc.Layer, ...]:
        return (
            calc.Conv2D(self.filters, self.kernel, strides=self.factor, padding="same"),
        )


def _budget(block_input: tuple[int, int, int], filters: int, slack: float) -> int:
    """A budget above two 3 x 3 convolutions with stride 2 (the first with half
    the filters), rounded up to a thousand."""
    half = max(filters // 2, 1)
    layers = [
        calc.Conv2D(half, 3, strides=2, padding="same"),
        calc.Conv2D(filters, 3, strides=2, padding="same"),
    ]
    reference = calc.analyze(block_input, layers).params
    return 1000 * math.ceil(reference * slack / 1000)


DEFAULT = Downsampling((20, 20, 96), 2, 160, 5, (40, 40, 8), 24, 6_000)
"""What Binder, Colab and the published solutions show: not the chapter's."""


def _draw(generator: random.Random) -> Downsampling:
    channels = generator.choice((32, 48, 64, 96, 128, 192, 256))
    block_side = generator.choice((16, 24, 32, 40, 48, 64))
    block_channels = generator.choice((3, 8, 16, 24))
    block_filters = generator.choice((16, 24, 32, 48, 64))
    block_input = (block_side, block_side, block_channels)
    return Downsampling(
        (generator.choice((14, 16, 20, 24, 28, 32, 40, 48, 56)),) * 2 + (channels,),
        generator.choice((2, 3)),
        generator.choice((channels, channels * 3 // 2, 2 * channels)),
        generator.choice((3, 5)),
        block_input,
        block_filters,
        _budget(block_input, block_filters, generator.uniform(1.2, 1.6)),
        orders=variants.shuffled(generator, Downsampling.CHOICES),
    )


def _valid(v: Downsampling) -> bool:
    chapter = v.maps == (56, 56, 64) or v.filters in (64, 128)
    return not chapter and not any(clashes(q._make_spec(v)) for q in NUMERIC)


def variant() -> Downsampling:
    """The numbers of the student in force (:mod:`cnnbook.checks.variants`)."""
    return variants.draw("ch04", _draw, DEFAULT, _valid)


# --------------------------------------------------------------------------- the bank
@question()
def pool_params(v: Downsampling | None = None) -> NumberSpec:
    """1a: the parameters of the max pooling layer."""
    v = v or variant()
    return parameter_count_spec(v.maps, v.pool())


@question()
def strided_params(v: Downsampling | None = None) -> NumberSpec:
    """1b: the parameters of the strided convolution."""
    v = v or variant()
    return parameter_count_spec(v.maps, v.strided())


@question()
def strided_macs(v: Downsampling | None = None) -> NumberSpec:
    """1c: the multiply-adds of the strided convolution for one image."""
    v = v or variant()
    (layer,) = v.strided()
    report = calc.analyze(v.maps, [layer])
    every_position = calc.analyze(v.maps, [dataclasses.replace(layer, strides=1)])
    outputs = report.layers[0].output_elements
    return NumberSpec(
        report.macs,
        mistakes=(
            Mistake(
                every_position.macs,
                "That counts every input position; with a stride the layer only "
                "computes an output at every stride-th row and column.",
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


@question(points=2)
def statements(v: Downsampling | None = None) -> ChoiceSpec:
    """2: what pooling and strided convolutions can do (select all)."""
    return (v or variant())._choice_spec("statements")


@question(points=3)
def model(v: Downsampling | None = None) -> ModelSpec:
    """3: an all-convolutional block to a quarter of the height and width, with
    a ReLU after each convolution, under a parameter budget."""
    v = v or variant()
    return ModelSpec(
        v.block_input,
        v.block_output,
        max_params=v.budget,
        strict=True,
        must_contain=("Conv2D",),
        rules=(no_pooling, strided_convolution, relu_after_each(("Conv2D",))),
    )


NUMERIC = (pool_params, strided_params, strided_macs)
"""The questions whose named slips a variant must keep apart."""
