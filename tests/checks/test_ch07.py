"""Chapter 7's questions: expected values by hand and from calc, each known
slip answered with its hint, the separable unit built in Keras with its slips."""

import keras
import pytest

from cnnbook import calc
from cnnbook.checks import ChoiceSpec, ModelSpec, NumberSpec, bank, ch07
from tests.checks.support import correct, unanswered, wrong

L = keras.layers
QUESTIONS = bank.questions("ch07")


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
    kinds = {q.qid[5:]: type(q.spec()) for q in QUESTIONS}
    assert kinds["no_holes"] is kinds["innovation"] is ChoiceSpec
    assert kinds["separable_unit"] is ModelSpec
    assert {k for k, v in kinds.items() if v is NumberSpec} == set(kinds) - {
        "no_holes",
        "innovation",
        "separable_unit",
    }
    assert sum(q.points for q in QUESTIONS) == 16


def test_receptive_field_of_the_stack_by_hand():
    # 5x5: 5 (jump 1); pool 2/2: 6 (jump 2); 3x3: 10; 3x3/2: 14 (jump 4);
    # 3x3 dilated 2: 14 + 2 * 2 * 4 = 30
    correct(ch07.field(30))
    correct(ch07.field("30"))
    # the jump of no input: 1 + 4 + 1 + 2 + 2 + 4
    wrong(ch07.field(14), "the jump of its input")
    # the jump after each layer: 5, 7, 11, 19, 35
    wrong(ch07.field(35), "before the layer")
    # no dilation: 14 + 2 * 1 * 4
    wrong(ch07.field(22), "The last layer is dilated")
    # no pooling: 5, 7, 9 (jump 2), 9 + 2 * 2 * 2
    wrong(ch07.field(17), "The max pooling is a layer")
    wrong(ch07.field(100), "too high", "Start from 1 pixel")


def test_the_jump_and_its_slips():
    correct(ch07.jump(4))
    wrong(ch07.jump(8), "Dilation spreads")
    wrong(ch07.jump(2), "max pooling has a stride of 2")
    wrong(ch07.jump(1), "stays 1 only while every stride is 1")
    wrong(ch07.jump(16), "too high", "Multiply the strides")


def test_stacked_kernels():
    correct(ch07.stack_layers(4))
    wrong(ch07.stack_layers(3), "Three 3x3 layers see 7 x 7 pixels")
    wrong(ch07.stack_layers(8), "adds 2 pixels to the field, not 1")
    wrong(ch07.stack_layers(9), "does not tile")
    correct(ch07.stack_saving(81 / 36))
    correct(ch07.stack_saving("2.25"))
    wrong(ch07.stack_saving(81 / 27), "three 3x3 layers")
    wrong(ch07.stack_saving(36 / 81), "invert it")
    wrong(ch07.stack_saving(81 / 9), "several layers")


def test_separable_costs_against_calc():
    layer = calc.SeparableConv2D(256, 3, padding="same", use_bias=False)
    macs = calc.analyze((28, 28, 128), [layer]).macs
    positions = 28 * 28
    assert macs == positions * (9 * 128 + 128 * 256)
    correct(ch07.separable_macs(macs))
    correct(ch07.separable_macs(f"{macs:,}"))
    wrong(ch07.separable_macs(positions * 9 * 128 * 256), "full 3x3")
    wrong(ch07.separable_macs(positions * 9 * 128), "only the depthwise")
    wrong(ch07.separable_macs(positions * 128 * 256), "only the pointwise")
    wrong(
        ch07.separable_macs(positions * (9 * 256 + 128 * 256)), "filters the 128 input"
    )
    full = positions * 9 * 128 * 256
    correct(ch07.separable_ratio(1 / 256 + 1 / 9))
    correct(ch07.separable_ratio(macs / full))
    wrong(ch07.separable_ratio(1 / 9), "add 1 / C_out")
    wrong(ch07.separable_ratio(1 / 256), "Add the depthwise part")
    wrong(ch07.separable_ratio(full / macs), "invert it")


def test_the_se_block():
    c, squeezed = 1024, 1024 // 16
    correct(ch07.se_params(2 * c * squeezed + squeezed + c))
    correct(ch07.se_params("132,160"))
    wrong(ch07.se_params(2 * c * squeezed), "Both dense layers have biases")
    wrong(ch07.se_params(c * squeezed + squeezed), "There are two dense layers")
    wrong(ch07.se_params(2 * c * c + 2 * c), "squeezes the C averages")
    wrong(ch07.se_params(2 * c * squeezed + squeezed + 5 * c), "no batch norm")


def test_compound_scaling():
    step = 1.2 * 1.1**2 * 1.15**2
    correct(ch07.compound_factor(step**2))
    correct(ch07.compound_factor(3.69))
    wrong(ch07.compound_factor(4), "rounds each step to a factor of 2")
    wrong(ch07.compound_factor(step), "one step (phi = 1)")
    wrong(ch07.compound_factor(2 * step), "square it rather than double it")
    wrong(ch07.compound_factor((1.2 * 1.1 * 1.15) ** 2), "count twice")


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
    out=128,
):
    """The question's unit, or one of its slips."""
    x = keras.Input((32, 32, 64))
    y = L.DepthwiseConv2D(3, padding="same", use_bias=depthwise_bias)(x)
    if depthwise_bn:
        y = L.ReLU()(L.BatchNormalization()(y))
    y = L.Conv2D(out, pointwise_kernel, padding="same", use_bias=pointwise_bias)(y)
    if pointwise_bn:
        y = L.ReLU()(L.BatchNormalization()(y))
    return keras.Model(x, y)


def test_the_keras_unit():
    assert unit().count_params() == 9_536
    assert "9,536 parameters" in correct(ch07.separable_unit(unit()))
    sequential = keras.Sequential(
        [
            keras.Input((32, 32, 64)),
            L.DepthwiseConv2D(3, padding="same", use_bias=False),
            L.BatchNormalization(),
            L.ReLU(),
            L.Conv2D(128, 1, use_bias=False),
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
        ({"out": 64}, "output shape is (32, 32, 64)"),
    ],
)
def test_each_slip_of_the_keras_unit_gets_its_hint(slip, hint):
    wrong(ch07.separable_unit(unit(**slip)), hint)


def test_a_unit_without_a_depthwise_convolution_is_told_what_to_build():
    def model(*layers):
        return keras.Sequential([keras.Input((32, 32, 64)), *layers])

    full = model(L.Conv2D(128, 3, padding="same", use_bias=False))
    full.add(L.BatchNormalization())
    wrong(ch07.separable_unit(full), "has no DepthwiseConv2D")
    fused = model(
        L.SeparableConv2D(128, 3, padding="same", use_bias=False),
        L.BatchNormalization(),
        L.ReLU(),
    )
    wrong(ch07.separable_unit(fused), "SeparableConv2D fuses")
    no_norm = model(
        L.DepthwiseConv2D(3, padding="same", use_bias=False),
        L.Conv2D(128, 1, use_bias=False),
    )
    wrong(ch07.separable_unit(no_norm), "must use BatchNormalization")
    unanswered(ch07.separable_unit(None))
    wrong(ch07.separable_unit("model"), "should be a Keras model")


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.qid)
def test_no_answer_is_not_answered_yet(question):
    unanswered(question(...))
    unanswered(question())
