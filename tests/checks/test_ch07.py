"""Chapter 7's questions: expected values by hand and from calc, each known
slip answered with its hint, the separable unit built in Keras with its slips."""

import keras
import pytest

from cnnbook import calc
from cnnbook.checks import ChoiceSpec, ModelSpec, NumberSpec, bank, ch07
from cnnbook.checks.modern import unit_params
from tests.checks.support import correct, unanswered, wrong

L = keras.layers
QUESTIONS = bank.questions("ch07")
V = ch07.DEFAULT


def test_every_question_is_in_the_bank_on_the_banks_specs():
    assert [q.qid for q in QUESTIONS] == [
        "ch07.field",
        "ch07.jump",
        "ch07.stack_layers",
        "ch07.stack_saving",
        "ch07.separable_macs",
        "ch07.separable_ratio",
        "ch07.no_holes",
        "ch07.se_params",
        "ch07.compound_factor",
        "ch07.separable_unit",
        "ch07.innovation",
    ]
    kinds = {q.qid[5:]: type(q._spec()) for q in QUESTIONS}
    assert kinds["no_holes"] is kinds["innovation"] is ChoiceSpec
    assert kinds["separable_unit"] is ModelSpec
    assert {k for k, v in kinds.items() if v is NumberSpec} == set(kinds) - {
        "no_holes",
        "innovation",
        "separable_unit",
    }
    assert sum(q.points for q in QUESTIONS) == 16


def test_the_default_is_not_the_chapters_scaling():
    assert (V.scaling, V.phi) != (ch07.PAPER, 2)


def test_receptive_field_of_the_stack_by_hand():
    # 3x3: 3 (jump 1); pool 3/3: 5 (jump 3); 5x5: 17; 3x3/2: 23 (jump 6);
    # 3x3 dilated 3: 23 + 2 * 3 * 6 = 59
    assert (V.first_kernel, V.pool, V.kernels, V.dilation) == (3, 3, (5, 3, 3), 3)
    correct(ch07.field(59))
    correct(ch07.field("59"))
    # the jump of no input: 1 + 2 + 2 + 4 + 2 + 6
    wrong(ch07.field(17), "the jump of its input")
    # the jump after each layer: 3, 3 + 2 * 3 = 9, 9 + 4 * 3 = 21, 21 + 2 * 6 = 33,
    # 33 + 6 * 6 = 69
    wrong(ch07.field(69), "before the layer")
    # no dilation: 23 + 2 * 1 * 6
    wrong(ch07.field(35), "The last layer is dilated")
    # no pooling: 3, 7, 9 (jump 2), 9 + 6 * 2
    message = wrong(ch07.field(21), "The max pooling is a layer")
    assert "2x2" not in message and "doubles" not in message
    wrong(ch07.field(200), "too high", "Start from 1 pixel")


def test_the_jump_and_its_slips():
    correct(ch07.jump(6))
    wrong(ch07.jump(18), "Dilation spreads")
    wrong(ch07.jump(2), "max pooling has a stride too")
    wrong(ch07.jump(1), "stays 1 only while every stride is 1")
    wrong(ch07.jump(60), "too high", "Multiply the strides")


def test_stacked_kernels():
    assert (V.small, V.large) == (3, 11)
    correct(ch07.stack_layers(5))
    message = wrong(ch07.stack_layers(4), "falls short")
    assert "9" not in message and "Four" not in message
    wrong(ch07.stack_layers(10), "not 1")
    correct(ch07.stack_saving(121 / 45))
    correct(ch07.stack_saving("2.69"))
    wrong(ch07.stack_saving(121 / 36), "one layer fewer")
    wrong(ch07.stack_saving(45 / 121), "invert it")
    wrong(ch07.stack_saving(121 / 9), "several layers")


def test_separable_costs_against_calc():
    (side, _, c_in), c_out, k = V.separable_input, V.separable_filters, 5
    assert V.separable_kernel == k
    layer = calc.SeparableConv2D(c_out, k, padding="same", use_bias=False)
    macs = calc.analyze(V.separable_input, [layer]).macs
    positions = side * side
    assert macs == positions * (k * k * c_in + c_in * c_out)
    correct(ch07.separable_macs(macs))
    correct(ch07.separable_macs(f"{macs:,}"))
    wrong(ch07.separable_macs(positions * k * k * c_in * c_out), "full convolution")
    wrong(ch07.separable_macs(positions * k * k * c_in), "only the depthwise")
    wrong(ch07.separable_macs(positions * c_in * c_out), "only the pointwise")
    wrong(
        ch07.separable_macs(positions * (k * k * c_out + c_in * c_out)),
        "filters the input maps",
    )
    full = positions * k * k * c_in * c_out
    correct(ch07.separable_ratio(1 / c_out + 1 / k**2))
    correct(ch07.separable_ratio(macs / full))
    wrong(ch07.separable_ratio(1 / k**2), "add 1 / C_out")
    wrong(ch07.separable_ratio(1 / c_out), "Add the depthwise part")
    wrong(ch07.separable_ratio(full / macs), "invert it")


