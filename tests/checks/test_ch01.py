"""Chapter 1's questions: dense against conv, equivariance, digits anywhere."""

import keras

from cnnbook import calc
from cnnbook.checks import ch01
from tests.checks.support import correct, wrong

L = keras.layers


def test_dense_and_conv_counts_with_hints_of_their_own_kind():
    correct(ch01.dense_params((64 * 64 * 3 + 1) * 50))
    wrong(ch01.dense_params(64 * 64 * 3 * 50), "leaves out the biases", "unit")
    wrong(ch01.dense_params((64 * 64 + 1) * 50), "height x width x channels values")
    message = wrong(ch01.dense_params(1234), "A Dense layer has one weight")
    assert "filter" not in message and "kernel" not in message
    correct(ch01.conv_params((5 * 5 * 3 + 1) * 32))
    wrong(ch01.conv_params(5 * 5 * 3 * 32), "biases")
    wrong(ch01.conv_params((5 * 5 + 1) * 32), "spans every channel")
    wrong(ch01.conv_params((5 * 5 * 3 + 1) * 32 * 64 * 64), "shared by every position")


def test_growth_factors():
    growth = calc.analyze((128, 128, 3), [calc.Flatten(), calc.Dense(50)]).params
    growth /= calc.analyze((64, 64, 3), [calc.Flatten(), calc.Dense(50)]).params
    correct(ch01.growth(growth))
    correct(ch01.growth(4))
    wrong(ch01.growth(2), "doubles the height and the width")
    correct(ch01.conv_growth(1))
    correct(ch01.conv_growth("1.0"))
    wrong(ch01.conv_growth(4), "how much the conv layer's output grows")


def test_statements_say_how_many_are_wrong_and_not_which():
    assert ch01.statements.spec().correct == {"a", "d"}
    correct(ch01.statements(["a", "d"]))
    message = wrong(ch01.statements("a b c d"), "2 of the 4 options you picked")
    assert "(b)" not in message and "(c)" not in message
    wrong(ch01.statements("a"), "1 more right option is missing", "Global max pooling")


def test_a_cnn_for_digits_anywhere():
    def model(*layers):
        return keras.Sequential([keras.Input((20, 20, 1)), *layers])

    def head():
        return [L.GlobalMaxPooling2D(), L.Dense(10, activation="softmax")]

    convs = [L.Conv2D(8, 3), L.MaxPooling2D(2), L.Conv2D(16, 3)]
    correct(ch01.model(model(*convs, *head())))
    wrong(ch01.model(model(L.Conv2D(8, 3), L.Flatten(), L.Dense(10))), "GlobalMaxPool")
    wrong(ch01.model(model(L.Conv2D(256, 5), *head())), "over the budget of 3,000")
