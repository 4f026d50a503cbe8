"""Chapter 7's numbers: each student's :class:`Modern` variant, its choice
questions and the arithmetic its questions ask (fields, weights,
multiply-adds), so that :mod:`cnnbook.checks.ch07` holds the questions only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cnnbook import calc
from cnnbook.checks import variants
from cnnbook.checks.choices import Options
from cnnbook.papers import MODERN_CLAIMS

__all__ = [
    "DEFAULT",
    "INNOVATION",
    "LARGE",
    "NO_HOLES",
    "PAPER",
    "Modern",
    "draw",
    "field_of",
    "full_macs",
    "layers_needed",
    "macs_of",
    "slipped_field",
    "stack_weights",
    "unit_params",
]

NO_HOLES = Options(
    ("2, 2, 2", "1, 2, 3", "1, 1, 1", "4, 4, 4"),
    right=1,
    hints={
        0: "With dilations 2, 2, 2 every tap lands on an even offset: the odd rows "
        "and columns never reach the unit (the gridding problem).",
        2: "Dilations 1, 1, 1 do see every pixel, but of a 7 x 7 field, not 13 x 13.",
        3: "Dilations 4, 4, 4 give a 25 x 25 field with holes: a common factor of "
        "the dilations leaves a grid.",
    },
)
INNOVATION = Options(
    (
        "Xception works best with a ReLU between the depthwise and the pointwise step.",
        "EfficientNet-B1 to B7 scale B0 up: each is deeper and takes larger images "
        "than the one before, and from B2 on each is also wider.",
        "An SE block's dense layers do more multiply-adds on larger feature maps.",
        "A dilated 3x3 convolution has more weights than an ordinary one.",
    ),
    right=1,
    hints={
        0: "Chollet found Xception works best with no non-linearity between the "
        "depthwise and the pointwise step.",
        2: "An SE block's dense layers work on one average per map: their "
        "multiply-adds do not depend on the height and width.",
        3: "A dilated kernel keeps its weights; it only spreads them out.",
    },
)
PAPER = tuple(MODERN_CLAIMS[f"efficientnet_{x}"][0] for x in ("alpha", "beta", "gamma"))
"""EfficientNet's own alpha, beta, gamma (the chapter's example)."""


@dataclass(frozen=True, repr=False)
class Modern(variants.Variant):
    """One student's numbers for questions 1 to 7."""

    first_kernel: int
    pool: int
    kernels: tuple[int, int, int]
    dilation: int
    small: int
    large: int
    separable_input: tuple[int, int, int]
    separable_filters: int
    separable_kernel: int
    se_channels: int
    se_ratio: int
    scaling: tuple[float, float, float]
    phi: int
    unit_input: tuple[int, int, int]
    unit_filters: int
    strides: tuple[int, int] = (1, 2)
    """The strides of question 1's first and fourth layers."""

    CHOICES = {"no_holes": NO_HOLES, "innovation": INNOVATION}

    def stack(self) -> tuple[calc.Layer, ...]:
        """Question 1's five layers, in order."""
        k3, k4, k5 = self.kernels
        s1, s4 = self.strides
        return (
            calc.Conv2D(8, self.first_kernel, strides=s1, padding="same"),
            calc.MaxPooling2D(self.pool),
            calc.Conv2D(16, k3, padding="same"),
            calc.Conv2D(16, k4, strides=s4, padding="same"),
            calc.Conv2D(32, k5, padding="same", dilation_rate=self.dilation),
        )

    def lines(self) -> list[str]:
        k3, k4, k5 = self.kernels
        s1, s4 = self.strides
        size, filters = self.separable_input, self.separable_filters
        alpha, beta, gamma = self.scaling
        return [
            f"question 1's stack on a 96 x 96 grey image: (1) a {self.first_kernel}x"
            f"{self.first_kernel} convolution, stride {s1}, SAME; (2) a {self.pool}x"
            f"{self.pool} max pooling with stride {self.pool}; (3) a {k3}x{k3} "
            f"convolution, stride 1, SAME; (4) a {k4}x{k4} convolution, stride "
            f"{s4}, SAME; (5) a {k5}x{k5} convolution, stride 1, SAME, with "
            f"dilation {self.dilation}",
            f"small = {self.small}, large = {self.large}: question 2's kernels",
            f"separable_input = {size}, separable_filters = {filters}, "
            f"separable_kernel = {self.separable_kernel}: question 3's "
            "SeparableConv2D",
            f"se_channels = {self.se_channels}, se_ratio = {self.se_ratio}: question "
            "5's SE block",
            f"scaling = {self.scaling}, phi = {self.phi}: question 6's alpha = "
            f"{alpha:g}, beta = {beta:g}, gamma = {gamma:g} and phi",
            f"unit_input = {self.unit_input}, unit_filters = {self.unit_filters}: "
            f"question 7's unit, which has {unit_params(self):,} parameters",
        ]


