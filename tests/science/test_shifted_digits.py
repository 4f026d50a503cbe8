"""Digits on a canvas: placement, offsets, splits, and the windows a CNN keeps."""

import numpy as np
import pytest

from cnnbook.science import shifted_digits as sd


def test_place_puts_each_digit_at_its_offset_and_nothing_else():
    digits = np.arange(2 * 64, dtype=np.float32).reshape(2, 8, 8) + 1
    out = sd.place(digits, np.array([[0, 0], [12, 5]]), canvas=20)
    assert out.shape == (2, 20, 20, 1)
    np.testing.assert_array_equal(out[0, :8, :8, 0], digits[0])
    np.testing.assert_array_equal(out[1, 12:20, 5:13, 0], digits[1])
    assert out.sum() == pytest.approx(digits.sum())


def test_centred_and_random_offsets_stay_on_the_canvas():
    assert (sd.centred_offsets(3, 20) == 6).all()
    offsets = sd.random_offsets(2000, 20, np.random.default_rng(0))
    assert offsets.min() == 0 and offsets.max() == 12  # every position reachable


def test_load_splits_all_digits_and_is_seeded():
    data = sd.load(canvas=20, test_size=500)
    assert len(data.x_train) + len(data.x_test) == 1797
    assert len(data.x_test) == 500
    assert 0 <= data.x_train.min() and data.x_train.max() <= 1
    x1, y1 = data.test(shifted=True)
    x2, y2 = data.test(shifted=True)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, data.y_test)
    corners = data.test_offsets(shifted=True)
    for image, digit, (row, col) in zip(
        x1[:20], data.x_test[:20], corners[:20], strict=True
    ):
        np.testing.assert_array_equal(image[row : row + 8, col : col + 8, 0], digit)
    x, y = data.train(100, shifted=False)
    assert x.shape == (100, 20, 20, 1) and len(y) == 100
    np.testing.assert_array_equal(x[:, 6:14, 6:14, 0], data.x_train[:100])


def test_test_at_puts_every_test_digit_at_one_place():
    data = sd.load()
    x, y = data.test_at(2, 5)
    assert x.shape == (500, 20, 20, 1)
    np.testing.assert_array_equal(y, data.y_test)
    np.testing.assert_array_equal(x[:, 2:10, 5:13, 0], data.x_test)
    assert x.sum() == pytest.approx(data.x_test.sum())


def test_windows_of_the_chapters_cnn_by_hand():
    # conv 3 (20 -> 18), pool 2 (-> 9), conv 3 (-> 7). Centred (offset 6): the
    # digit's conv1 footprint is 4..13, pooled 2..6, and the second convolution's
    # windows 0..6 all see it: 7 of 7, the whole output.
    assert sd.axis_windows(6) == (7, 7)
    # offset 4: footprint 2..11, pooled 1..5, windows -1..5: the one at -1 is lost
    assert sd.axis_windows(4) == (6, 7)
    # offset 5 (odd): footprint 3..12, pooled 1..6 (six), windows -1..6: 7 of 8
    assert sd.axis_windows(5) == (7, 8)
    # offset 0: conv1 loses the windows at -2 and -1 too; pooled 0..3, kept 0..3
    assert sd.axis_windows(0) == (4, 7)
    assert sd.windows_kept(4, 5) == (6 * 7, 7 * 8)
    counts = [sd.axis_windows(o) for o in range(13)]
    assert counts == counts[::-1]  # the canvas is symmetric
    assert [o for o, (k, n) in enumerate(counts) if k == n] == [6]
    # a single convolution: every window of an 8-pixel digit exists unless it
    # reaches past the canvas, whatever the offset; none is lost on a wide canvas
    assert sd.axis_windows(0, 40, [("conv", 3)]) == (8, 10)
    assert sd.axis_windows(16, 40, [("conv", 3)]) == (10, 10)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: sd.place(np.zeros((1, 8, 8)), np.array([[0, 13]]), 20), "offsets"),
        (lambda: sd.place(np.zeros((1, 7, 8)), np.array([[0, 0]]), 20), "digits"),
        (lambda: sd.centred_offsets(2, 7), "canvas"),
        (lambda: sd.random_offsets(2, 20, 0), "rng"),
        (lambda: sd.load(test_size=0), "test_size"),
        (lambda: sd.load().train(5000), "count"),
        (lambda: sd.axis_windows(13), "offset"),
        (lambda: sd.axis_windows(-1), "offset"),
        (lambda: sd.axis_windows(0, 20, [("dense", 3)]), "layers"),
        (lambda: sd.axis_windows(0, 20, [("conv", 0)]), "layers"),
        (lambda: sd.axis_windows(0, 20, []), "layers"),
        (lambda: sd.load().test_at(13, 0), "offsets"),
    ],
)
def test_bad_arguments_name_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
