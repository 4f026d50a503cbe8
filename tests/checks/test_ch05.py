"""Chapter 5's questions: TensorFlow's constants, one value to 4 significant
digits, a student's LRN function, who is inhibited, and a model with LRN."""

import keras
import numpy as np
import pytest

from cnnbook.checks import ch05
from cnnbook.referee.lrn_layer import LocalResponseNormalization
from cnnbook.science import lrn
from tests.checks.support import correct, unanswered, wrong


def reference(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n, alpha, beta)


def caffe(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n, alpha, beta, alpha_per_n=True)


def wrap(x, k, n, alpha, beta):
    window = sum(np.roll(x**2, s, axis=-1) for s in range(-(n // 2), n // 2 + 1))
    return x / (k + alpha * window) ** beta


def own_square_only(x, k, n, alpha, beta):
    return x / (k + alpha * x**2) ** beta


def no_power(x, k, n, alpha, beta):
    return x / lrn.divisor(x, k, n, alpha, 1.0)


def too_wide(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n + 2, alpha, beta)


def flattens(x, k, n, alpha, beta):
    return lrn.lrn(x, k, n, alpha, beta).ravel()


def raises(x, k, n, alpha, beta):
    raise RuntimeError("boom")


def writes_into_its_input(x, k, n, alpha, beta):
    x[...] = reference(x, k, n, alpha, beta)
    return x


def test_constants_for_tensorflow():
    correct(ch05.depth_radius(2))
    wrong(ch05.depth_radius(5), "counts the maps on one side")
    wrong(ch05.depth_radius(2.5), "whole number")
    correct(ch05.tf_alpha(1e-4))
    correct(ch05.tf_alpha("1e-4"))
    wrong(ch05.tf_alpha(2e-5), "Caffe's and PyTorch's convention")
    correct(ch05.caffe_tf_alpha("2e-5"))
    correct(ch05.caffe_tf_alpha("1e-4/5"))
    wrong(ch05.caffe_tf_alpha(1e-4), "divide it yourself")
    wrong(ch05.caffe_tf_alpha(5e-4), "do not multiply")


@pytest.mark.parametrize("answer", [14.87, "14.87", 14.8668, 14.866752773556597, 14.86])
def test_four_significant_digits_are_enough(answer):
    assert "to 4 significant digits" in correct(ch05.b2(answer))


def test_one_value_by_hand_slips():
    x = np.array(ch05.ACTIVITIES)
    wrong(ch05.b2(14.9), "14.9 has 3 significant digits", "at least 4")
    wrong(ch05.b2(float(lrn.lrn(x, alpha_per_n=True)[2])), "divides alpha by n")
    wrong(ch05.b2(30 / (2 + 1e-4 * float(np.sum(x**2)))), "power beta")
    wrong(ch05.b2(30 / 2**0.75), "sum of squares is missing")
    with pytest.raises(ValueError, match="channel must index"):
        ch05.centre_value_spec([1.0, 2.0], 5)


def test_a_correct_function_passes_even_if_it_writes_into_its_input():
    assert "4 inputs" in correct(ch05.my_lrn(reference))
    correct(ch05.my_lrn(writes_into_its_input))


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (caffe, "divides alpha by n"),
        (wrap, "wrap around"),
        (own_square_only, "only its own square"),
        (no_power, "power beta"),
        (too_wide, "2 maps more than n"),
        (flattens, "returned shape (144,), not (3, 4, 12)"),
        (raises, "RuntimeError: boom"),
        (lambda x, k, n, alpha, beta: "x", "returned 'x', not an array"),
        (lambda x, k, n, alpha, beta: x * 1j, "not an array of numbers"),
        (lambda x: x, "raised TypeError"),
        (42, "a function f(x, k, n, alpha, beta)"),
    ],
)
def test_slips_get_their_hint(answer, hint):
    wrong(ch05.my_lrn(answer), hint)


def test_a_stub_is_not_answered_yet():
    unanswered(ch05.my_lrn(...))
    stub = ch05.my_lrn(lambda x, k, n, alpha, beta: None)
    assert stub.status == "unanswered" and "returns nothing yet" in stub.message


def test_who_is_inhibited_is_computed_and_offered():
    assert ch05._inhibited() == {2, 3, 5, 6}
    before = lrn.lrn(np.full(9, 10.0))[4]
    raised = np.full(9, 10.0)
    raised[4] = 100.0
    assert lrn.lrn(raised)[4] > before  # map 4's own output rises
    assert ch05.inhibited.spec().correct == {"c"}
    correct(ch05.inhibited("c"))
    wrong(ch05.inhibited("b"), "Check map 4 itself")
    wrong(ch05.inhibited("d"), "maps 0, 1, 7 and 8 do not see map 4")


def test_a_model_with_lrn_after_a_convolution():
    def model(*layers):
        return keras.Sequential([keras.Input((8, 8, 1)), *layers])

    head = [keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(10)]
    conv = keras.layers.Conv2D(16, 3, padding="same")
    correct(ch05.model(model(conv, LocalResponseNormalization(), *head)))
    first = model(LocalResponseNormalization(), keras.layers.Conv2D(16, 3), *head)
    wrong(ch05.model(first), "after a Conv2D layer")
    wrong(ch05.model(model(keras.layers.Conv2D(16, 3), *head)), "LocalResponse")
