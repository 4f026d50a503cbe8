"""cnnbook.science.lrn against tf.nn.local_response_normalization, and its layer."""

import os

for _name, _value in {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "CUDA_VISIBLE_DEVICES": "-1",
}.items():
    os.environ.setdefault(_name, _value)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from cnnbook.referee.lrn_layer import LocalResponseNormalization  # noqa: E402
from cnnbook.science import lrn  # noqa: E402


def tf_lrn(x, **constants):
    args = lrn.tf_arguments(**constants)
    return tf.nn.local_response_normalization(np.float32(x), **args).numpy()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    "constants",
    [
        {},
        {"k": 1.0, "n": 3, "alpha": 1e-3, "beta": 0.5},
        {"k": 0.5, "n": 7, "alpha": 0.01, "beta": 1.0},
        {"k": 2.0, "n": 5, "alpha": 1e-4, "beta": 0.75, "alpha_per_n": True},
        {"k": 1.0, "n": 1, "alpha": 1.0, "beta": 0.25},
    ],
)
def test_numpy_reference_equals_tensorflow(seed, constants):
    rng = np.random.default_rng(seed)
    channels = int(rng.integers(1, 20))
    x = rng.normal(size=(2, 4, 5, channels)).astype(np.float32)
    np.testing.assert_allclose(
        lrn.lrn(x, **constants), tf_lrn(x, **constants), rtol=1e-6, atol=1e-6
    )


def test_tensorflow_does_not_divide_alpha_by_n():
    x = np.random.default_rng(0).normal(scale=30.0, size=(1, 1, 1, 8))
    paper = lrn.lrn(x)  # alpha as printed in the paper
    caffe = lrn.lrn(x, alpha_per_n=True)
    raw = tf.nn.local_response_normalization(
        np.float32(x), depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75
    ).numpy()
    np.testing.assert_allclose(raw, paper, rtol=1e-6)
    assert np.max(np.abs(raw - caffe)) > 1e-3


def test_tf_arguments_mapping():
    assert lrn.tf_arguments() == {
        "depth_radius": 2,
        "bias": 2.0,
        "alpha": 1e-4,
        "beta": 0.75,
    }
    assert lrn.tf_arguments(alpha_per_n=True)["alpha"] == pytest.approx(2e-5)
    assert lrn.tf_arguments(n=9)["depth_radius"] == 4


def test_hand_computed_value_and_edges():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    # map 0 sees maps 0..2 (window clipped at the edge), map 3 sees 1..3
    assert lrn.lrn(x)[0] == pytest.approx(1 / (2 + 1e-4 * (1 + 4 + 9)) ** 0.75)
    assert lrn.lrn(x)[3] == pytest.approx(4 / (2 + 1e-4 * (4 + 9 + 16)) ** 0.75)
    np.testing.assert_allclose(x / lrn.divisor(x), lrn.lrn(x))
    np.testing.assert_allclose(lrn.lrn(x, alpha=0.0, beta=1.0, k=1.0), x)


def test_a_strong_map_inhibits_only_its_neighbours_where_it_is_active():
    stack = lrn.inhibition_stack(channels=9, size=7)
    out = lrn.lrn(stack)
    kept = out / stack
    centre, corner = kept[3, 3], kept[0, 0]
    assert np.allclose(corner[2:7], corner[4])  # no strong value there: alike
    assert corner[0] > corner[4]  # edge maps have fewer neighbours to divide by
    for c in (2, 3, 5, 6):  # within n // 2 = 2 maps of map 4
        assert centre[c] < corner[c] * 0.8
    for c in (0, 1, 7, 8):
        assert centre[c] == pytest.approx(corner[c])
    assert stack[3, 3, 4] == 100.0 and stack[0, 0, 4] == 10.0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lrn.lrn(np.ones(4), n=4), "n must be an odd positive integer"),
        (lambda: lrn.lrn(np.ones(4), n=0), "n must be"),
        (lambda: lrn.lrn(np.ones(4), k=0.0), "k must be a finite number > 0"),
        (lambda: lrn.lrn(np.ones(4), alpha=-1e-4), "alpha must be"),
        (lambda: lrn.lrn(np.ones(4), beta=float("nan")), "beta must be"),
        (lambda: lrn.lrn(np.ones(4), alpha_per_n=1), "alpha_per_n must be"),
        (lambda: lrn.lrn("abc"), "x must be an array"),
        (lambda: lrn.lrn(np.float64(3.0)), "x must have a last"),
        (lambda: lrn.lrn([1.0, np.inf]), "finite"),
        (lambda: lrn.tf_arguments(n=2.5), "n must be"),
        (lambda: lrn.inhibition_stack(channels=0), "channels must be"),
        (lambda: lrn.inhibition_stack(strong=9), "strong must be a map index"),
        (lambda: lrn.inhibition_stack(size=True), "size must be"),
        (lambda: LocalResponseNormalization(n=6), "n must be"),
    ],
)
def test_bad_arguments_are_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_keras_layer_equals_tensorflow_and_has_no_parameters():
    rng = np.random.default_rng(1)
    x = rng.normal(scale=20.0, size=(2, 6, 6, 11)).astype(np.float32)
    for constants in (
        {},
        {"k": 1.0, "n": 3, "alpha": 1e-3, "beta": 0.5},
        {"alpha_per_n": True},
    ):
        layer = LocalResponseNormalization(**constants)
        for got in (layer(x), layer.call_with_ops(x)):
            np.testing.assert_allclose(
                np.asarray(got), tf_lrn(x, **constants), rtol=1e-5, atol=1e-6
            )
        # TF's kernel refuses float64, so a float64 layer runs the ops path
        layer64 = LocalResponseNormalization(**constants, dtype="float64")
        x64 = x.astype(np.float64)
        np.testing.assert_allclose(
            np.asarray(layer64(x64)), lrn.lrn(x64, **constants), rtol=1e-12
        )
        assert layer.count_params() == 0


