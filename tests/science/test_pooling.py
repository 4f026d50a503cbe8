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


def test_fastest_seconds_returns_the_shortest_call():
    calls = []
    assert pooling.fastest_seconds(lambda: calls.append(1), repeats=3, warmup=1) >= 0
    assert len(calls) == 4


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: pooling.max_pool(np.zeros((4, 4)), 5), "pool_size must be at most"),
        (lambda: pooling.max_pool(np.zeros((4, 4)), 0), "pool_size"),
        (lambda: pooling.avg_pool(np.zeros((4, 4)), 2, 0), "strides"),
        (lambda: pooling.max_pool(np.zeros((1, 4, 4)), 2), "2-D"),
        (lambda: pooling.strided_conv(np.zeros((4, 4)), np.zeros((2, 3))), "kernel"),
        (lambda: pooling.average_kernel(2, 0), "channels"),
        (lambda: pooling.fastest_seconds(None), "f must"),
    ],
)
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
