"""Chapter 7's questions: receptive fields and jumps, stacked and dilated
kernels, separable convolutions, SE blocks and compound scaling.

Each student gets their own stack, kernels, separable convolution, SE block,
scaling constants and unit (:func:`variant`); the default differs from the
chapter's examples (EfficientNet's own alpha, beta, gamma at phi = 2, whose
factor the chapter prints). Expected values come from :mod:`cnnbook.calc`;
the usual slips are recognised and named without giving the answer or a
number of it. The notebook's check cells pass only the student's variable:
``checks.ch07.field(field)``. Keras is imported only when the separable unit
(question 7) is judged.
"""

from __future__ import annotations

from cnnbook import calc
from cnnbook.checks import variants
from cnnbook.checks.apart import clashes
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.models import (
    ModelSpec,
    depthwise_then_pointwise,
    relu_after_each,
)
from cnnbook.checks.modern import (
    DEFAULT,
    PAPER,
    Modern,
    draw,
    field_of,
    full_macs,
    layers_needed,
    macs_of,
    slipped_field,
    stack_weights,
    unit_params,
)
from cnnbook.checks.specs import Mistake, NumberSpec

__all__ = ["Modern", "variant"]


def _valid(v: Modern) -> bool:
    if (v.scaling, v.phi) == (PAPER, 2):
        return False
    return not any(clashes(q._make_spec(v)) for q in NUMERIC)


def variant() -> Modern:
    """The numbers of the student in force (:mod:`cnnbook.checks.variants`)."""
    return variants.draw("ch07", draw, DEFAULT, _valid)


# --------------------------------------------------------------------------- question 1
@question(points=2)
def field(v: Modern | None = None) -> NumberSpec:
    """1a: the receptive field (pixels) of the last layer of the stack."""
    v = v or variant()
    return NumberSpec(
        field_of(v).size[0],
        what="the receptive field",
        mistakes=(
            Mistake(
                slipped_field(v, jumps=False),
                "Each layer widens the field by (k - 1) x d times the jump of its "
                "input: after a stride or a pooling, one step of the kernel moves "
                "several pixels.",
            ),
            Mistake(
                slipped_field(v, after=True),
                "Use the jump before the layer (its input's), not after: a layer's "
                "own stride only spaces its outputs.",
            ),
            Mistake(
                slipped_field(v, dilation=False),
                "The last layer is dilated: its taps are d units apart, so it spans "
                "(k - 1) x d + 1 units of its input.",
            ),
            Mistake(
                slipped_field(v, pool=False),
                "The max pooling is a layer of the stack too: its window widens the "
                "field and its stride multiplies the jump.",
            ),
        ),
        hint="Start from 1 pixel and a jump of 1; per layer add (k - 1) x d x jump, "
        "then multiply the jump by the stride.",
    )


@question()
def jump(v: Modern | None = None) -> NumberSpec:
    """1b: the jump (effective stride, pixels) of the last layer."""
    v = v or variant()
    expected = field_of(v).jump[0]
    return NumberSpec(
        expected,
        what="the jump",
        mistakes=(
            Mistake(
                expected * v.dilation,
                "Dilation spreads a kernel's taps but does not skip outputs: it "
                "leaves the jump as it is.",
            ),
            Mistake(
                expected // v.pool,
                "The max pooling has a stride too (its pool size, by default).",
            ),
            Mistake(
                1,
                "The jump stays 1 only while every stride is 1: the pooling and the "
                "strided convolution each multiply it.",
            ),
        ),
        hint="Multiply the strides of all layers, pooling included.",
    )