def test_the_se_block():
    c, squeezed = V.se_channels, V.se_channels // V.se_ratio
    right = 2 * c * squeezed + squeezed + c
    correct(ch07.se_params(right))
    correct(ch07.se_params(f"{right:,}"))
    wrong(ch07.se_params(2 * c * squeezed), "Both dense layers have biases")
    wrong(ch07.se_params(c * squeezed + squeezed), "There are two dense layers")
    wrong(ch07.se_params(2 * c * c + 2 * c), "squeezes the C averages")
    wrong(ch07.se_params(2 * c * squeezed + squeezed + 5 * c), "no batch norm")


def test_compound_scaling():
    alpha, beta, gamma = V.scaling
    step = alpha * beta**2 * gamma**2
    correct(ch07.compound_factor(step**V.phi))
    correct(ch07.compound_factor(f"{step**V.phi:.3g}"))
    wrong(ch07.compound_factor(2**V.phi), "each step about 2")
    wrong(ch07.compound_factor(step), "one step (phi = 1)")
    wrong(ch07.compound_factor(V.phi * step), "rather than multiply by phi")
    wrong(ch07.compound_factor((alpha * beta * gamma) ** V.phi), "count twice")


def test_choices():
    correct(ch07.no_holes("b"))
    correct(ch07.no_holes("(B)"))
    wrong(ch07.no_holes("a"), "gridding problem")
    wrong(ch07.no_holes("c"), "7 x 7 field")
    wrong(ch07.no_holes("d"), "common factor")
    wrong(ch07.no_holes("b, d"), "exactly one option")
    correct(ch07.innovation("b"))
    wrong(ch07.innovation("a"), "no non-linearity")
    wrong(ch07.innovation("c"), "height and width")
    wrong(ch07.innovation("d"), "keeps its weights")
    wrong(ch07.innovation("e"), "not among the options")
    unanswered(ch07.innovation(...))


def unit(
    depthwise_bn=True,
    pointwise_bn=True,
    depthwise_bias=False,
    pointwise_bias=False,
    pointwise_kernel=1,
    out=V.unit_filters,
    relu=True,
):
    """The question's unit, or one of its slips."""
    x = keras.Input(V.unit_input)
    y = L.DepthwiseConv2D(3, padding="same", use_bias=depthwise_bias)(x)
    if depthwise_bn:
        y = L.ReLU()(L.BatchNormalization()(y))
    y = L.Conv2D(out, pointwise_kernel, padding="same", use_bias=pointwise_bias)(y)
    if pointwise_bn:
        y = L.BatchNormalization()(y)
        y = L.ReLU()(y) if relu else y
    return keras.Model(x, y)


def test_the_keras_unit():
    count = unit_params(V)
    assert unit().count_params() == count
    assert f"{count:,} parameters" in " ".join(repr(V).split())  # given to students
    assert f"{count:,} parameters" in correct(ch07.separable_unit(unit()))
    sequential = keras.Sequential(
        [
            keras.Input(V.unit_input),
            L.DepthwiseConv2D(3, padding="same", use_bias=False),
            L.BatchNormalization(),
            L.ReLU(),
            L.Conv2D(V.unit_filters, 1, use_bias=False),
            L.BatchNormalization(),
            L.ReLU(),
        ]
    )
    correct(ch07.separable_unit(sequential))


@pytest.mark.parametrize(
    ("slip", "hint"),
    [
        ({"depthwise_bias": True, "pointwise_bias": True}, "to both"),
        ({"depthwise_bias": True}, "DepthwiseConv2D has a bias per map"),
        ({"pointwise_bias": True}, "1x1 Conv2D has a bias per filter"),
        ({"depthwise_bn": False}, "after the depthwise convolution too"),
        ({"pointwise_bn": False}, "after the 1x1 convolution too"),
        ({"pointwise_kernel": 3}, "Follow the DepthwiseConv2D with a 1x1 Conv2D"),
        ({"out": 64}, "output shape is (16, 16, 64)"),
        ({"relu": False}, "Follow every DepthwiseConv2D and every Conv2D"),
    ],
)
def test_each_slip_of_the_keras_unit_gets_its_hint(slip, hint):
    wrong(ch07.separable_unit(unit(**slip)), hint)


def test_a_unit_without_a_depthwise_convolution_is_told_what_to_build():
    def model(*layers):
        return keras.Sequential([keras.Input(V.unit_input), *layers])

    f = V.unit_filters
    full = model(L.Conv2D(f, 3, padding="same", use_bias=False))
    full.add(L.BatchNormalization())
    wrong(ch07.separable_unit(full), "has no DepthwiseConv2D")
    fused = model(
        L.SeparableConv2D(f, 3, padding="same", use_bias=False),
        L.BatchNormalization(),
        L.ReLU(),
    )
    wrong(ch07.separable_unit(fused), "SeparableConv2D fuses")
    no_norm = model(
        L.DepthwiseConv2D(3, padding="same", use_bias=False),
        L.Conv2D(f, 1, use_bias=False),
    )
    wrong(ch07.separable_unit(no_norm), "must use BatchNormalization")
    unanswered(ch07.separable_unit(None))
    wrong(ch07.separable_unit("model"), "should be a Keras model")


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.qid)
def test_no_answer_is_not_answered_yet(question):
    unanswered(question(...))
    unanswered(question())
