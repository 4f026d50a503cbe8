"""Chapter 7's questions: receptive fields and jumps, stacked and dilated
kernels, separable convolutions, SE blocks and compound scaling.

Each question is declared once with :func:`cnnbook.checks.bank.question` on the
bank's specs; the expected values come from :mod:`cnnbook.calc` and
:mod:`cnnbook.papers`, and the usual slips are recognised and named without
giving the answer. The notebook's check cells pass only the student's
variable: ``checks.ch07.field(field)``. Keras is imported only when the
separable unit (question 7) is judged.
"""

from __future__ import annotations

from cnnbook import calc
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.models import ModelSpec, depthwise_then_pointwise
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.papers import MODERN_CLAIMS

__all__: list[str] = []

# Question 1's stack on a 64 x 64 grey image: what each layer is
STACK = (
    calc.Conv2D(8, 5, padding="same"),
    calc.MaxPooling2D(2),
    calc.Conv2D(16, 3, padding="same"),
    calc.Conv2D(16, 3, strides=2, padding="same"),
    calc.Conv2D(32, 3, padding="same", dilation_rate=2),
)


def _stack_field() -> calc.ReceptiveField:
    return calc.analyze((64, 64, 1), STACK).layers[-1].receptive_field


def _geometry() -> list[tuple[int, int, int]]:
    """(kernel, stride, dilation) of each layer of :data:`STACK`."""
    out = []
    for layer in STACK:
        kernel = getattr(layer, "kernel_size", getattr(layer, "pool_size", (1, 1)))
        dilation = getattr(layer, "dilation_rate", (1, 1))
        out.append((kernel[0], layer.strides[0], dilation[0]))
    return out


def _slipped_field(
    after: bool = False, jumps: bool = True, dilation: bool = True, pool: bool = True
) -> int:
    """The field by a slipped recursion: the jump *after* the layer, no jump at
    all, no dilation, or the pooling left out."""
    size, step = 1, 1
    for (k, s, d), layer in zip(_geometry(), STACK, strict=True):
        if not pool and isinstance(layer, calc.MaxPooling2D):
            continue
        d = d if dilation else 1
        if after:
            step *= s
        size += (k - 1) * d * (step if jumps else 1)
        if not after:
            step *= s
    return size


# --------------------------------------------------------------------------- questions
@question(points=2)
def field() -> NumberSpec:
    """1a: the receptive field (pixels) of the last layer of the stack."""
    return NumberSpec(
        _stack_field().size[0],
        what="the receptive field",
        mistakes=(
            Mistake(
                _slipped_field(jumps=False),
                "Each layer widens the field by (k - 1) x d times the jump of its "
                "input: after a stride or a pooling, one step of the kernel moves "
                "several pixels.",
            ),
            Mistake(
                _slipped_field(after=True),
                "Use the jump before the layer (its input's), not after: a layer's "
                "own stride only spaces its outputs.",
            ),
            Mistake(
                _slipped_field(dilation=False),
                "The last layer is dilated: its taps are 2 units apart, so it spans "
                "(3 - 1) x 2 + 1 units of its input.",
            ),
            Mistake(
                _slipped_field(pool=False),
                "The max pooling is a layer of the stack too: its 2x2 window widens "
                "the field and its stride doubles the jump.",
            ),
        ),
        hint="Start from 1 pixel and a jump of 1; per layer add (k - 1) x d x jump, "
        "then multiply the jump by the stride.",
    )


@question()
def jump() -> NumberSpec:
    """1b: the jump (effective stride, pixels) of the last layer."""
    expected = _stack_field().jump[0]
    return NumberSpec(
        expected,
        what="the jump",
        mistakes=(
            Mistake(
                expected * 2,
                "Dilation spreads a kernel's taps but does not skip outputs: it "
                "leaves the jump as it is.",
            ),
            Mistake(
                expected // 2,
                "The max pooling has a stride of 2 too (its pool size, by default).",
            ),
            Mistake(
                1,
                "The jump stays 1 only while every stride is 1: the pooling and the "
                "strided convolution each multiply it.",
            ),
        ),
        hint="Multiply the strides of all layers, pooling included.",
    )


@question()
def stack_layers() -> NumberSpec:
    """2a: how many stacked 3x3 convolutions see as much as one 9x9."""
    return NumberSpec(
        (9 - 1) // (3 - 1),
        what="the number of layers",
        mistakes=(
            Mistake(
                3,
                "Three 3x3 layers see 7 x 7 pixels: the first sees 3 and each later "
                "one adds 2.",
            ),
            Mistake(8, "Each 3x3 layer (stride 1) adds 2 pixels to the field, not 1."),
            Mistake(
                9,
                "A stack does not tile the 9x9 window with 3x3 patches: each 3x3 "
                "layer widens the field by 2 pixels.",
            ),
        ),
        hint="One 3x3 layer sees 3 pixels; each further one (stride 1) adds 2.",
    )


