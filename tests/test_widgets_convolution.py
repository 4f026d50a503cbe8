"""Chapter 1's parameter counter and chapter 4's downsampling viewer, headless."""

import keras
import numpy as np
import pytest

from cnnbook import pooling
from cnnbook.widgets_convolution import (
    DownsamplingViewer,
    ParameterCounter,
    parameter_counts,
    png_bytes,
)


def test_parameter_counts_agree_with_keras():
    counts = parameter_counts((40, 30, 3), units=7, filters=5, kernel_size=3)
    dense = keras.Sequential([keras.Input((40, 30, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(7)])
    conv = keras.Sequential([keras.Input((40, 30, 3)),
                             keras.layers.Conv2D(5, 3, padding="same")])
    assert counts["dense"] == dense.count_params() == (40 * 30 * 3 + 1) * 7
    assert counts["conv"] == conv.count_params() == (27 + 1) * 5
    assert counts["conv_outputs"] == 40 * 30 * 5
    assert counts["dense_same_outputs"] == (40 * 30 * 3 + 1) * 40 * 30 * 5


def test_counter_starts_on_the_chapter_image_and_recomputes():
    w = ParameterCounter()
    assert w.counts["dense"] == 18_000_100 and w.counts["conv"] == 2_800
    assert "18,000,100" in w.results.value and "2,800" in w.results.value
    assert "6,429 times" in w.results.value
    w.height.value = 400
    assert w.counts["dense"] == 36_000_100 and w.counts["conv"] == 2_800
    w.kernel_size.value = 5
    assert w.counts["conv"] == (5 * 5 * 3 + 1) * 100
    assert "(5x5x3 + 1) x 100" in w.results.value


@pytest.mark.parametrize("control, value, message", [
    ("kernel_size", 0, "kernel_size"),
    ("units", -1, "units"),
    ("height", 0, "input_shape"),
])
def test_counter_shows_bad_settings_instead_of_results(control, value, message):
    w = ParameterCounter()
    getattr(w, control).value = value
    assert w.counts is None and message in w.error
    assert "cnnbook-error" in w.results.value and message in w.results.value
    getattr(w, control).value = 3
    assert w.error is None and "parameters" in w.results.value


def test_viewer_shows_the_three_downsamplings_and_follows_the_controls():
    image = np.random.default_rng(0).random((30, 40)).astype(np.float32)
    w = DownsamplingViewer(image)
    assert w.error is None
    np.testing.assert_array_equal(w.outputs["max pooling"],
                                  pooling.max_pool(image, 2, 2))
    for method in w.METHODS:
        assert w.outputs[method].shape == (15, 20)
        assert bytes(w.pictures[method].value).startswith(b"\x89PNG")
        assert "15 x 20" in w.captions[method].value
    w.pool_size.value, w.strides.value = 3, 1
    assert w.outputs["average pooling"].shape == (28, 38)
    np.testing.assert_allclose(w.outputs["average pooling"],
                               pooling.avg_pool(image, 3, 1), rtol=1e-6)


def test_viewer_shows_a_message_for_a_window_larger_than_the_image():
    w = DownsamplingViewer(np.ones((5, 6)))
    w.pool_size.value = 6
    assert w.outputs == {} and "pool_size" in w.error
    assert "pool_size" in w.message.value
    assert all(bytes(p.value) == b"" for p in w.pictures.values())
    w.pool_size.value = 2
    assert w.error is None and w.message.value == ""


def test_png_bytes_is_deterministic_and_checks_its_input():
    image = np.arange(12.0).reshape(3, 4)
    assert png_bytes(image) == png_bytes(image)
    with pytest.raises(ValueError, match="image"):
        png_bytes(np.zeros(3))
    with pytest.raises(ValueError, match="image must be a 2-D"):
        DownsamplingViewer(np.zeros((1, 4, 4)))


def _tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


@pytest.mark.parametrize("make", [ParameterCounter,
                                  lambda: DownsamplingViewer(np.ones((8, 8)))])
def test_nothing_asks_the_page_to_typeset(make):
    """The published page's widget manager typesets descriptions, Label and
    HTMLMath with MathJax 2's API, which fails under the book's MathJax 3."""
    import ipywidgets

    for widget in _tree(make()):
        assert not getattr(widget, "description", ""), widget
        assert not isinstance(widget, ipywidgets.Label | ipywidgets.HTMLMath), widget
