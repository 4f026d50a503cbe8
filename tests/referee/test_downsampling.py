"""Chapter 4's experiments: max pooling as convolutions, shifts over seeds."""

import keras
import numpy as np
import pytest

from cnnbook.referee import downsampling as ds
from cnnbook.runtime import keras_float64
from cnnbook.science import equivariance as eq


def test_three_convolutions_equal_keras_max_pooling_on_maps_of_both_signs():
    x = np.random.default_rng(0).normal(size=(2, 14, 10, 5))
    model = ds.max_pool_as_convs(5)
    with keras_float64():
        expected = np.asarray(keras.layers.MaxPooling2D(2)(x))
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=0, atol=1e-12)
    assert [layer.filters for layer in model.layers] == [30, 15, 5]
    assert model.count_params() == (2 * 2 * 5 * 30 + 30) + (30 * 15 + 15) + (15 * 5 + 5)


@pytest.fixture(scope="module")
def photos():
    # noise with flat patches, as photographs have (sky, walls)
    x = np.random.default_rng(1).random((2, 40, 48, 1))
    x[:, 5:15, 5:20] = 0.5
    return x


def test_shift_experiment_compares_three_downsamplers_per_seed(photos):
    results = ds.shift_experiment(photos, seeds=[0, 1], filters=8)
    assert [(r.downsampler, r.seed) for r in results] == [
        (name, seed) for seed in (0, 1) for name in ds.DOWNSAMPLERS
    ]
    by_name = {
        name: ds.spread_of(results, name, lambda r: r.relative_change)
        for name in ds.DOWNSAMPLERS
    }
    assert all(s.n == 2 and s.low > 0 for s in by_name.values())
    for r in results:
        shares = r.shares
        assert shares.zero_both + shares.unchanged + shares.changed == pytest.approx(1)
    # max pooling keeps some nonzero outputs exactly; a strided conv keeps ~none
    unchanged = {
        name: ds.spread_of(results, name, lambda r: r.shares.unchanged_of_nonzero)
        for name in ds.DOWNSAMPLERS
    }
    assert unchanged["max pooling"].low > unchanged["strided convolution + ReLU"].high
    again = ds.shift_experiment(photos, seeds=[1], filters=8)
    assert again[0].shares == results[3].shares  # seeded: the same filters


def reference(photos, seed, filters=8, margin=4):
    """The measurement written with Keras layers on whole arrays and the NumPy
    measures of cnnbook.science.equivariance, for one seed."""
    keras.utils.set_random_seed(seed)
    with keras_float64():
        first = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        strided = keras.layers.Conv2D(
            filters, 3, strides=2, padding="same", activation="relu"
        )
        layers = [keras.layers.MaxPooling2D(2), keras.layers.AveragePooling2D(2)]
        first.build(photos.shape)
        strided.build((None, None, None, filters))
    maps, moved = (np.asarray(first(x)) for x in (photos, eq.shift(photos, 0, 1)))
    found = []
    for layer in [*layers, strided]:
        before = eq.interior(np.asarray(layer(maps)), margin)
        after = eq.interior(np.asarray(layer(moved)), margin)
        size = (np.abs(before).sum() + np.abs(after).sum()) / 2
        change = np.abs(after - before).sum() / size
        found.append((eq.invariance_shares(before, after), change))
    return found


def test_the_traced_measurement_is_the_numpy_one(photos):
    results = ds.shift_experiment(photos, seeds=[2], filters=8)
    for result, (shares, change) in zip(results, reference(photos, 2), strict=True):
        assert result.shares == shares
        assert result.relative_change == pytest.approx(change, rel=1e-12)


def test_differences_pair_the_downsamplers_seed_by_seed(photos):
    results = ds.shift_experiment(photos, seeds=[0, 1, 2], filters=8)
    d = ds.difference_of(
        results, "average pooling", "max pooling", lambda r: r.relative_change
    )
    by = {
        name: [r.relative_change for r in results if r.downsampler == name]
        for name in ("average pooling", "max pooling")
    }
    assert d.n == 3
    assert d.values == pytest.approx(
        [a - m for a, m in zip(by["average pooling"], by["max pooling"], strict=True)]
    )
    with pytest.raises(ValueError, match="same seeds"):
        ds.difference_of(
            results[:3] + results[4:],
            "max pooling",
            "average pooling",
            lambda r: r.relative_change,
        )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda p: ds.shift_experiment(p[..., 0], [0]), "grey images"),
        (lambda p: ds.shift_experiment(p, []), "at least one seed"),
        (lambda p: ds.shift_experiment(p, [-1]), "seeds"),
        (lambda p: ds.shift_experiment(p, [0], filters=0), "filters"),
        (lambda p: ds.max_pool_as_convs(0), "channels"),
        (lambda p: ds.spread_of([], "max pooling", abs), "no result|downsampler"),
    ],
)
def test_bad_arguments_name_themselves(photos, call, message):
    with pytest.raises(ValueError, match=message):
        call(photos)