def _stack_weights(kernel: int, layers: int, maps: int = 64) -> int:
    conv = calc.Conv2D(maps, kernel, padding="same", use_bias=False)
    return calc.analyze((32, 32, maps), [conv] * layers).params


@question()
def stack_saving() -> NumberSpec:
    """2b: how many times more weights one 9x9 has than the 3x3 stack."""
    single, layers = _stack_weights(9, 1), int(stack_layers.spec().expected)
    return NumberSpec(
        single / _stack_weights(3, layers),
        rel_tol=0.01,
        what="the ratio",
        mistakes=(
            Mistake(
                single / _stack_weights(3, layers - 1),
                "That compares with three 3x3 layers; they see only 7 x 7 pixels.",
            ),
            Mistake(
                _stack_weights(3, layers) / single,
                "That is the stack over the single kernel: invert it.",
            ),
            Mistake(
                single / _stack_weights(3, 1),
                "The stack has one 3x3 kernel per layer, and several layers.",
            ),
        ),
        hint="Each layer has 3 x 3 x C x C weights; the single one 9 x 9 x C x C.",
    )


SEPARABLE_INPUT, SEPARABLE_FILTERS = (28, 28, 128), 256
"""Question 3: the separable convolution from 28 x 28 x 128 to 256 maps."""


def _macs(*layers: calc.Layer) -> int:
    return calc.analyze(SEPARABLE_INPUT, list(layers)).macs


def _full_macs() -> int:
    return _macs(calc.Conv2D(SEPARABLE_FILTERS, 3, padding="same", use_bias=False))


@question(points=2)
def separable_macs() -> NumberSpec:
    """3a: the multiply-adds of a 3x3 separable convolution, 28x28x128 to 256."""
    c_in = SEPARABLE_INPUT[-1]
    depthwise = calc.DepthwiseConv2D(3, padding="same", use_bias=False)
    pointwise = calc.Conv2D(SEPARABLE_FILTERS, 1, use_bias=False)
    wide = calc.DepthwiseConv2D(
        3, padding="same", depth_multiplier=SEPARABLE_FILTERS // c_in, use_bias=False
    )
    return NumberSpec(
        _macs(
            calc.SeparableConv2D(SEPARABLE_FILTERS, 3, padding="same", use_bias=False)
        ),
        what="the multiply-adds",
        mistakes=(
            Mistake(
                _full_macs(),
                "That is a full 3x3 convolution: every output map reads every input "
                "map through its own 3x3 kernel.",
            ),
            Mistake(
                _macs(depthwise),
                "That is only the depthwise step; add the 1x1 pointwise convolution "
                "from 128 to 256 maps.",
            ),
            Mistake(
                _macs(pointwise),
                "That is only the pointwise step; add the depthwise 3x3 filtering of "
                "each of the 128 maps.",
            ),
            Mistake(
                _macs(wide) + _macs(pointwise),
                "The depthwise step filters the 128 input maps, before the 1x1 "
                "convolution makes 256.",
            ),
        ),
        hint="Per output position: 3 x 3 x C_in for the depthwise step plus C_in x "
        "C_out for the pointwise one.",
    )


@question()
def separable_ratio() -> NumberSpec:
    """3b: the separable convolution's multiply-adds over the full one's."""
    separable, full = separable_macs.spec().expected, _full_macs()
    return NumberSpec(
        separable / full,
        rel_tol=0.01,
        what="the ratio",
        mistakes=(
            Mistake(
                1 / 9, "That is the limit for very many output maps; add 1 / C_out."
            ),
            Mistake(1 / SEPARABLE_FILTERS, "Add the depthwise part, 1 / k^2."),
            Mistake(full / separable, "That is full over separable: invert it."),
        ),
        hint="Divide your answer to 3a by the full convolution's multiply-adds.",
    )


@question()
def no_holes() -> ChoiceSpec:
    """4: which dilations let a unit see every pixel of its field."""
    return ChoiceSpec(
        "b",
        "abcd",
        {
            "a": "With dilations 2, 2, 2 every tap lands on an even offset: the odd "
            "rows and columns never reach the unit (the gridding problem).",
            "c": "Dilations 1, 1, 1 do see every pixel, but of a 7 x 7 field, not "
            "13 x 13.",
            "d": "Dilations 4, 4, 4 give a 25 x 25 field with holes: a common "
            "factor of the dilations leaves a grid.",
        },
    )