# --------------------------------------------------------------------------- question 2
@question()
def stack_layers(v: Modern | None = None) -> NumberSpec:
    """2a: how many stacked small convolutions see as much as one large one."""
    v = v or variant()
    needed = layers_needed(v)
    mistakes = [
        Mistake(
            needed - 1,
            "That stack falls short of the large kernel: the first layer sees k "
            "pixels and each later one (stride 1) adds k - 1.",
        ),
        Mistake(v.large - 1, "Each layer (stride 1) adds k - 1 pixels, not 1."),
    ]
    if v.large % v.small == 0:
        mistakes.append(
            Mistake(
                (v.large // v.small) ** 2,
                "A stack does not tile the large window with small patches: each "
                "layer widens the field by k - 1 pixels.",
            )
        )
    return NumberSpec(
        needed,
        what="the number of layers",
        mistakes=tuple(mistakes),
        hint="One small layer sees k pixels; each further one (stride 1) adds k - 1.",
    )


@question()
def stack_saving(v: Modern | None = None) -> NumberSpec:
    """2b: how many times more weights the large kernel has than the stack."""
    v = v or variant()
    single, layers = stack_weights(v.large, 1), layers_needed(v)
    return NumberSpec(
        single / stack_weights(v.small, layers),
        rel_tol=0.01,
        what="the ratio",
        mistakes=(
            Mistake(
                single / stack_weights(v.small, layers - 1),
                "That compares with one layer fewer, whose field falls short.",
            ),
            Mistake(
                stack_weights(v.small, layers) / single,
                "That is the stack over the single kernel: invert it.",
            ),
            Mistake(
                single / stack_weights(v.small, 1),
                "The stack has one small kernel per layer, and several layers.",
            ),
        ),
        hint="Each layer has k x k x C x C weights; the single one K x K x C x C.",
    )


# --------------------------------------------------------------------------- question 3
@question(points=2)
def separable_macs(v: Modern | None = None) -> NumberSpec:
    """3a: the multiply-adds of the separable convolution for one image."""
    v = v or variant()
    k, c_in, c_out = v.separable_kernel, v.separable_input[-1], v.separable_filters
    depthwise = calc.DepthwiseConv2D(k, padding="same", use_bias=False)
    pointwise = calc.Conv2D(c_out, 1, use_bias=False)
    mistakes = [
        Mistake(
            full_macs(v),
            "That is a full convolution: every output map reads every input map "
            "through its own kernel.",
        ),
        Mistake(
            macs_of(v, depthwise),
            "That is only the depthwise step; add the 1x1 pointwise convolution to "
            "the output maps.",
        ),
        Mistake(
            macs_of(v, pointwise),
            "That is only the pointwise step; add the depthwise filtering of each "
            "input map.",
        ),
    ]
    if c_out != c_in and c_out % c_in == 0:
        wide = calc.DepthwiseConv2D(
            k, padding="same", depth_multiplier=c_out // c_in, use_bias=False
        )
        mistakes.append(
            Mistake(
                macs_of(v, wide) + macs_of(v, pointwise),
                "The depthwise step filters the input maps, before the 1x1 "
                "convolution makes the output maps.",
            )
        )
    separable = calc.SeparableConv2D(c_out, k, padding="same", use_bias=False)
    return NumberSpec(
        macs_of(v, separable),
        what="the multiply-adds",
        mistakes=tuple(mistakes),
        hint="Per output position: k x k x C_in for the depthwise step plus C_in x "
        "C_out for the pointwise one.",
    )


@question()
def separable_ratio(v: Modern | None = None) -> NumberSpec:
    """3b: the separable convolution's multiply-adds over the full one's."""
    v = v or variant()
    separable, full = separable_macs._make_spec(v).expected, full_macs(v)
    return NumberSpec(
        separable / full,
        rel_tol=0.01,
        what="the ratio",
        mistakes=(
            Mistake(
                1 / v.separable_kernel**2,
                "That is the limit for very many output maps; add 1 / C_out.",
            ),
            Mistake(1 / v.separable_filters, "Add the depthwise part, 1 / k^2."),
            Mistake(full / separable, "That is full over separable: invert it."),
        ),
        hint="Divide your answer to 3a by the full convolution's multiply-adds.",
    )


@question()
def no_holes(v: Modern | None = None) -> ChoiceSpec:
    """4: which dilations let a unit see every pixel of its field."""
    return (v or variant())._choice_spec("no_holes")


# --------------------------------------------------------------------------- 5 to 8
@question(points=2)
def se_params(v: Modern | None = None) -> NumberSpec:
    """5: the parameters of the SE block."""
    v = v or variant()
    channels, squeezed = v.se_channels, v.se_channels // v.se_ratio
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
def compound_factor(v: Modern | None = None) -> NumberSpec:
    """6: by how much phi multiplies the FLOPs, by Eq. 3."""
    v = v or variant()
    alpha, beta, gamma = v.scaling
    step = alpha * beta**2 * gamma**2
    return NumberSpec(
        step**v.phi,
        rel_tol=0.005,
        what="the factor",
        mistakes=(
            Mistake(
                2**v.phi,
                "The paper's constraint makes each step about 2; the question asks "
                "for the equation's value with your alpha, beta and gamma.",
            ),
            Mistake(step, "That is one step (phi = 1); your phi is more steps."),
            Mistake(
                v.phi * step,
                "Each step multiplies the FLOPs by the step's factor: raise it to "
                "the power phi rather than multiply by phi.",
            ),
            Mistake(
                (alpha * beta * gamma) ** v.phi,
                "Width and resolution count twice: FLOPs grow with d x w^2 x r^2.",
            ),
        ),
        hint="FLOPs grow with d x w^2 x r^2, and d, w, r are alpha^phi, beta^phi, "
        "gamma^phi.",
    )


@question(points=3)
def separable_unit(v: Modern | None = None) -> ModelSpec:
    """7: a MobileNet unit with the parameter count the question gives."""
    v = v or variant()
    return ModelSpec(
        v.unit_input,
        (*v.unit_input[:2], v.unit_filters),
        must_contain=("BatchNormalization",),
        rules=(depthwise_then_pointwise,),
        activations=(relu_after_each(("DepthwiseConv2D", "Conv2D")),),
        params=NumberSpec(
            unit_params(v),
            what="the parameter count",
            mistakes=(
                Mistake(
                    unit_params(v, depthwise_bias=True, pointwise_bias=True),
                    "The convolutions have biases: pass use_bias=False to both "
                    "(batch norm's shift does their work).",
                ),
                Mistake(
                    unit_params(v, depthwise_bias=True),
                    "The DepthwiseConv2D has a bias per map: pass use_bias=False to "
                    "it too.",
                ),
                Mistake(
                    unit_params(v, pointwise_bias=True),
                    "The 1x1 Conv2D has a bias per filter: pass use_bias=False to it "
                    "too.",
                ),
                Mistake(
                    unit_params(v, depthwise_norm=False),
                    "Put a batch norm (and ReLU) after the depthwise convolution "
                    "too, as MobileNet does.",
                ),
                Mistake(
                    unit_params(v, pointwise_norm=False),
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
def innovation(v: Modern | None = None) -> ChoiceSpec:
    """8: which statement about the networks after ResNet is right."""
    return (v or variant())._choice_spec("innovation")


NUMERIC = (
    field,
    jump,
    stack_layers,
    stack_saving,
    separable_macs,
    separable_ratio,
    se_params,
    compound_factor,
)
"""The questions whose named slips a variant must keep apart."""
