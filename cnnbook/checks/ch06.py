"""Chapter 6's questions: an inception module with and without bottlenecks, a
projection shortcut, depth against parameters, global average pooling and
where AlexNet keeps its parameters.

Each student gets their own inception module (not a row of GoogLeNet's Table
1, which the chapter prints), residual unit, number of classes and last
feature maps (:func:`variant`); the default differs from the chapter's
GoogLeNet head (7 x 7 x 1024 to 1,000 classes). Modules and single layers are
counted with :mod:`cnnbook.calc` (the tests hold them against Keras); the
ResNets are built with :mod:`cnnbook.referee.architectures` (Keras, imported
when question 3a is first judged) once, for 1,000 classes, and their dense
layer recounted for the student's classes.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from cnnbook import calc
from cnnbook.checks import variants
from cnnbook.checks.apart import clashes
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec, Options
from cnnbook.checks.models import (
    ModelSpec,
    at_least_relus,
    no_bias_in_convolutions,
    relu_after,
)
from cnnbook.checks.specs import Mistake, NumberSpec

__all__ = ["Networks", "variant"]

WHY = Options(
    (
        "its units are bottlenecks: a 1x1 convolution shrinks the maps before the 3x3",
        "it has no dense layers",
        "its shortcuts have no parameters",
        "batch normalisation replaces some convolutions",
    ),
    right=0,
    hints={
        1: "Both networks end in one dense layer, from their pooled maps to the "
        "classes.",
        2: "True for both networks, so it cannot explain a difference.",
        3: "Both networks have batch norm after every convolution.",
    },
)
LARGEST = Options(
    (
        "conv1, 96 filters of 11 x 11 x 3",
        "conv2, 256 filters of 5 x 5 x 96",
        "fc6, 4,096 units reading the flattened 6 x 6 x 256 maps",
        "fc8, 1,000 units reading 4,096",
    ),
    right=2,
    hints={
        0: "Layer conv1 has large kernels but only 3 input channels: count its "
        "weights.",
        1: "Count conv2's weights and compare a dense layer that reads every value "
        "of the last maps.",
        3: "Count fc8's weights and compare the dense layer that reads the "
        "flattened maps.",
    },
)
"""Question 5 (checked against Keras' AlexNet in the tests)."""


@dataclass(frozen=True, repr=False)
class Networks(variants.Variant):
    """One student's module (question 1), unit (2), classes (3) and head (4)."""

    module_input: tuple[int, int, int]
    module: tuple[int, int, int, int, int, int]
    unit_input: tuple[int, int, int]
    unit_filters: int
    classes: int
    maps: tuple[int, int, int]
    head_classes: int

    CHOICES = {"why": WHY, "largest": LARGEST}

    @property
    def unit_output(self) -> tuple[int, int, int]:
        side = -(-self.unit_input[0] // 2)
        return (side, side, self.unit_filters)

    def lines(self) -> list[str]:
        f1, r3, f3, r5, f5, fp = self.module
        side, _, channels = self.module_input
        return [
            f"module_input = {self.module_input}, module = {self.module}: an "
            f"inception module on {side} x {side} x {channels} maps with {f1} 1x1 "
            f"filters; {r3} 1x1 filters that reduce the input of {f3} 3x3 filters; "
            f"{r5} 1x1 filters that reduce the input of {f5} 5x5 filters; and a 3x3 "
            f"max pooling (stride 1, SAME) followed by {fp} 1x1 filters",
            f"unit_input = {self.unit_input}, unit_filters = {self.unit_filters}: "
            f"question 2's residual unit, to {self.unit_output}",
            f"classes = {self.classes}: the classes ResNet-34 and ResNet-50 predict "
            "in question 3",
            f"maps = {self.maps}, head_classes = {self.head_classes}: question 4's "
            "last feature maps and classes",
        ]


DEFAULT = Networks(
    (28, 28, 320),
    (128, 112, 224, 24, 64, 96),
    (14, 14, 96),
    192,
    200,
    (6, 6, 1536),
    365,
)
"""What Binder, Colab and the published solutions show: not the chapter's."""


def _draw(generator: random.Random) -> Networks:
    unit_channels = generator.choice((24, 32, 40, 48, 64, 80, 96, 112, 128, 160))
    return Networks(
        (generator.choice((7, 14, 28)),) * 2
        + (generator.choice((192, 256, 320, 384, 480, 512, 528, 640, 832)),),
        (
            generator.randrange(64, 400, 16),
            generator.randrange(64, 208, 16),
            generator.randrange(96, 400, 16),
            generator.choice((16, 24, 32, 48)),
            generator.choice((32, 48, 64, 96, 128)),
            generator.choice((32, 64, 128)),
        ),
        (generator.choice((14, 28, 56)),) * 2 + (unit_channels,),
        generator.choice((2 * unit_channels, unit_channels * 3 // 2, unit_channels)),
        generator.choice((10, 100, 200, 365, 500)),
        (generator.randint(4, 10),) * 2 + (generator.randrange(256, 2176, 128),),
        generator.choice((10, 100, 200, 365, 500, 1000)),
        orders=variants.shuffled(generator, Networks.CHOICES),
    )


def _valid(v: Networks) -> bool:
    if (v.maps[-1], v.head_classes) == (1024, 1000):
        return False  # GoogLeNet's head: the chapter prints its counts
    return not any(clashes(q._make_spec(v)) for q in NUMERIC)


def variant() -> Networks:
    """The numbers of the student in force (:mod:`cnnbook.checks.variants`)."""
    return variants.draw("ch06", _draw, DEFAULT, _valid)


# --------------------------------------------------------------------------- counts
def _conv(v: Networks, filters: int, kernel: int, channels: int) -> calc.LayerReport:
    """One convolution of the module (SAME, biases) on ``channels`` maps."""
    shape = (*v.module_input[:2], channels)
    return calc.analyze(shape, [calc.Conv2D(filters, kernel, padding="same")]).layers[0]


def _branches(v: Networks, bottleneck: bool) -> dict[str, calc.LayerReport]:
    """The module's convolutions by name (as in the architectures module)."""
    f1, r3, f3, r5, f5, fp = v.module
    c = v.module_input[-1]
    convs = {"1x1": _conv(v, f1, 1, c), "pool_proj": _conv(v, fp, 1, c)}
    if bottleneck:
        convs["3x3_reduce"] = _conv(v, r3, 1, c)
        convs["5x5_reduce"] = _conv(v, r5, 1, c)
    convs["3x3"] = _conv(v, f3, 3, r3 if bottleneck else c)
    convs["5x5"] = _conv(v, f5, 5, r5 if bottleneck else c)
    return convs


def _total(convs: dict, *names: str, of: str = "params") -> int:
    return sum(getattr(line, of) for name, line in convs.items() if name in names)


# --------------------------------------------------------------------------- the bank
@question(points=2)
def params_4a(v: Networks | None = None) -> NumberSpec:
    """1a: the parameters of the inception module."""
    v = v or variant()
    convs = _branches(v, True)
    total = _total(convs, *convs)
    biases = sum(line.output_shape[-1] for line in convs.values())
    return NumberSpec(
        total,
        mistakes=(
            Mistake(total - biases, "Every convolution has one bias per filter."),
            Mistake(
                total - _total(convs, "3x3_reduce", "5x5_reduce"),
                "The two 1x1 reductions are convolutions too: count their weights "
                "and biases.",
            ),
            Mistake(
                total - _total(convs, "pool_proj"),
                "The pool projection after the max pooling is a 1x1 convolution with "
                "parameters of its own.",
            ),
        ),
        hint="Count the four branches; the pooling itself has no parameters.",
        what="the parameter count",
    )


@question()
def params_naive(v: Networks | None = None) -> NumberSpec:
    """1b: the parameters of the module without its two reductions."""
    v = v or variant()
    naive, reduced = _branches(v, False), _branches(v, True)
    total = _total(naive, *naive)
    biases = sum(line.output_shape[-1] for line in naive.values())
    return NumberSpec(
        total,
        mistakes=(
            Mistake(
                _total(reduced, *reduced),
                "That is the module with its reductions (1a); without them the 3x3 "
                "and 5x5 filters read every input map.",
            ),
            Mistake(total - biases, "Every convolution has one bias per filter."),
        ),
        hint="Each 3x3 or 5x5 filter now has a kernel for each input map.",
        what="the parameter count",
    )


@question()
def ratio(v: Networks | None = None) -> NumberSpec:
    """1c: how many times more multiply-adds the module needs without reductions."""
    v = v or variant()
    naive, reduced = _branches(v, False), _branches(v, True)
    naive_macs = _total(naive, *naive, of="macs")
    reduced_macs = _total(reduced, *reduced, of="macs")
    return NumberSpec(
        naive_macs / reduced_macs,
        rel_tol=0.01,
        mistakes=(
            Mistake(
                reduced_macs / naive_macs,
                "That is the inverse: divide the module without reductions by the "
                "one with them.",
            ),
        ),
        hint="Divide the module without reductions by the one with them.",
        what="the ratio",
    )


@question()
def branch_saving(v: Networks | None = None) -> NumberSpec:
    """1d: by how much the 1x1 reduction cuts the 3x3 branch's weights."""
    v = v or variant()
    naive, reduced = _branches(v, False), _branches(v, True)
    with_reduction = _total(reduced, "3x3_reduce", "3x3")
    return NumberSpec(
        _total(naive, "3x3") / with_reduction,
        rel_tol=0.01,
        mistakes=(
            Mistake(
                v.module_input[-1] / v.module[1],
                "That is the ratio of input maps to reduced maps. The 1x1 reduction "
                "has weights of its own: add them to the 3x3 convolution's.",
            ),
            Mistake(
                with_reduction / _total(naive, "3x3"),
                "That is the inverse: divide the branch without reduction by the "
                "branch with it.",
            ),
        ),
        hint="Divide the 3x3 convolution's weights on every input map by those of "
        "the 1x1 reduction plus the 3x3 convolution on the reduced maps.",
        what="the factor",
    )


def _unit_layers(v: Networks, **change) -> list[list[calc.Layer]]:
    """The unit's two paths (main, shortcut) as calc stacks; ``change`` makes
    its slips: a 3x3 projection, biases, no batch norm on the shortcut."""
    f = v.unit_filters
    main = [
        calc.Conv2D(f, 3, strides=2, padding="same", use_bias=False),
        calc.BatchNormalization(),
        calc.Conv2D(f, 3, padding="same", use_bias=False),
        calc.BatchNormalization(),
    ]
    kernel = change.get("kernel", 1)
    bias = change.get("use_bias", False)
    shortcut = [calc.Conv2D(f, kernel, strides=2, padding="same", use_bias=bias)]
    if "center" in change:
        shortcut.append(calc.BatchNormalization(center=False, scale=False))
    elif not change.get("no_norm"):
        shortcut.append(calc.BatchNormalization())
    return [main, shortcut]


def _unit_params(v: Networks) -> int:
    return sum(calc.analyze(v.unit_input, path).params for path in _unit_layers(v))


def _projection(v: Networks, **change) -> int:
    return calc.analyze(v.unit_input, _unit_layers(v, **change)[1]).params


@question(points=3)
def residual_unit(v: Networks | None = None) -> ModelSpec:
    """2a: a residual unit with a projection shortcut."""
    v = v or variant()
    norm = 4 * v.unit_filters
    expected = _unit_params(v)
    projection = _projection(v)
    return ModelSpec(
        v.unit_input,
        v.unit_output,
        must_contain=("Conv2D", "BatchNormalization", "Add"),
        rules=(no_bias_in_convolutions,),
        activations=(relu_after("Add"), at_least_relus(2)),
        params=NumberSpec(
            expected,
            mistakes=(
                Mistake(
                    expected - norm,
                    "One batch norm is missing: the question has one after each of "
                    "the three convolutions.",
                ),
                Mistake(
                    expected - projection + _projection(v, kernel=3),
                    "The projection is a 1x1 convolution, not a 3x3 one.",
                ),
            ),
            hint="Compare each layer with the question: two 3x3 convolutions, a 1x1 "
            "projection, three batch norms, no biases.",
        ),
    )


@question()
def projection(v: Networks | None = None) -> NumberSpec:
    """2b: the parameters the projection (1x1 convolution and batch norm) adds."""
    v = v or variant()
    return NumberSpec(
        _projection(v),
        mistakes=(
            Mistake(
                _projection(v, no_norm=True),
                "The batch norm after the projection has parameters too.",
            ),
            Mistake(
                _projection(v, center=False),
                "Keras also counts batch norm's gamma and beta: 4 values per channel "
                "with the moving mean and variance.",
            ),
            Mistake(_projection(v, use_bias=True), "The convolution has no bias here."),
        ),
        hint="A 1x1 convolution from the unit's input maps to its filters, plus "
        "batch norm's values per channel.",
        what="the parameter count",
    )


@functools.cache
def _resnet(depth: int) -> tuple[int, int]:
    """(parameters for 1,000 classes, features the dense layer reads)."""
    from cnnbook.referee import architectures as arch

    report = arch.measure(arch.resnet, depth)[0]
    return report.params, report.layers[-2].output_shape[-1]


def _resnet_params(depth: int, classes: int) -> int:
    params, features = _resnet(depth)
    return params + (features + 1) * (classes - 1000)


@question()
def more_millions(v: Networks | None = None) -> NumberSpec:
    """3a: how many more parameters ResNet-50 has than ResNet-34, in millions."""
    v = v or variant()
    r34, r50 = _resnet_params(34, v.classes), _resnet_params(50, v.classes)
    thousand = _resnet_params(50, 1000) - _resnet_params(34, 1000)
    return NumberSpec(
        (r50 - r34) / 1e6,
        rel_tol=0.005,
        mistakes=(
            Mistake(r50 / 1e6, "That is ResNet-50's total; subtract ResNet-34's."),
            Mistake(
                (r34 - r50) / 1e6,
                "Subtract ResNet-34's parameters from ResNet-50's, not the other way "
                "round.",
            ),
            Mistake(
                thousand / 1e6,
                "That is the difference for 1,000 classes: build both networks for "
                "your number of classes (num_classes).",
            ),
        ),
        hint="Subtract ResNet-34's parameters from ResNet-50's, then divide by a "
        "million.",
        what="the difference in millions",
    )


@question()
def why(v: Networks | None = None) -> ChoiceSpec:
    """3b: why ResNet-50 has so few extra parameters for its depth."""
    return (v or variant())._choice_spec("why")


@question()
def flatten_dense(v: Networks | None = None) -> NumberSpec:
    """4a: a dense layer on the flattened last feature maps."""
    v = v or variant()
    report = calc.analyze(v.maps, [calc.Flatten(), calc.Dense(v.head_classes)])
    no_bias = calc.analyze(
        v.maps, [calc.Flatten(), calc.Dense(v.head_classes, use_bias=False)]
    )
    return NumberSpec(
        report.params,
        mistakes=(Mistake(no_bias.params, "Each unit has a bias too."),),
        hint="One weight per flattened value and unit, plus one bias per unit.",
        what="the parameter count",
    )


@question()
def gap_dense(v: Networks | None = None) -> NumberSpec:
    """4b: the same dense layer after global average pooling."""
    v = v or variant()
    dense = calc.Dense(v.head_classes)
    flat = calc.analyze(v.maps, [calc.Flatten(), dense])
    no_bias = calc.analyze(
        v.maps,
        [calc.GlobalAveragePooling2D(), calc.Dense(v.head_classes, use_bias=False)],
    )
    return NumberSpec(
        calc.analyze(v.maps, [calc.GlobalAveragePooling2D(), dense]).params,
        mistakes=(
            Mistake(
                flat.params,
                "That is the flattened count (4a); global average pooling leaves one "
                "value per map.",
            ),
            Mistake(no_bias.params, "Each unit has a bias too."),
        ),
        hint="Global average pooling leaves one value per map.",
        what="the parameter count",
    )


@question()
def largest(v: Networks | None = None) -> ChoiceSpec:
    """5: which AlexNet layer has the most parameters."""
    return (v or variant())._choice_spec("largest")


NUMERIC = (
    params_4a,
    params_naive,
    ratio,
    branch_saving,
    projection,
    flatten_dense,
    gap_dense,
)
"""The questions whose named slips a variant must keep apart (3a's networks
are built with Keras once; its slips are apart for any number of classes)."""
