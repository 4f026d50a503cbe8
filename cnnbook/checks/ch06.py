"""Chapter 6's questions: an inception module with and without bottlenecks, a
projection shortcut, depth against parameters, global average pooling and
where AlexNet keeps its parameters.

The landmark networks are built with :mod:`cnnbook.referee.architectures`
(Keras, weights never initialised) and counted by ``analyze_keras``; single
layers are counted with :mod:`cnnbook.calc`. Keras is imported when the first
question of this chapter is judged.
"""

from __future__ import annotations

import functools

from cnnbook import calc
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.models import ModelSpec, no_bias_in_convolutions
from cnnbook.checks.specs import Mistake, NumberSpec

__all__: list[str] = []

MODULE_4A = (192, 96, 208, 16, 48, 64)
"""GoogLeNet's Table 1 row for module 4a: #1x1, #3x3 reduce, #3x3, #5x5 reduce,
#5x5, pool proj."""
MODULE_INPUT = (14, 14, 480)
UNIT_INPUT, UNIT_FILTERS = (28, 28, 64), 128
"""Question 2: the residual unit from 28 x 28 x 64 to 14 x 14 x 128."""
MAPS, CLASSES = (7, 7, 1024), 1000
"""Question 4: GoogLeNet's last feature maps and its classes."""


@functools.cache
def _module(bottleneck: bool) -> calc.Report:
    """Module 4a, counted layer by layer (names as in the architectures module)."""
    import keras

    from cnnbook.referee import architectures as arch

    def build():
        x = keras.Input(shape=MODULE_INPUT)
        return keras.Model(x, arch.inception_module(x, MODULE_4A, bottleneck))

    return arch.measure(build)[0]


def _params(report: calc.Report, suffix: str) -> int:
    return sum(line.params for line in report.layers if line.name.endswith(suffix))


def _biases(report: calc.Report) -> int:
    return sum(line.output_shape[-1] for line in report.layers if line.kind == "Conv2D")


@question(points=2)
def params_4a() -> NumberSpec:
    """1a: the parameters of inception module 4a."""
    report = _module(True)
    reductions = _params(report, "_3x3_reduce") + _params(report, "_5x5_reduce")
    return NumberSpec(
        report.params,
        mistakes=(
            Mistake(
                report.params - _biases(report),
                "Every convolution has one bias per filter.",
            ),
            Mistake(
                report.params - reductions,
                "The two 1x1 reductions are convolutions too: count their weights "
                "and biases.",
            ),
            Mistake(
                report.params - _params(report, "_pool_proj"),
                "The pool projection after the max pooling is a 1x1 convolution with "
                "parameters of its own.",
            ),
        ),
        hint="Count the four branches; the pooling itself has no parameters.",
        what="the parameter count",
    )


@question()
def params_naive() -> NumberSpec:
    """1b: the parameters of module 4a without its two reductions."""
    naive, reduced = _module(False), _module(True)
    return NumberSpec(
        naive.params,
        mistakes=(
            Mistake(
                reduced.params,
                "That is the module with its reductions (1a); without them the 3x3 "
                "and 5x5 filters read all 480 input maps.",
            ),
            Mistake(
                naive.params - _biases(naive),
                "Every convolution has one bias per filter.",
            ),
        ),
        hint="Each 3x3 or 5x5 filter now has a kernel for each of the 480 input maps.",
        what="the parameter count",
    )


@question()
def ratio() -> NumberSpec:
    """1c: how many times more multiply-adds the module needs without reductions."""
    naive, reduced = _module(False), _module(True)
    return NumberSpec(
        naive.macs / reduced.macs,
        rel_tol=0.01,
        mistakes=(
            Mistake(
                reduced.macs / naive.macs,
                "That is the inverse: divide the module without reductions by the "
                "one with them.",
            ),
        ),
        hint="Divide the module without reductions by the one with them.",
        what="the ratio",
    )


@question()
def branch_saving() -> NumberSpec:
    """1d: by how much the 1x1 reduction cuts the 3x3 branch's weights."""
    naive, reduced = _module(False), _module(True)
    with_reduction = _params(reduced, "_3x3_reduce") + _params(reduced, "_3x3")
    return NumberSpec(
        _params(naive, "_3x3") / with_reduction,
        rel_tol=0.01,
        mistakes=(
            Mistake(
                MODULE_INPUT[-1] / MODULE_4A[1],
                "That is the ratio of input maps to reduced maps. The 1x1 reduction "
                "has weights of its own: add them to the 3x3 convolution's.",
            ),
            Mistake(
                with_reduction / _params(naive, "_3x3"),
                "That is the inverse: divide the branch without reduction by the "
                "branch with it.",
            ),
        ),
        hint="Divide the 3x3 convolution's weights on 480 maps by those of the 1x1 "
        "reduction plus the 3x3 convolution on 96 maps.",
        what="the factor",
    )


@functools.cache
def _unit_params() -> int:
    import keras

    from cnnbook.referee import architectures as arch

    def build():
        x = keras.Input(shape=UNIT_INPUT)
        return keras.Model(x, arch.residual_unit(x, UNIT_FILTERS, strides=2))

    return arch.measure(build)[0].params


def _projection(**change) -> int:
    conv = calc.Conv2D(UNIT_FILTERS, 1, strides=2, padding="same", use_bias=False)
    layers = [conv, calc.BatchNormalization()]
    if "use_bias" in change:
        layers[0] = calc.Conv2D(UNIT_FILTERS, 1, strides=2, padding="same")
    if "center" in change:
        layers[1] = calc.BatchNormalization(**change)
    if change.get("no_norm"):
        layers = layers[:1]
    return calc.analyze(UNIT_INPUT, layers).params