@question(points=2)
def se_params() -> NumberSpec:
    """5: the parameters of an SE block with r = 16 on 1,024 maps."""
    channels, ratio = 1024, MODERN_CLAIMS["se_ratio"][0]
    squeezed = channels // ratio
    weights = 2 * channels * squeezed
    return NumberSpec(
        weights + squeezed + channels,
        what="the parameter count",
        mistakes=(
            Mistake(weights, "Both dense layers have biases: C / r and C of them."),
            Mistake(
                channels * squeezed + squeezed,
                "There are two dense layers: C to C / r, then C / r back to C.",
            ),
            Mistake(
                2 * channels * channels + 2 * channels,
                "The first dense layer squeezes the C averages to C / r units.",
            ),
            Mistake(
                weights + squeezed + channels + 4 * channels,
                "The SE block has no batch norm: pooling, two dense layers and a "
                "multiplication.",
            ),
        ),
        hint="Global average pooling and the multiplication have no parameters.",
    )


@question()
def compound_factor() -> NumberSpec:
    """6: by how much phi = 2 multiplies the FLOPs, by Eq. 3."""
    alpha, beta, gamma = (
        MODERN_CLAIMS[f"efficientnet_{x}"][0] for x in ("alpha", "beta", "gamma")
    )
    step = alpha * beta**2 * gamma**2
    return NumberSpec(
        step**2,
        rel_tol=0.005,
        what="the factor",
        mistakes=(
            Mistake(
                4,
                "The paper rounds each step to a factor of 2; the question asks for "
                "the equation's value with alpha, beta and gamma.",
            ),
            Mistake(step, "That is one step (phi = 1); phi = 2 is two steps."),
            Mistake(
                2 * step,
                "Two steps multiply the FLOPs twice by the step's factor: square it "
                "rather than double it.",
            ),
            Mistake(
                (alpha * beta * gamma) ** 2,
                "Width and resolution count twice: FLOPs grow with d x w^2 x r^2.",
            ),
        ),
        hint="FLOPs grow with d x w^2 x r^2, and d, w, r are alpha^phi, beta^phi, "
        "gamma^phi.",
    )


UNIT_INPUT, UNIT_FILTERS = (32, 32, 64), 128
"""Question 7: MobileNet's unit from 32 x 32 x 64 to 32 x 32 x 128."""


def _unit_params(
    depthwise_norm: bool = True,
    pointwise_norm: bool = True,
    depthwise_bias: bool = False,
    pointwise_bias: bool = False,
) -> int:
    """The unit's parameters, counted by calc; the arguments make its slips."""
    layers = [calc.DepthwiseConv2D(3, padding="same", use_bias=depthwise_bias)]
    layers += [calc.BatchNormalization(), calc.ReLU()] if depthwise_norm else []
    layers += [calc.Conv2D(UNIT_FILTERS, 1, use_bias=pointwise_bias)]
    layers += [calc.BatchNormalization(), calc.ReLU()] if pointwise_norm else []
    return calc.analyze(UNIT_INPUT, layers).params


@question(points=3)
def separable_unit() -> ModelSpec:
    """7: a MobileNet unit from 32x32x64 to 32x32x128 with 9,536 parameters."""
    return ModelSpec(
        UNIT_INPUT,
        (*UNIT_INPUT[:2], UNIT_FILTERS),
        must_contain=("BatchNormalization",),
        rules=(depthwise_then_pointwise,),
        params=NumberSpec(
            _unit_params(),
            what="the parameter count",
            mistakes=(
                Mistake(
                    _unit_params(depthwise_bias=True, pointwise_bias=True),
                    "The convolutions have biases: pass use_bias=False to both "
                    "(batch norm's shift does their work).",
                ),
                Mistake(
                    _unit_params(depthwise_bias=True),
                    "The DepthwiseConv2D has a bias per map: pass use_bias=False to "
                    "it too.",
                ),
                Mistake(
                    _unit_params(pointwise_bias=True),
                    "The 1x1 Conv2D has a bias per filter: pass use_bias=False to it "
                    "too.",
                ),
                Mistake(
                    _unit_params(depthwise_norm=False),
                    "Put a batch norm (and ReLU) after the depthwise convolution "
                    "too, as MobileNet does.",
                ),
                Mistake(
                    _unit_params(pointwise_norm=False),
                    "Put a batch norm (and ReLU) after the 1x1 convolution too, as "
                    "MobileNet does.",
                ),
            ),
            hint="Count the depthwise kernels (3 x 3 per input map), the 1x1 "
            "kernels, and four values per channel for each batch norm; the "
            "convolutions have no biases.",
        ),
    )


@question()
def innovation() -> ChoiceSpec:
    """8: which statement about the networks after ResNet is right."""
    return ChoiceSpec(
        "b",
        "abcd",
        {
            "a": "Chollet found Xception works best with no non-linearity between "
            "the depthwise and the pointwise step.",
            "c": "An SE block's dense layers work on one average per map: their "
            "multiply-adds do not depend on the height and width.",
            "d": "A dilated kernel keeps its weights; it only spreads them out.",
        },
    )
