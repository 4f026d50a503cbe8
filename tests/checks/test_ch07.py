"""Chapter 7's questions: expected values from calc, slips named, any input answered."""

import keras
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnbook import calc
from cnnbook.checks import bank, ch07
from tests.checks.support import correct, unanswered, wrong
from tests.conftest import examples

kl = keras.layers
QUESTIONS = bank.questions("ch07")


def test_every_question_is_in_the_bank_with_points():
    ids = [q.qid for q in QUESTIONS]
    assert ids == [
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
    assert all(q.points >= 1 and q.title for q in QUESTIONS)


def test_receptive_field_of_the_stack_by_hand():
    # 5x5: 5 (jump 1); pool 2/2: 6 (jump 2); 3x3: 10; 3x3/2: 14 (jump 4);
    # 3x3 dilated 2: 14 + 2 * 2 * 4 = 30
    correct(ch07.field(30))
    correct(ch07.jump(4))
    wrong(ch07.field(14), "jump of its *input*")
    wrong(ch07.field(22), "dilated")
    wrong(ch07.field(35), "before the layer")
    wrong(ch07.jump(8), "Dilation")


def test_stacked_kernels():
    correct(ch07.stack_layers(4))
    wrong(ch07.stack_layers(3), "7 x 7")
    correct(ch07.stack_saving(81 / 36))
    wrong(ch07.stack_saving(36 / 81), "invert")


def test_separable_costs_against_calc():
    layer = calc.SeparableConv2D(256, 3, padding="same", use_bias=False)
    macs = calc.analyze((28, 28, 128), [layer]).macs
    assert macs == 28 * 28 * (9 * 128 + 128 * 256)
    correct(ch07.separable_macs(macs))
    correct(ch07.separable_macs(f"{macs:,}"))
    wrong(ch07.separable_macs(28 * 28 * 9 * 128 * 256), "full 3x3")
    wrong(ch07.separable_macs(28 * 28 * 9 * 128), "only the depthwise")
    correct(ch07.separable_ratio(1 / 256 + 1 / 9))
    wrong(ch07.separable_ratio(1 / 9), "1 / C_out")


def test_se_block_and_compound_scaling():
    correct(ch07.se_params(2 * 1024 * 64 + 64 + 1024))
    wrong(ch07.se_params(2 * 1024 * 64), "biases")
    correct(ch07.compound_factor((1.2 * 1.1**2 * 1.15**2) ** 2))
    wrong(ch07.compound_factor(4), "2^phi")
    wrong(ch07.compound_factor(1.92027), "one step")


def test_choices():
    correct(ch07.no_holes("b"))
    correct(ch07.no_holes("(B)"))
    wrong(ch07.no_holes("a"), "gridding")
    correct(ch07.innovation("b"))
    wrong(ch07.innovation("c"), "height and width")
    wrong(ch07.innovation("e"), "not one of the options")
    unanswered(ch07.innovation(...))


def unit(depthwise_bn=True, bias=False, full=False, out=128):
    x = keras.Input((32, 32, 64))
    if full:
        y = kl.Conv2D(out, 3, padding="same", use_bias=bias)(x)
    else:
        y = kl.DepthwiseConv2D(3, padding="same", use_bias=bias)(x)
        if depthwise_bn:
            y = kl.ReLU()(kl.BatchNormalization()(y))
        y = kl.Conv2D(out, 1, use_bias=bias)(y)
    return keras.Model(x, kl.ReLU()(kl.BatchNormalization()(y)))


def test_the_keras_unit():
    correct(ch07.separable_unit(unit()))
    assert unit().count_params() == 9_536
    wrong(ch07.separable_unit(unit(bias=True)), "use_bias=False")
    wrong(ch07.separable_unit(unit(depthwise_bn=False)), "after the depthwise")
    wrong(ch07.separable_unit(unit(full=True)), "no depthwise convolution")
    wrong(ch07.separable_unit(unit(out=64)), "output shape")
    separable = keras.Sequential(
        [keras.Input((32, 32, 64)), kl.SeparableConv2D(128, 3, padding="same")]
    )
    wrong(ch07.separable_unit(separable), "not 9,536")
    unanswered(ch07.separable_unit(None))
    wrong(ch07.separable_unit("model"), "Keras model")


ODD = st.one_of(
    st.none(),
    st.just(...),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=4),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=examples(300))
@given(answer=ODD, index=st.integers(0, len(QUESTIONS) - 1))
def test_any_answer_gets_feedback_never_a_traceback(answer, index):
    feedback = QUESTIONS[index](answer)
    assert feedback.status in ("correct", "incorrect", "unanswered")


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.qid)
def test_no_answer_is_not_answered_yet(question):
    unanswered(question(...))
    unanswered(question())
