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


V = ch05.DEFAULT
C = V.constants


def test_the_default_is_not_alexnet_nor_the_chapters_caffe_layer():
    assert C != lrn.ALEXNET and (V.caffe_size, V.caffe_alpha) != (5, 1e-4)


def test_constants_for_tensorflow():
    correct(ch05.depth_radius(V.n // 2))
    wrong(ch05.depth_radius(V.n), "counts the maps on one side")
    wrong(ch05.depth_radius(V.n / 2), "whole number")
    correct(ch05.tf_alpha(V.alpha))
    correct(ch05.tf_alpha(f"{V.alpha:g}"))
    wrong(ch05.tf_alpha(V.alpha / V.n), "Caffe's and PyTorch's convention")
    correct(ch05.caffe_tf_alpha(V.caffe_alpha / V.caffe_size))
    correct(ch05.caffe_tf_alpha(f"{V.caffe_alpha:g}/{V.caffe_size}"))
    wrong(ch05.caffe_tf_alpha(V.caffe_alpha), "divide it yourself")
    wrong(ch05.caffe_tf_alpha(V.caffe_alpha * V.caffe_size), "do not multiply")


def _b2() -> float:
    return float(lrn.lrn(np.array(V.activities), **C)[V.channel])


def test_four_significant_digits_are_enough():
    exact = _b2()
    for answer in (exact, f"{exact:.4g}", float(f"{exact:.6g}")):
        assert "to 4 significant digits" in correct(ch05.b2(answer))


def test_one_value_by_hand_slips():
    x = np.array(V.activities)
    a = x[V.channel]
    three = float(f"{_b2():.3g}")
    wrong(ch05.b2(three), "has 3 significant digits", "at least 4")
    caffe_value = float(lrn.lrn(x, **C, alpha_per_n=True)[V.channel])
    wrong(ch05.b2(caffe_value), "divides alpha by n")
    window = [max(0, V.channel - V.n // 2), V.channel + V.n // 2 + 1]
    squares = float(np.sum(x[window[0] : window[1]] ** 2))
    wrong(ch05.b2(a / (V.k + V.alpha * squares)), "power beta")
    wrong(ch05.b2(a / V.k**V.beta), "sum of squares is missing")
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
    s, r = V.strong, V.n // 2
    assert ch05._inhibited(V) == set(range(s - r, s + r + 1)) - {s}
    raised = np.full(V.maps, V.weak)
    raised[s] = V.raised
    assert lrn.lrn(raised, **C)[s] > lrn.lrn(np.full(V.maps, V.weak), **C)[s]
    assert ch05.inhibited._spec().correct == {"c"}
    assert f"(c) maps {s - r}, " in V.options("inhibited")
    correct(ch05.inhibited("c"))
    wrong(ch05.inhibited("b"), "Check the raised map itself")
    message = wrong(ch05.inhibited("d"), "farther than n // 2")
    assert str(s) not in message


def test_a_model_with_lrn_after_a_convolution():
    def model(*layers):
        return keras.Sequential([keras.Input((V.image, V.image, 1)), *layers])

    dense = keras.layers.Dense(V.classes, activation="softmax")
    head = [keras.layers.GlobalAveragePooling2D(), dense]
    conv = keras.layers.Conv2D(16, 3, padding="same")
    correct(ch05.model(model(conv, LocalResponseNormalization(), *head)))
    first = model(LocalResponseNormalization(), keras.layers.Conv2D(16, 3), *head)
    wrong(ch05.model(first), "after a Conv2D layer")
    wrong(ch05.model(model(keras.layers.Conv2D(16, 3), *head)), "LocalResponse")
