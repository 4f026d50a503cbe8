"""Chapter 2's questions: parameters, output shapes and memory of a conv stack.

Each student gets their own network (:func:`variant`): an RGB image through
three convolutions with the same kernel and stride and SAME padding, a batch
size for training, and question 5's budget. The default variant differs from
the chapter's worked network (``papers.SEED_QUESTION``), whose answers the
chapter prints. The specs come from :mod:`cnnbook.checks.stacks`, which names
the typical slips; a variant is drawn only if each of them stays apart from
the right answer, by more than the tolerance (0.1% for memory: rounding a
shape down, or MiB for MB, must not pass).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from cnnbook import calc
from cnnbook.checks import variants
from cnnbook.checks.apart import clashes
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec, Options
from cnnbook.checks.models import ModelSpec, softmax_output
from cnnbook.checks.shapes import ShapesSpec
from cnnbook.checks.specs import NumberSpec, QuantitySpec
from cnnbook.checks.stacks import (
    output_shapes_spec,
    parameter_count_spec,
    prediction_memory_spec,
    training_memory_spec,
)
from cnnbook.papers import SEED_QUESTION

__all__ = [
    "Network",
    "output_shapes_spec",
    "parameter_count_spec",
    "prediction_memory_spec",
    "training_memory_spec",
    "variant",
]

MEMORY_TOL = 0.001
"""Memory answers count within 0.1% (four significant digits): tighter than
every slip the chapter names (a shape rounded down moves the training figure
by a few tenths of a percent, MiB for MB by 4.9%)."""

ALIVE = Options(
    (
        "the parameters and the input image only",
        "the parameters, layer 1's output and layer 2's output",
        "the parameters, the input image and every layer's output",
        "only layer 2's output",
    ),
    right=1,
    hints={
        0: "Layer 2 reads layer 1's output, not the image, and writes its own.",
        2: "That is what training keeps for backpropagation; a prediction frees "
        "the image after layer 1, and layer 3's output does not exist yet.",
        3: "Layer 2 is still reading layer 1's output, and the parameters stay in "
        "memory throughout.",
    },
)


@dataclass(frozen=True, repr=False)
class Network(variants.Variant):
    """One student's network (questions 1 to 4) and model (question 5)."""

    input_shape: tuple[int, int, int]
    kernel: int
    stride: int
    filters: tuple[int, int, int]
    batch_size: int
    model_input: tuple[int, int, int]
    classes: int
    budget: int

    CHOICES = {"alive": ALIVE}

    def lines(self) -> list[str]:
        (h, w, _), k, s = self.input_shape, self.kernel, self.stride
        side, _, channels = self.model_input
        colour = "RGB" if channels == 3 else "grey"
        return [
            f"input_shape = {self.input_shape}: an RGB image of height {h} and "
            f"width {w}",
            f"kernel = {k}, stride = {s}: each layer has {k} x {k} kernels and "
            f"stride {s}",
            f"filters = {self.filters}: the feature maps of layers 1, 2 and 3",
            f"batch_size = {self.batch_size}: the images of one training batch",
            f"model_input = {self.model_input}, classes = {self.classes}, "
            f"budget = {self.budget:,}: question 5's {side} x {side} {colour} "
            f"images, its classes and its largest parameter count",
        ]

    def layers(self, padding: str = "same") -> tuple[calc.Conv2D, ...]:
        """The three convolutions in calc's terms."""
        return tuple(
            calc.Conv2D(f, self.kernel, strides=self.stride, padding=padding)
            for f in self.filters
        )


DEFAULT = Network((180, 250, 3), 5, 2, (64, 128, 256), 32, (28, 28, 1), 10, 12_000)
"""What Binder, Colab and the published solutions show: not the chapter's."""
KERNEL_STRIDES = ((3, 2), (5, 2), (7, 2), (5, 3), (7, 3))
"""Kernel and stride pairs drawn (a kernel equal to the stride would make SAME
rounded down and VALID padding the same slip)."""


