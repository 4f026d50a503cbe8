"""Exercise questions for chapter 7: receptive fields, separable convolutions,
SE blocks and compound scaling.

Each question is declared once with :func:`cnnbook.checks.bank.question`; the
expected values come from :mod:`cnnbook.calc` and :mod:`cnnbook.papers`, and
the usual slips are recognised and named without giving the answer. The
notebook's check cells pass only the student's variable:
``checks.ch07.field(field)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from cnnbook import calc
from cnnbook.checks.bank import question
from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.generic import all_layers, choice
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.papers import MODERN_CLAIMS

__all__ = [
    "ChoiceSpec",
    "SeparableUnitSpec",
    "compound_factor",
    "field",
    "innovation",
    "jump",
    "no_holes",
    "se_params",
    "separable_macs",
    "separable_ratio",
    "separable_unit",
    "stack_layers",
    "stack_saving",
]

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


def _slipped_field(after: bool = False, jumps: bool = True, dilation: bool = True):
    """The field by a slipped recursion: the jump *after* the layer, no jump at
    all, or no dilation."""
    size, step = 1, 1
    for k, s, d in _geometry():
        d = d if dilation else 1
        if after:
            step *= s
        size += (k - 1) * d * (step if jumps else 1)
        if not after:
            step *= s
    return size


# --------------------------------------------------------------------------- specs
@dataclass(frozen=True)
class ChoiceSpec:
    """A multiple-choice question: one right option among ``options``, with a
    hint for each wrong option chosen."""

    correct: str
    options: str
    hints: Mapping[str, str] = dataclass_field(default_factory=dict)

    def judge(self, answer: object) -> Feedback:
        """Feedback on the student's letter; never raises."""
        return choice(answer, self.correct, self.options, self.hints)


@dataclass(frozen=True)
class SeparableUnitSpec:
    """A Keras model: a depthwise-separable unit with a shape and an exact
    parameter count, and the parameter counts of the usual slips."""

    input_shape: tuple[int, int, int]
    output_shape: tuple[int, int, int]
    params: int
    mistakes: tuple[Mistake, ...] = ()

    def judge(self, model: object) -> Feedback:
        """Feedback on the student's model; never raises."""
        if is_unanswered(model):
            return unanswered()
        if not all(hasattr(model, a) for a in ("count_params", "layers", "inputs")):
            return wrong(
                "`model` should be a Keras model (keras.Sequential([...]) or "
                f"keras.Model(inputs, outputs)), got {type(model).__name__}."
            )
        try:
            inputs, outputs = list(model.inputs or ()), list(model.outputs or ())
            shapes = [tuple(t.shape)[1:] for t in (*inputs, *outputs)]
            kinds = {type(layer).__name__ for layer in all_layers(model)}
            params = model.count_params()
        except Exception as err:  # the student's model: report, never raise
            return wrong(f"reading your model raised {type(err).__name__}.")
        if len(inputs) != 1 or len(outputs) != 1:
            return wrong(
                "build the unit with one keras.Input and one output (the "
                "functional API or keras.Sequential)."
            )
        for what, got, want in zip(
            ("input", "output"),
            shapes,
            (self.input_shape, self.output_shape),
            strict=True,
        ):
            if got != want:
                return wrong(
                    f"the model's {what} shape is {got}; the question asks for "
                    f"{want} (without the batch axis)."
                )
        if not kinds & {"DepthwiseConv2D", "SeparableConv2D"}:
            return wrong(
                "the unit has no depthwise convolution: a separable unit filters "
                "each map on its own (DepthwiseConv2D) before a 1x1 Conv2D mixes them."
            )
        if params == self.params:
            return right(f"a separable unit with {params:,} parameters.")
        for mistake in self.mistakes:
            if params == mistake.value:
                return wrong(mistake.hint)
        return wrong(
            f"the model has {params:,} parameters, not {self.params:,}. Count the "
            "depthwise kernels, the 1x1 kernels and four values per channel for "
            "each batch norm; the convolutions have no biases."
        )