DEFAULT = Modern(
    3,
    3,
    (5, 3, 3),
    3,
    3,
    11,
    (14, 14, 96),
    192,
    5,
    768,
    8,
    (1.25, 1.05, 1.2),
    3,
    (16, 16, 48),
    96,
)
"""What Binder, Colab and the published solutions show: not the chapter's."""
LARGE = {3: (7, 9, 11, 13, 15, 17, 19, 21), 5: (13, 17, 21, 25), 7: (13, 19, 25)}
"""Question 2's large kernels for each small one: a whole number of layers."""


def draw(generator: random.Random) -> Modern:
    """A student's numbers (:func:`cnnbook.checks.ch07.variant` keeps the
    draws whose slips stay apart)."""
    small = generator.choice(sorted(LARGE))
    channels = generator.choice((32, 64, 96, 128, 256))
    se_ratio = generator.choice((4, 8, 16, 32))
    unit_channels = generator.choice((16, 32, 48, 64, 96))
    return Modern(
        generator.choice((3, 5, 7)),
        generator.choice((2, 3)),
        tuple(generator.choice((3, 5)) for _ in range(3)),
        generator.choice((2, 3, 4)),
        small,
        generator.choice(LARGE[small]),
        (generator.choice((14, 28, 56)),) * 2 + (channels,),
        generator.choice((channels, 2 * channels)),
        generator.choice((3, 5)),
        se_ratio * generator.randint(8, 64),
        se_ratio,
        (
            generator.choice((1.1, 1.15, 1.2, 1.25, 1.3)),
            generator.choice((1.05, 1.1, 1.15, 1.2)),
            generator.choice((1.1, 1.15, 1.2)),
        ),
        generator.choice((2, 3, 4)),
        (generator.choice((16, 32, 64)),) * 2 + (unit_channels,),
        generator.choice((2 * unit_channels, unit_channels * 3 // 2)),
        (generator.choice((1, 2)), generator.choice((2, 3))),
        orders=variants.shuffled(generator, Modern.CHOICES),
    )


def field_of(v: Modern) -> calc.ReceptiveField:
    return calc.analyze((96, 96, 1), list(v.stack())).layers[-1].receptive_field


def slipped_field(
    v: Modern,
    after: bool = False,
    jumps: bool = True,
    dilation: bool = True,
    pool: bool = True,
) -> int:
    """The field by a slipped recursion: the jump *after* the layer, no jump at
    all, no dilation, or the pooling left out."""
    size, step = 1, 1
    for layer in v.stack():
        kernel = getattr(layer, "kernel_size", getattr(layer, "pool_size", (1, 1)))[0]
        d = getattr(layer, "dilation_rate", (1, 1))[0] if dilation else 1
        s = layer.strides[0]
        if not pool and isinstance(layer, calc.MaxPooling2D):
            continue
        if after:
            step *= s
        size += (kernel - 1) * d * (step if jumps else 1)
        if not after:
            step *= s
    return size


def layers_needed(v: Modern) -> int:
    return (v.large - 1) // (v.small - 1)


def stack_weights(kernel: int, layers: int, maps: int = 64) -> int:
    conv = calc.Conv2D(maps, kernel, padding="same", use_bias=False)
    return calc.analyze((32, 32, maps), [conv] * layers).params


def macs_of(v: Modern, *layers: calc.Layer) -> int:
    return calc.analyze(v.separable_input, list(layers)).macs


def full_macs(v: Modern) -> int:
    conv = calc.Conv2D(
        v.separable_filters, v.separable_kernel, padding="same", use_bias=False
    )
    return macs_of(v, conv)


def unit_params(
    v: Modern,
    depthwise_norm: bool = True,
    pointwise_norm: bool = True,
    depthwise_bias: bool = False,
    pointwise_bias: bool = False,
) -> int:
    """The unit's parameters, counted by calc; the arguments make its slips."""
    layers = [calc.DepthwiseConv2D(3, padding="same", use_bias=depthwise_bias)]
    layers += [calc.BatchNormalization(), calc.ReLU()] if depthwise_norm else []
    layers += [calc.Conv2D(v.unit_filters, 1, use_bias=pointwise_bias)]
    layers += [calc.BatchNormalization(), calc.ReLU()] if pointwise_norm else []
    return calc.analyze(v.unit_input, layers).params
