"""Shifts and equivariance measures, with Keras layers as the referee."""

import keras
import numpy as np
import pytest

from cnnbook.science import equivariance as eq


def test_shift_moves_content_and_fills_with_zeros():
    x = np.arange(1, 26, dtype=np.float32).reshape(1, 5, 5, 1)
    moved = eq.shift(x, 1, -2)
    np.testing.assert_array_equal(moved[0, 1:, :3, 0], x[0, :4, 2:, 0])
    assert (moved[0, 0] == 0).all() and (moved[0, :, 3:] == 0).all()
    np.testing.assert_array_equal(eq.shift(x, 0, 0), x)


def test_keras_convolution_is_equivariant_and_dense_is_not():
    rng = np.random.default_rng(0)
    x = rng.random((2, 24, 24, 1)).astype(np.float32)
    keras.utils.set_random_seed(0)
    conv = keras.layers.Conv2D(4, 3, padding="same")
    dense = keras.layers.Dense(24 * 24)

    def dense_map(z):
        return np.asarray(dense(z.reshape(len(z), -1))).reshape(z.shape)

    assert eq.equivariance_gap(lambda z: np.asarray(conv(z)), x, 3, -2, 4) == 0.0
    assert eq.equivariance_gap(dense_map, x, 1, 1, 2) > 0.1


def test_edge_filters_as_a_keras_kernel_find_the_edges():
    image = np.zeros((1, 8, 8, 1), np.float32)
    image[:, :, 4:] = 1.0  # a vertical edge between columns 3 and 4
    conv = keras.layers.Conv2D(2, 3, use_bias=False)
    conv.build(image.shape)
    conv.set_weights([eq.edge_kernel()])
    out = np.asarray(conv(image))
    assert np.abs(out[..., 0]).max() == 4  # Sobel: 1 + 2 + 1
    assert np.abs(out[..., 1]).max() == 0  # nothing horizontal


def test_to_gray_fraction_unchanged_and_interior():
    rgb = np.full((1, 2, 2, 3), 255, np.uint8)
    np.testing.assert_allclose(eq.to_gray(rgb), 1.0, rtol=1e-6)
    a = np.zeros((1, 4, 4, 1))
    b = a.copy()
    b[0, 0, 0, 0] = 1
    assert eq.fraction_unchanged(a, b) == 15 / 16
    assert eq.interior(a, 1).shape == (1, 2, 2, 1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: eq.shift(np.zeros((4, 4)), 1, 1), "x must be a batch"),
        (lambda: eq.shift(np.zeros((1, 4, 4, 1)), 4, 0), "rows and cols"),
        (lambda: eq.interior(np.zeros((1, 4, 4, 1)), 2), "margin"),
        (lambda: eq.edge_kernel(["diagonal"]), "names"),
        (lambda: eq.fraction_unchanged(np.zeros(2), np.zeros(3)), "one shape"),
        (lambda: eq.to_gray(np.zeros((1, 2, 2, 1))), "3 channels"),
        (lambda: eq.equivariance_gap(None, np.zeros((1, 4, 4, 1)), 1, 1, 1), "f must"),
    ],
)
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
