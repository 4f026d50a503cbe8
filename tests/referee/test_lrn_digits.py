"""Chapter 5's experiment: the same small CNN with and without LRN, over seeds."""

import keras
import numpy as np
import pytest

from cnnbook.referee import lrn_digits
from cnnbook.referee.lrn_layer import LocalResponseNormalization
from tests.conftest import REPO  # noqa: F401  (sets the quiet TF environment)


def test_digit_images_scale_and_split():
    x_train, y_train, x_test, y_test = lrn_digits.digit_images()
    assert x_train.shape == (1438, 8, 8, 1) and x_test.shape == (359, 8, 8, 1)
    assert x_train.dtype == np.float64 and x_train.max() == 16.0
    big = lrn_digits.digit_images(255.0)[0]
    np.testing.assert_array_equal(big, x_train / 16.0 * 255.0)
    np.testing.assert_array_equal(y_test, lrn_digits.digit_images(255.0)[3])


def test_the_three_networks_differ_only_in_the_normalisation():
    weights = {}
    for norm in lrn_digits.NORMS:
        keras.utils.set_random_seed(3)
        model = lrn_digits.small_cnn(norm)
        assert model.count_params() == 5_130
        weights[norm] = model.get_weights()
    kinds = [type(layer).__name__ for layer in lrn_digits.small_cnn("lrn").layers]
    assert kinds.count("LocalResponseNormalization") == 2
    scale = lrn_digits.small_cnn("constant").get_layer("norm1").scale
    assert scale == pytest.approx(2.0**-0.75)
    for norm in ("lrn", "constant"):  # same seed, same initial weights
        for a, b in zip(weights["none"], weights[norm], strict=True):
            np.testing.assert_array_equal(a, b)


def test_train_seeds_is_deterministic_and_measures_each_seed():
    first = lrn_digits.train_seeds("lrn", seeds=[0, 1], epochs=3)
    again = lrn_digits.train_seeds("lrn", seeds=[1], epochs=3)
    assert [r["seed"] for r in first] == [0, 1]
    assert first[1] == again[0]  # a seed's run does not depend on the one before
    for result in first:
        assert 0.5 < result["accuracy"] <= 1.0  # 3 epochs: far above chance (0.1)
        assert 0.0 < result["reach"] < 1.0  # pixels 0..16 stay below the crossover
        assert set(result["correlations"]) == {"neighbours", "others", "dead"}
    found = lrn_digits.summary(first)
    assert found["accuracy"].n == 2
    assert found["accuracy"].low <= found["accuracy"].mean <= found["accuracy"].high
    assert found["reach"] == max(r["reach"] for r in first)


def test_lrn_layer_in_float64_matches_its_float32_kernel():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=40.0, size=(2, 3, 3, 12))
    fused = np.asarray(LocalResponseNormalization()(x.astype("float32")))
    ops64 = np.asarray(LocalResponseNormalization(dtype="float64")(x))
    np.testing.assert_allclose(ops64, fused, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: lrn_digits.small_cnn("batchnorm"), "norm must be one of"),
        (lambda: lrn_digits.train_seeds("x"), "norm must be one of"),
        (lambda: lrn_digits.train_seeds("lrn", seeds=[-1]), "seeds must be"),
        (lambda: lrn_digits.train_seeds("lrn", seeds=[]), "seeds must be"),
        (lambda: lrn_digits.train_seeds("lrn", epochs=0), "epochs must be"),
        (lambda: lrn_digits.train_seeds("lrn", batch_size=2.5), "batch_size must"),
        (lambda: lrn_digits.train_seeds("lrn", learning_rate=0), "learning_rate"),
        (lambda: lrn_digits.digit_images(0), "pixel_max must be"),
        (lambda: lrn_digits.digit_images(True), "pixel_max must be"),
        (lambda: lrn_digits.summary([]), "results must"),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
