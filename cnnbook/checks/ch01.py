"""Chapter 1's questions: dense against conv, equivariance, a CNN for digits anywhere.

Each student gets their own image, layers and growth factor (:func:`variant`);
the default differs from the chapter's worked example (a 200 x 300 RGB image,
100 units, 100 filters of 3 x 3). Parameter counts come from
:mod:`cnnbook.calc` (through :func:`~cnnbook.checks.stacks.parameter_count_spec`,
which names the slips that fit each layer kind); whether a one-pixel shift
changes max pooling is measured with :mod:`cnnbook.science.pooling`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from cnnbook import calc
from cnnbook.checks import variants
from cnnbook.checks.apart import clashes
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec, Options
from cnnbook.checks.models import ModelSpec, ends_with_global_pooling, softmax_output
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.checks.stacks import parameter_count_spec
from cnnbook.science import pooling

__all__ = ["Layers", "variant"]


def _one_pixel_shift_keeps_max_pooling() -> bool:
    """Whether 2 x 2 max pooling gives the same output after a one-pixel shift,
    on a random image (it does not: the windows regroup)."""
    image = np.random.default_rng(1).random((16, 17))
    return bool(
        np.array_equal(pooling.max_pool(image[:, :16]), pooling.max_pool(image[:, 1:]))
    )


STATEMENTS = (
    "Away from the borders, shifting the input of a `Conv2D` layer with stride 1 by "
    "3 pixels shifts its feature maps by 3 pixels.",
    "A CNN's prediction is independent of where the object is in the image.",
    "A 2 x 2 max pooling with stride 2 gives exactly the same output when its input "
    "moves by one pixel.",
    "A global max pooling layer keeps the strongest response of each feature map "
    "and discards where it was found.",
)
_TRUTH = (True, False, _one_pixel_shift_keeps_max_pooling(), True)
_HINTS = {
    1: "Convolutions are equivariant: their maps move with the object. Whether the "
    "prediction moves too depends on what follows them (Flatten + Dense keeps the "
    "position; global pooling mostly discards it), and borders and strides break "
    "invariance even then.",
    2: "A one-pixel shift regroups the 2 x 2 windows, so many pooled values change; "
    "the chapter measured how many stay. Pooling is only approximately invariant.",
}
EQUIVARIANCE = Options(
    STATEMENTS,
    right=[i for i, true in enumerate(_TRUTH) if true],
    hints={i: hint for i, hint in _HINTS.items() if not _TRUTH[i]},
)


@dataclass(frozen=True, repr=False)
class Layers(variants.Variant):
    """One student's image and first layers (question 1) and digits model (3)."""

    image: tuple[int, int, int]
    units: int
    filters: int
    kernel: int
    growth: int
    canvas: int
    budget: int

    CHOICES = {"statements": EQUIVARIANCE}

    @property
    def large(self) -> tuple[int, int, int]:
        """The image grown ``growth`` times along each side (1c, 1d)."""
        side, _, channels = self.image
        return (side * self.growth, side * self.growth, channels)

    def lines(self) -> list[str]:
        side, _, channels = self.image
        colour = "an RGB image" if channels == 3 else "a grey image"
        return [
            f"image = {self.image}: {colour} of {side} x {side} pixels",
            f"units = {self.units}: the Dense layer's units (with biases)",
            f"filters = {self.filters}, kernel = {self.kernel}: the Conv2D layer's "
            f"filters of {self.kernel} x {self.kernel} (SAME padding, with biases)",
            f"growth = {self.growth}: the image grows to {self.large[0]} x "
            f"{self.large[1]} pixels in 1c and 1d",
            f"canvas = {self.canvas}, budget = {self.budget:,}: question 3's digits "
            f"on a {self.canvas} x {self.canvas} grey canvas, at most "
            f"{self.budget:,} parameters",
        ]

    def dense(self) -> tuple[calc.Layer, ...]:
        return (calc.Flatten(), calc.Dense(self.units))

    def conv(self) -> tuple[calc.Layer, ...]:
        return (calc.Conv2D(self.filters, self.kernel, padding="same"),)


DEFAULT = Layers((48, 48, 3), 40, 24, 7, 3, 24, 4_000)
"""What Binder, Colab and the published solutions show: not the chapter's."""


def _draw(generator: random.Random) -> Layers:
    return Layers(
        (generator.randrange(24, 100, 4),) * 2 + (generator.choice((1, 3)),),
        generator.randrange(20, 125, 5),
        generator.choice((8, 12, 16, 24, 32, 48, 64)),
        generator.choice((3, 5, 7)),
        generator.choice((2, 3, 4)),
        generator.choice((16, 20, 24, 28, 32)),
        generator.randrange(2_000, 5_250, 250),
        orders=variants.shuffled(generator, Layers.CHOICES),
    )


def _valid(v: Layers) -> bool:
    return not any(clashes(q._make_spec(v)) for q in NUMERIC)


def variant() -> Layers:
    """The numbers of the student in force (:mod:`cnnbook.checks.variants`)."""
    return variants.draw("ch01", _draw, DEFAULT, _valid)


def _growth(v: Layers, layers) -> float:
    return (
        calc.analyze(v.large, list(layers)).params
        / calc.analyze(v.image, list(layers)).params
    )


# --------------------------------------------------------------------------- the bank
@question()
def dense_params(v: Layers | None = None) -> NumberSpec:
    """1a: the parameters of a Dense layer on the flattened image."""
    v = v or variant()
    return parameter_count_spec(v.image, v.dense())


@question()
def conv_params(v: Layers | None = None) -> NumberSpec:
    """1b: the parameters of a Conv2D layer on the same image."""
    v = v or variant()
    return parameter_count_spec(v.image, v.conv())


@question()
def growth(v: Layers | None = None) -> NumberSpec:
    """1c: how much the dense layer's count grows on the larger image."""
    v = v or variant()
    return NumberSpec(
        _growth(v, v.dense()),
        rel_tol=0.01,
        mistakes=(
            Mistake(
                v.growth,
                "Growing the side grows both the height and the width: the pixels "
                "grow with the square of the side.",
            ),
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
def conv_growth(v: Layers | None = None) -> NumberSpec:
    """1d: how much the conv layer's count grows on the larger image."""
    v = v or variant()
    return NumberSpec(
        _growth(v, v.conv()),
        rel_tol=0.01,
        mistakes=(
            Mistake(
                v.growth**2,
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


@question(points=2)
def statements(v: Layers | None = None) -> ChoiceSpec:
    """2: which statements on equivariance and invariance are true (select all)."""
    return (v or variant())._choice_spec("statements")


@question(points=3)
def model(v: Layers | None = None) -> ModelSpec:
    """3: a CNN for digits anywhere on a canvas, ending in global max pooling and
    a softmax, within a parameter budget."""
    v = v or variant()
    return ModelSpec(
        (v.canvas, v.canvas, 1),
        (10,),
        max_params=v.budget,
        must_contain=("Conv2D", "GlobalMaxPooling2D"),
        rules=(ends_with_global_pooling("GlobalMaxPooling2D"), softmax_output),
    )


NUMERIC = (dense_params, conv_params, growth, conv_growth)
"""The questions whose named slips a variant must keep apart."""