def _draw(generator: random.Random) -> Network:
    kernel, stride = generator.choice(KERNEL_STRIDES)
    f1 = generator.choice((16, 24, 32, 48, 64, 96, 128))
    f2 = generator.choice((f1, f1 * 3 // 2, 2 * f1))
    f3 = generator.choice((f2 * 3 // 2, 2 * f2))
    side = generator.choice((24, 28, 32, 36, 40, 48, 64))
    return Network(
        (generator.randint(96, 256), generator.randint(128, 352), 3),
        kernel,
        stride,
        (f1, f2, f3),
        generator.choice((8, 12, 16, 20, 24, 32, 40, 48, 64)),
        (side, side, generator.choice((1, 3))),
        generator.randint(4, 20),
        1000 * generator.randint(8, 30),
        orders=variants.shuffled(generator, Network.CHOICES),
    )


def _is_chapters(v: Network) -> bool:
    chapter = SEED_QUESTION
    return (v.input_shape, v.kernel, v.stride, v.filters) == (
        chapter["input_shape"],
        chapter["kernel_size"],
        chapter["strides"],
        tuple(chapter["filters"]),
    )


def _valid(v: Network) -> bool:
    """Whether every named slip of ``v`` stays apart from its answer."""
    if _is_chapters(v):
        return False
    try:
        specs = [q._make_spec(v) for q in NUMERIC]
        same, valid = shapes._make_spec(v), valid_shapes._make_spec(v)
    except ValueError:  # VALID padding leaves no position
        return False
    slips = [shapes for shapes, _ in same.variants]
    return (
        not any(clashes(spec) for spec in specs)
        and len(same.variants) == 2  # SAME rounded down, and VALID padding
        and len({same.expected, *slips}) == 3
        and all(
            hint in spec.judge(list(shapes)).message
            for spec in (same, valid)
            for shapes, hint in spec.variants
        )
    )


def variant() -> Network:
    """The network of the student in force (:mod:`cnnbook.checks.variants`)."""
    return variants.draw("ch02", _draw, DEFAULT, _valid)


# --------------------------------------------------------------------------- the bank
@question()
def params(v: Network | None = None) -> NumberSpec:
    """1a: the parameters of the network."""
    v = v or variant()
    return parameter_count_spec(v.input_shape, v.layers())


@question(points=2)
def shapes(v: Network | None = None) -> ShapesSpec:
    """1b: the output shape of each layer, SAME padding."""
    v = v or variant()
    return output_shapes_spec(v.input_shape, v.layers())


@question(points=2)
def prediction_mb(v: Network | None = None) -> QuantitySpec:
    """1c: the memory of one prediction in float32, in MB."""
    v = v or variant()
    return prediction_memory_spec(
        v.input_shape, v.layers(), unit="MB", rel_tol=MEMORY_TOL
    )


@question(points=2)
def training_mb(v: Network | None = None) -> QuantitySpec:
    """1d: the memory to train on a batch in float32, in MB."""
    v = v or variant()
    return training_memory_spec(
        v.input_shape, v.layers(), v.batch_size, unit="MB", rel_tol=MEMORY_TOL
    )


@question()
def prediction_mb_16(v: Network | None = None) -> QuantitySpec:
    """2a: the memory of one prediction in float16, in MB."""
    v = v or variant()
    return prediction_memory_spec(
        v.input_shape, v.layers(), dtype="float16", unit="MB", rel_tol=MEMORY_TOL
    )


@question()
def training_mb_16(v: Network | None = None) -> QuantitySpec:
    """2b: the memory to train on a batch in float16, in MB."""
    v = v or variant()
    return training_memory_spec(
        v.input_shape,
        v.layers(),
        v.batch_size,
        dtype="float16",
        unit="MB",
        rel_tol=MEMORY_TOL,
    )


@question(points=2)
def valid_shapes(v: Network | None = None) -> ShapesSpec:
    """3a: the output shape of each layer, VALID padding."""
    v = v or variant()
    return output_shapes_spec(v.input_shape, v.layers("valid"))


@question()
def valid_params(v: Network | None = None) -> NumberSpec:
    """3b: the parameters of the network with VALID padding."""
    v = v or variant()
    return parameter_count_spec(v.input_shape, v.layers("valid"))


@question(points=2)
def valid_training_mib(v: Network | None = None) -> QuantitySpec:
    """3c: the memory to train on a batch with VALID padding, in MiB."""
    v = v or variant()
    return training_memory_spec(
        v.input_shape,
        v.layers("valid"),
        v.batch_size,
        unit="MiB",
        rel_tol=MEMORY_TOL,
    )


@question()
def alive(v: Network | None = None) -> ChoiceSpec:
    """4: what must be in memory while layer 2 runs, for one prediction."""
    return (v or variant())._choice_spec("alive")


@question(points=3)
def model(v: Network | None = None) -> ModelSpec:
    """5: a Keras model with a Conv2D layer that outputs the classes'
    probabilities, within a parameter budget."""
    v = v or variant()
    return ModelSpec(
        v.model_input,
        (v.classes,),
        max_params=v.budget,
        must_contain=("Conv2D",),
        rules=(softmax_output,),
    )


NUMERIC = (
    params,
    prediction_mb,
    training_mb,
    prediction_mb_16,
    training_mb_16,
    valid_params,
    valid_training_mib,
)
"""The questions whose named slips a variant must keep apart."""