# Keras 3.15's own saving code trips numpy 2's __array__(copy=...) deprecation.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_keras_layer_in_a_model_trains_and_round_trips(tmp_path):
    model = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            keras.layers.Conv2D(6, 3, activation="relu"),
            LocalResponseNormalization(n=3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    assert model.layers[1].output.shape == (None, 6, 6, 6)
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 8, 8, 1), np.float32)
    model.fit(x, np.zeros((4, 2)), epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.layers[1]).__name__ == "LocalResponseNormalization"
    assert loaded.layers[1].get_config()["n"] == 3
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-6)


def test_crossover_and_the_two_alpha_readings():
    # alpha * n * a**2 = k: sqrt(2 / 5e-4) as printed, sqrt(2 / 1e-4) with alpha / n
    assert lrn.crossover() == pytest.approx(4e3**0.5)
    assert lrn.crossover(alpha_per_n=True) == pytest.approx(2e4**0.5)
    a = lrn.crossover()
    assert lrn.reach(np.full(9, a))[4] == pytest.approx(1.0)  # all n maps at a
    assert lrn.crossover(alpha=0.0) == float("inf")


def test_reach_is_the_sum_term_over_k():
    x = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    square_sum = float(np.sum(x**2))
    assert lrn.reach(x)[2] == pytest.approx(1e-4 * square_sum / 2.0)
    assert lrn.reach(x, alpha_per_n=True)[2] == pytest.approx(2e-5 * square_sum / 2)
    d = lrn.divisor(x)
    np.testing.assert_allclose(d, (2.0 * (1 + lrn.reach(x))) ** 0.75)


def test_a_lone_map_peaks_at_the_self_inhibition_point():
    peak = lrn.self_inhibition_peak()
    assert peak == pytest.approx(200.0)  # sqrt(2 / (1e-4 * 0.5))
    assert lrn.self_inhibition_peak(alpha_per_n=True) == pytest.approx(2e5**0.5)
    lone = np.linspace(1.0, 1000.0, 1999)
    out = lrn.lrn(np.stack([lone, 0 * lone, 0 * lone], axis=-1))[:, 0]
    assert lone[np.argmax(out)] == pytest.approx(peak, abs=0.5)
    assert out[-1] < out.max()  # beyond the peak a stronger input gives less
    assert lrn.self_inhibition_peak(beta=0.5) == float("inf")  # never falls


def test_map_correlations_separate_neighbours_from_others():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(500, 1))
    maps = rng.normal(size=(500, 6))
    maps[:, 1] = base[:, 0]  # maps 1 and 2 equal: a neighbour pair
    maps[:, 2] = base[:, 0]
    maps[:, 5] = 0.0  # a dead map
    found = lrn.map_correlations(maps.reshape(50, 10, 6), n=3)
    assert found["dead"] == 1
    # neighbours (|i - j| = 1 among maps 0..4): 4 pairs, one with |r| = 1
    assert 0.25 < found["neighbours"] < 0.35
    assert found["others"] < 0.1
    with pytest.raises(ValueError, match="at least 2 maps"):
        lrn.map_correlations(np.zeros((5, 3)))
