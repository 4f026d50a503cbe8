"""Chapter 4's questions: counts, what pooling and strided convolutions can do,
and the all-convolutional block."""

import keras

from cnnbook.checks import ch04
from tests.checks.support import correct, wrong

L = keras.layers


def test_counts_and_hints_that_fit_pooling():
    correct(ch04.pool_params(0))
    message = wrong(ch04.pool_params(1), "1 is too high", "max pooling takes")
    assert "filter" not in message and "kernel" not in message
    wrong(ch04.pool_params(4), "A pooling window has no weights")
    correct(ch04.strided_params(73_856))
    wrong(ch04.strided_params(73_728), "biases")
    wrong(ch04.strided_params(1280), "spans every channel")
    correct(ch04.strided_macs(14 * 14 * 128 * 3 * 3 * 64))
    wrong(ch04.strided_macs(28 * 28 * 128 * 3 * 3 * 64), "every input position")
    wrong(ch04.strided_macs(14 * 14 * 128 * (3 * 3 * 64 + 1)), "Biases are additions")


def test_the_statements_are_measured():
    assert ch04.statements.spec().correct == {"a", "b"}
    assert ch04._truths() == {"a": True, "b": True, "c": False, "d": False}
    correct(ch04.statements(["a", "b"]))
    wrong(ch04.statements("a b c"), "1 of the 3 options", "linear")


def _model(*layers):
    return keras.Sequential([keras.Input((32, 32, 16)), *layers])


def test_strided_convolutions_pass_and_pooling_does_not():
    strided = _model(
        L.Conv2D(16, 3, strides=2, padding="same"), L.Conv2D(32, 3, 2, padding="same")
    )
    correct(ch04.model(strided))
    pooled = _model(L.Conv2D(32, 3, padding="same"), L.MaxPooling2D(4))
    wrong(ch04.model(pooled), "MaxPooling2D")
    wrong(ch04.model(_model(L.Conv2D(32, 17))), "output shape", "halves")
    wide = _model(
        L.Conv2D(32, 9, strides=2, padding="same"), L.Conv2D(32, 9, 2, "same")
    )
    wrong(ch04.model(wide), "over the budget of 10,000")