# --------------------------------------------------------------------------- questions
@question(points=2)
def field() -> NumberSpec:
    """1a: the receptive field (pixels) of the last layer of the stack."""
    return NumberSpec(
        _stack_field().size[0],
        what="the receptive field",
        mistakes=_unique(
            [
                (
                    _slipped_field(jumps=False),
                    "Each layer widens the field by (k - 1) x d times the jump of "
                    "its *input*: after a stride or a pooling, one step of the "
                    "kernel moves several pixels.",
                ),
                (
                    _slipped_field(after=True),
                    "Use the jump before the layer (its input's), not after: a "
                    "layer's own stride only spaces its outputs.",
                ),
                (
                    _slipped_field(dilation=False),
                    "The last layer is dilated: its taps are 2 units apart, so it "
                    "spans (3 - 1) x 2 + 1 units of its input.",
                ),
            ]
        ),
        hint="Start from 1 pixel and jump 1; per layer add (k - 1) x d x jump, "
        "then multiply the jump by the stride.",
    )


@question()
def jump() -> NumberSpec:
    """1b: the jump (effective stride, pixels) of the last layer."""
    return NumberSpec(
        _stack_field().jump[0],
        what="the jump",
        mistakes=[
            (
                _stack_field().jump[0] * 2,
                "Dilation spreads a kernel's taps but does not skip outputs: it "
                "leaves the jump as it is.",
            ),
            (
                _stack_field().jump[0] // 2,
                "The max pooling has a stride of 2 too (its pool size, by default).",
            ),
        ],
        hint="Multiply the strides of all layers, pooling included.",
    )


@question()
def stack_layers() -> NumberSpec:
    """2a: how many stacked 3x3 convolutions see as much as one 9x9."""
    return NumberSpec(
        4,
        what="the number of layers",
        mistakes=[
            (3, "Three 3x3 layers see 7 x 7 pixels: each adds 2 to the field."),
            (9, "Each 3x3 layer (stride 1) adds 2 pixels to the field, not 1."),
        ],
    )


@question()
def stack_saving() -> NumberSpec:
    """2b: how many times more weights one 9x9 has than the 3x3 stack."""
    single = calc.Conv2D(64, 9, padding="same", use_bias=False)
    stack = [calc.Conv2D(64, 3, padding="same", use_bias=False)] * 4
    shape = (32, 32, 64)
    expected = calc.analyze(shape, [single]).params / calc.analyze(shape, stack).params
    return NumberSpec(
        expected,
        rel_tol=0.01,
        what="the ratio",
        mistakes=[
            (81 / 27, "That compares with three 3x3 layers; 9 x 9 needs more."),
            (1 / expected, "That is the stack over the single kernel: invert it."),
            (81 / 9, "The stack has one 3x3 kernel per layer, and several layers."),
        ],
        hint="Each layer has 3 x 3 x C x C weights; the single one 9 x 9 x C x C.",
    )


def _separable(shape=(28, 28, 128), filters=256):
    layer = calc.SeparableConv2D(filters, 3, padding="same", use_bias=False)
    full = calc.Conv2D(filters, 3, padding="same", use_bias=False)
    return calc.analyze(shape, [layer]), calc.analyze(shape, [full])


@question(points=2)
def separable_macs() -> NumberSpec:
    """3a: the multiply-adds of a 3x3 separable convolution, 28x28x128 to 256."""
    separable, full = _separable()
    positions, c_in, c_out = 28 * 28, 128, 256
    return NumberSpec(
        separable.macs,
        what="the multiply-adds",
        mistakes=[
            (
                full.macs,
                "That is a full 3x3 convolution: every output map reads "
                "every input map through its own 3x3 kernel.",
            ),
            (
                positions * 9 * c_in,
                "That is only the depthwise step; add the 1x1 "
                "pointwise convolution from 128 to 256 maps.",
            ),
            (
                positions * c_in * c_out,
                "That is only the pointwise step; add the "
                "depthwise 3x3 filtering of each of the 128 maps.",
            ),
            (
                positions * 9 * c_out + positions * c_in * c_out,
                "The depthwise step "
                "filters the 128 *input* maps, before the 1x1 makes 256.",
            ),
        ],
        hint="Per output position: 3 x 3 x C_in for the depthwise step plus "
        "C_in x C_out for the pointwise one.",
    )


