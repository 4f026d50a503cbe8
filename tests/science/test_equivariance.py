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

    assert eq.equivariance_gaps(lambda z: np.asarray(conv(z)), x, 3, -2, 4).max_gap == 0
    assert eq.equivariance_gaps(dense_map, x, 1, 1, 2).max_gap > 0.1


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


def test_gaps_compare_like_with_like():
    x = np.zeros((1, 8, 8, 1))
    x[0, 3, 4, 0] = 2.0

    def swap(z):  # a layer that is not equivariant: flips the map left-right
        return z[:, :, ::-1]

    gaps = eq.equivariance_gaps(swap, x, 0, 1, 0)
    # shift(x) then flip puts the 2 at column 2; flip then shift at column 4
    assert gaps.max_gap == 2.0 and gaps.max_output == 2.0
    assert gaps.mean_gap == pytest.approx(2 * 2 / 64)
    assert gaps.mean_output == pytest.approx(2 / 64)
    assert gaps.relative_mean_gap == pytest.approx(2.0)
    same = eq.equivariance_gaps(lambda z: 3 * z, x, 1, 1, 1)
    assert same.max_gap == 0.0 and same.relative_mean_gap == 0.0


def test_invariance_shares_set_empty_windows_apart():
    before = np.array([0.0, 0.0, 1.0, 2.0, 3.0, 1e-9, 0.0, 4.0])
    after = np.array([0.0, 1e-9, 1.0, 2.5, 3.0, 0.0, 5.0, 0.0])
    shares = eq.invariance_shares(before, after, atol=1e-6)
    # zero on both sides: 0/0, 0/1e-9, 1e-9/0; unchanged: 1/1, 3/3; changed: 3 more
    assert (shares.zero_both, shares.unchanged, shares.changed) == (3 / 8, 2 / 8, 3 / 8)
    assert shares.count == 8
    assert shares.unchanged_of_nonzero == pytest.approx(2 / 5)
    # fraction_unchanged counts the empty windows as unchanged: 5 of 8
    assert eq.fraction_unchanged(before, after) == 5 / 8
    assert eq.invariance_shares(np.zeros(3), np.zeros(3)).unchanged_of_nonzero == 0


def test_max_pooling_of_relu_maps_keeps_some_nonzero_values_after_a_shift():
    rng = np.random.default_rng(3)
    maps = np.maximum(rng.normal(size=(2, 24, 24, 4)), 0)
    pool = keras.layers.MaxPooling2D(2, dtype="float64")
    before = eq.interior(np.asarray(pool(maps)), 2)
    after = eq.interior(np.asarray(pool(eq.shift(maps, 0, 1))), 2)
    shares = eq.invariance_shares(before, after)
    assert shares.zero_both + shares.unchanged + shares.changed == pytest.approx(1)
    assert 0.1 < shares.unchanged_of_nonzero < 0.9


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: eq.shift(np.zeros((4, 4)), 1, 1), "x must be a batch"),
        (lambda: eq.shift(np.zeros((1, 4, 4, 1)), 4, 0), "rows and cols"),
        (lambda: eq.interior(np.zeros((1, 4, 4, 1)), 2), "margin"),
        (lambda: eq.edge_kernel(["diagonal"]), "names"),
        (lambda: eq.fraction_unchanged(np.zeros(2), np.zeros(3)), "one shape"),
        (lambda: eq.to_gray(np.zeros((1, 2, 2, 1))), "3 channels"),
        (lambda: eq.equivariance_gaps(None, np.zeros((1, 4, 4, 1)), 1, 1, 1), "f must"),
        (lambda: eq.invariance_shares(np.zeros(2), np.zeros(3)), "one shape"),
        (lambda: eq.invariance_shares(np.zeros(0), np.zeros(0)), "at least one"),
        (lambda: eq.invariance_shares(np.zeros(2), np.zeros(2), -1), "atol"),
    ],
)
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
