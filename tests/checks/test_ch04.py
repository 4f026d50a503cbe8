"""Chapter 4's questions: counts, what pooling and strided convolutions can do,
and the all-convolutional block."""

import keras

from cnnbook.checks import ch04
from tests.checks.support import correct, wrong

L = keras.layers
V = ch04.DEFAULT


def test_counts_and_hints_that_fit_pooling():
    side, _, c = V.maps
    f, k, s = V.filters, V.kernel, V.factor
    out = -(-side // s)
    correct(ch04.pool_params(0))
    message = wrong(ch04.pool_params(1), "1 is too high", "max pooling takes")
    assert "filter" not in message and "kernel" not in message
    wrong(ch04.pool_params(s * s), "A pooling window has no weights")
    correct(ch04.strided_params(k * k * c * f + f))
    wrong(ch04.strided_params(k * k * c * f), "biases")
    wrong(ch04.strided_params((k * k + 1) * f), "spans every channel")
    correct(ch04.strided_macs(out * out * f * k * k * c))
    wrong(ch04.strided_macs(side * side * f * k * k * c), "every input position")
    wrong(ch04.strided_macs(out * out * f * (k * k * c + 1)), "Biases are additions")


def test_the_statements_are_measured():
    assert ch04.statements._spec().correct == {"a", "b"}
    assert ch04._truths() == (True, True, False, False)
    correct(ch04.statements(["a", "b"]))
    wrong(ch04.statements("a b c"), "1 of the 3 options", "linear")


def _model(*layers):
    return keras.Sequential([keras.Input(V.block_input), *layers])


def _conv(filters, kernel=3, strides=2, activation="relu"):
    return L.Conv2D(filters, kernel, strides, "same", activation=activation)


def test_strided_convolutions_pass_and_pooling_does_not():
    f = V.block_filters
    correct(ch04.model(_model(_conv(f // 2), _conv(f))))
    correct(ch04.model(_model(_conv(f // 2, activation=None), L.ReLU(), _conv(f))))
    wrong(ch04.model(_model(_conv(f // 2), _conv(f, activation=None))), "ReLU")
    pooled = _model(_conv(f, strides=1), L.MaxPooling2D(4))
    wrong(ch04.model(pooled), "MaxPooling2D")
    wrong(ch04.model(_model(L.Conv2D(f, 17))), "output shape", "halves")
    wide = _model(_conv(f, 9), _conv(f, 9))
    wrong(ch04.model(wide), f"under {V.budget:,}")


def test_a_strict_budget_refuses_the_budget_itself():
    from cnnbook.checks.models import ModelSpec

    model = _model(_conv(V.block_filters // 2), _conv(V.block_filters))
    count = model.count_params()
    wrong(ModelSpec(V.block_input, max_params=count, strict=True).judge(model), "under")
    correct(ModelSpec(V.block_input, max_params=count).judge(model))
