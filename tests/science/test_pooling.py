"""NumPy pooling and strided convolution against Keras, and the timing helper."""

import keras
import numpy as np
import pytest

from cnnbook.science import pooling


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(0).random((13, 17)).astype(np.float32)


def _keras(layer, image):
    return np.asarray(layer(image[None, :, :, None]))[0, :, :, 0]


@pytest.mark.parametrize("size, strides", [(2, 2), (3, 2), (2, 1), (3, 3), (1, 2)])
def test_pooling_equals_keras_valid_pooling(image, size, strides):
    np.testing.assert_array_equal(
        pooling.max_pool(image, size, strides),
        _keras(keras.layers.MaxPooling2D(size, strides), image),
    )
    np.testing.assert_allclose(
        pooling.avg_pool(image, size, strides),
        _keras(keras.layers.AveragePooling2D(size, strides), image),
        rtol=1e-5,
    )


@pytest.mark.parametrize("size, strides", [(3, 2), (2, 2), (1, 3)])
def test_strided_conv_equals_keras_conv2d(image, size, strides):
    kernel = pooling.edge_kernel(size)
    conv = keras.layers.Conv2D(1, size, strides=strides, use_bias=False)
    conv.build((1, *image.shape, 1))
    conv.set_weights([kernel[:, :, None, None]])
    np.testing.assert_allclose(
        pooling.strided_conv(image, kernel, strides),
        _keras(conv, image),
        rtol=1e-5,
        atol=1e-6,
    )


def test_average_kernel_makes_a_conv_into_average_pooling():
    x = np.random.default_rng(1).random((2, 8, 8, 5)).astype(np.float32)
    conv = keras.layers.Conv2D(5, 2, strides=2, use_bias=False)
    conv.build(x.shape)
    conv.set_weights([pooling.average_kernel(2, 5)])
    np.testing.assert_allclose(
        np.asarray(conv(x)),
        np.asarray(keras.layers.AveragePooling2D(2)(x)),
        rtol=1e-6,
        atol=1e-7,
    )


def test_downsample_all_and_edge_kernel(image):
    out = pooling.downsample_all(image, 2, 2)
    assert list(out) == ["max pooling", "average pooling", "strided convolution"]
    assert all(v.shape == (6, 8) for v in out.values())
    assert (out["max pooling"] >= out["average pooling"]).all()
    np.testing.assert_array_equal(pooling.edge_kernel(1), [[1.0]])
    assert pooling.edge_kernel(3).sum() == pytest.approx(0.0, abs=1e-6)


def test_max_pool_kernels_make_three_convolutions_equal_to_max_pooling():
    # Keras is the referee: values of both signs, ties included (zeros).
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 10, 12, 3))
    x[0, :2, :2] = 0.0
    x[1, 4:6, 4:6] = -1.5
    model = keras.Sequential(
        [
            keras.Input((10, 12, 3), dtype="float64"),
            keras.layers.Conv2D(18, 2, strides=2, activation="relu", dtype="float64"),
            keras.layers.Conv2D(9, 1, activation="relu", dtype="float64"),
            keras.layers.Conv2D(3, 1, dtype="float64"),
        ]
    )
    for layer, weights in zip(model.layers, pooling.max_pool_kernels(3), strict=True):
        layer.set_weights(list(weights))
    expected = np.asarray(keras.layers.MaxPooling2D(2, dtype="float64")(x))
    np.testing.assert_allclose(np.asarray(model(x)), expected, rtol=0, atol=1e-12)
    # each output reads its own channel only: zero weights across channels
    first = pooling.max_pool_kernels(3)[0][0]
    assert np.count_nonzero(first[:, :, 1, :6]) == 0
    assert np.count_nonzero(first) == 3 * 8  # 1 + 1 + 2 taps, twice, per channel


def test_fastest_interleaved_takes_turns_and_keeps_each_shortest_call():
    calls = []
    ticks = iter(range(1000))
    best = pooling.fastest_interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
        repeats=3,
        warmup=1,
        clock=lambda: next(ticks),
    )
    assert calls == ["a", "b"] * 4  # one warm-up round, then three in turn
    assert best == {"a": 1, "b": 1}  # the fake clock advances one tick per read
    real = pooling.fastest_interleaved({"x": lambda: sum(range(100))}, repeats=2)
    assert real["x"] >= 0


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pooling.max_pool(np.zeros((4, 4)), 5), "pool_size must be at most"),
        (lambda: pooling.max_pool(np.zeros((4, 4)), 0), "pool_size"),
        (lambda: pooling.avg_pool(np.zeros((4, 4)), 2, 0), "strides"),
        (lambda: pooling.max_pool(np.zeros((1, 4, 4)), 2), "2-D"),
        (lambda: pooling.strided_conv(np.zeros((4, 4)), np.zeros((2, 3))), "kernel"),
        (lambda: pooling.average_kernel(2, 0), "channels"),
        (lambda: pooling.fastest_interleaved({}), "functions must"),
        (lambda: pooling.fastest_interleaved({"a": 1}), r"functions\['a'\]"),
        (lambda: pooling.fastest_interleaved({"a": print}, clock=3), "clock"),
        (lambda: pooling.max_pool_kernels(0), "channels"),
    ],
)
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