@question()
def separable_ratio() -> NumberSpec:
    """3b: the separable convolution's multiply-adds over the full one's."""
    separable, full = _separable()
    return NumberSpec(
        separable.macs / full.macs,
        rel_tol=0.01,
        what="the ratio",
        mistakes=[
            (1 / 9, "That is the limit for very many output maps; add 1 / C_out."),
            (1 / 256, "Add the depthwise part, 1 / k^2."),
            (full.macs / separable.macs, "That is full over separable: invert it."),
        ],
        hint="Divide your answer to 3a by the full convolution's multiply-adds, "
        "or use 1 / C_out + 1 / k^2.",
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
        mistakes=[
            (weights, "Both dense layers have biases: C / r and C of them."),
            (
                channels * squeezed + squeezed,
                "There are two dense layers: C to C / r, then C / r back to C.",
            ),
            (
                2 * channels * channels + 2 * channels,
                "The first dense layer squeezes the C averages to C / r units.",
            ),
            (
                weights + squeezed + channels + 4 * channels,
                "The SE block has no "
                "batch norm: pooling, two dense layers and a multiplication.",
            ),
        ],
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
        mistakes=[
            (4, "2^phi is the paper's round figure; use alpha, beta and gamma."),
            (step, "That is one step (phi = 1); phi = 2 is two steps."),
            (
                (alpha * beta * gamma) ** 2,
                "Width and resolution count twice: FLOPs grow with d x w^2 x r^2.",
            ),
        ],
        hint="FLOPs grow with d x w^2 x r^2, and d, w, r are alpha^phi, beta^phi, "
        "gamma^phi.",
    )


@question(points=3)
def separable_unit() -> SeparableUnitSpec:
    """7: a MobileNet unit from 32x32x64 to 32x32x128 with 9,536 parameters."""
    c_in, c_out = 64, 128
    params = 9 * c_in + 4 * c_in + c_in * c_out + 4 * c_out
    return SeparableUnitSpec(
        (32, 32, c_in),
        (32, 32, c_out),
        params,
        mistakes=(
            Mistake(
                params + c_in + c_out,
                "The convolutions have biases: use "
                "use_bias=False (batch norm's shift does their work).",
            ),
            Mistake(
                9 * c_in + c_in * c_out + 4 * c_out,
                "Put a batch norm (and "
                "ReLU) after the depthwise convolution too, as MobileNet does.",
            ),
            Mistake(
                9 * c_in * c_out + 4 * c_out,
                "That is a full 3x3 convolution; "
                "split it into a depthwise 3x3 and a 1x1.",
            ),
        ),
    )


@question()
def innovation() -> ChoiceSpec:
    """8: which statement about the networks after ResNet is right."""
    return ChoiceSpec(
        "b",
        "abcd",
        {
            "a": "Chollet found Xception works best with *no* non-linearity "
            "between the depthwise and the pointwise step.",
            "c": "An SE block's dense layers work on one average per map: their "
            "multiply-adds do not depend on the height and width.",
            "d": "A dilated kernel keeps its weights; it only spreads them out.",
        },
    )


def _unique(pairs: Iterable[tuple[float, str]]) -> list[tuple[float, str]]:
    """Mistakes with distinct values (the first hint wins)."""
    seen, out = set(), []
    for value, hint in pairs:
        if value not in seen:
            seen.add(value)
            out.append((value, hint))
    return out
