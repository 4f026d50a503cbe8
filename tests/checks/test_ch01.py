"""Chapter 1's questions: dense against conv, equivariance, digits anywhere."""

import keras

from cnnbook import calc
from cnnbook.checks import ch01
from tests.checks.support import correct, wrong

L = keras.layers
V = ch01.DEFAULT


def test_the_default_is_not_the_chapters_example():
    assert ch01.variant() is not V and ch01.variant() == V  # drawn, with its id
    assert V.image != (200, 300, 3) and (V.units, V.filters) != (100, 100)


def test_dense_and_conv_counts_with_hints_of_their_own_kind():
    side, _, c = V.image
    k, f, u = V.kernel, V.filters, V.units
    correct(ch01.dense_params((side * side * c + 1) * u))
    wrong(ch01.dense_params(side * side * c * u), "leaves out the biases", "unit")
    wrong(ch01.dense_params((side * side + 1) * u), "height x width x channels values")
    message = wrong(ch01.dense_params(1234), "A Dense layer has one weight")
    assert "filter" not in message and "kernel" not in message
    correct(ch01.conv_params((k * k * c + 1) * f))
    wrong(ch01.conv_params(k * k * c * f), "biases")
    wrong(ch01.conv_params((k * k + 1) * f), "spans every channel")
    wrong(ch01.conv_params((k * k * c + 1) * f * side * side), "shared by every")


def test_growth_factors():
    layers = [calc.Flatten(), calc.Dense(V.units)]
    growth = calc.analyze(V.large, layers).params / calc.analyze(V.image, layers).params
    correct(ch01.growth(growth))
    correct(ch01.growth(V.growth**2))  # within 1%
    wrong(ch01.growth(V.growth), "grows both the height and the width")
    correct(ch01.conv_growth(1))
    correct(ch01.conv_growth("1.0"))
    wrong(ch01.conv_growth(V.growth**2), "how much the conv layer's output grows")


def test_statements_say_how_many_are_wrong_and_not_which():
    assert ch01.statements._spec().correct == {"a", "d"}  # the default's letters
    correct(ch01.statements(["a", "d"]))
    message = wrong(ch01.statements("a b c d"), "2 of the 4 options you picked")
    assert "(b)" not in message and "(c)" not in message
    message = wrong(ch01.statements("a"), "1 more right option is missing.")
    assert message.endswith("missing."), "no hint about an option not picked"


def test_a_cnn_for_digits_anywhere():
    def model(*layers):
        return keras.Sequential([keras.Input((V.canvas, V.canvas, 1)), *layers])

    def head(activation="softmax"):
        return [L.GlobalMaxPooling2D(), L.Dense(10, activation=activation)]

    convs = [L.Conv2D(8, 3), L.MaxPooling2D(2), L.Conv2D(16, 3)]
    correct(ch01.model(model(*convs, *head())))
    wrong(ch01.model(model(L.Conv2D(8, 3), L.Flatten(), L.Dense(10))), "GlobalMaxPool")
    wrong(ch01.model(model(*convs, *head(None))), "probabilities", "softmax")
    late = [L.GlobalMaxPooling2D(), L.Reshape((1, 1, 16)), L.Conv2D(10, 1)]
    wrong(ch01.model(model(*convs, *late, L.Flatten(), L.Softmax())), "after the last")
    wrong(
        ch01.model(model(L.Conv2D(256, 5), *head())),
        f"the question asks for at most {V.budget:,}",
    )