@question(points=3)
def residual_unit() -> ModelSpec:
    """2a: a residual unit with a projection shortcut, 28 x 28 x 64 to 14 x 14 x
    128."""
    norm = calc.analyze((1, 1, UNIT_FILTERS), [calc.BatchNormalization()]).params
    expected = _unit_params()
    conv1x1 = _projection(no_norm=True)
    return ModelSpec(
        UNIT_INPUT,
        (UNIT_INPUT[0] // 2, UNIT_INPUT[1] // 2, UNIT_FILTERS),
        must_contain=("Conv2D", "BatchNormalization", "Add"),
        rules=(no_bias_in_convolutions,),
        params=NumberSpec(
            expected,
            mistakes=(
                Mistake(
                    expected - norm,
                    "One batch norm is missing: the question has one after each of "
                    "the three convolutions.",
                ),
                Mistake(
                    expected + 8 * conv1x1,
                    "The projection is a 1x1 convolution, not a 3x3 one.",
                ),
            ),
            hint="Compare each layer with the question: two 3x3 convolutions with "
            "128 filters, a 1x1 projection, three batch norms.",
        ),
    )


@question()
def projection() -> NumberSpec:
    """2b: the parameters the projection (1x1 convolution and batch norm) adds."""
    return NumberSpec(
        _projection(),
        mistakes=(
            Mistake(
                _projection(no_norm=True),
                "The batch norm after the projection has parameters too.",
            ),
            Mistake(
                _projection(center=False, scale=False),
                "Keras also counts batch norm's gamma and beta: 4 values per channel "
                "with the moving mean and variance.",
            ),
            Mistake(_projection(use_bias=True), "The convolution has no bias here."),
        ),
        hint="A 1x1 convolution from 64 to 128 maps, plus batch norm's values per "
        "channel.",
        what="the parameter count",
    )


@functools.cache
def _resnet(depth: int) -> calc.Report:
    from cnnbook.referee import architectures as arch

    return arch.measure(arch.resnet, depth)[0]


@question()
def more_millions() -> NumberSpec:
    """3a: how many more parameters ResNet-50 has than ResNet-34, in millions."""
    r34, r50 = _resnet(34), _resnet(50)
    return NumberSpec(
        (r50.params - r34.params) / 1e6,
        rel_tol=0.02,
        mistakes=(
            Mistake(
                r50.params / 1e6,
                "That is ResNet-50's total; subtract ResNet-34's parameters.",
            ),
            Mistake(
                (r34.params - r50.params) / 1e6,
                "Subtract ResNet-34's parameters from ResNet-50's, not the other way "
                "round.",
            ),
        ),
        hint="Subtract ResNet-34's parameters from ResNet-50's, then divide by a "
        "million.",
        what="the difference in millions",
    )


@question()
def why() -> ChoiceSpec:
    """3b: why ResNet-50 has so few extra parameters for its depth."""
    dense = {_resnet(d).layers[-1].output_shape[-1] for d in (34, 50)}
    return ChoiceSpec(
        "a",
        "abcd",
        {
            "b": f"Both networks end in one dense layer of {max(dense):,} units.",
            "c": "True for both networks, so it cannot explain a difference.",
            "d": "Both networks have batch norm after every convolution.",
        },
    )


@question()
def flatten_dense() -> NumberSpec:
    """4a: a dense layer of 1,000 units on the flattened 7 x 7 x 1024 maps."""
    report = calc.analyze(MAPS, [calc.Flatten(), calc.Dense(CLASSES)])
    no_bias = calc.analyze(MAPS, [calc.Flatten(), calc.Dense(CLASSES, use_bias=False)])
    return NumberSpec(
        report.params,
        mistakes=(Mistake(no_bias.params, "Each unit has a bias too."),),
        hint="One weight per flattened value and unit, plus one bias per unit.",
        what="the parameter count",
    )


@question()
def gap_dense() -> NumberSpec:
    """4b: the same dense layer after global average pooling."""
    layers = [calc.GlobalAveragePooling2D(), calc.Dense(CLASSES)]
    flat = calc.analyze(MAPS, [calc.Flatten(), calc.Dense(CLASSES)])
    no_bias = calc.analyze(
        MAPS, [calc.GlobalAveragePooling2D(), calc.Dense(CLASSES, use_bias=False)]
    )
    return NumberSpec(
        calc.analyze(MAPS, layers).params,
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


ALEXNET_OPTIONS = {"a": "conv1", "b": "conv2", "c": "fc6", "d": "fc8"}
"""Question 5's options: the AlexNet layer each one names."""


@question()
def largest() -> ChoiceSpec:
    """5: which AlexNet layer has the most parameters."""
    from cnnbook.referee import architectures as arch

    report = arch.measure(arch.alexnet)[0]
    lines = {line.name: line for line in report.layers}
    params = {label: lines[name].params for label, name in ALEXNET_OPTIONS.items()}
    most = max(params, key=params.get)
    return ChoiceSpec(
        most,
        "abcd",
        {
            "a": "Layer conv1 has large kernels but only 3 input channels: "
            f"{params['a']:,} parameters.",
            "b": f"Layer conv2 has {params['b']:,} parameters; compare a dense layer "
            "that reads every value of the last maps.",
            "d": f"Layer fc8 has {params['d'] / 1e6:.1f} million; compare 6 x 6 x 256 "
            "x 4,096.",
        },
    )
