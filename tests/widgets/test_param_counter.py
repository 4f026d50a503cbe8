"""Chapter 1's parameter counter and chapter 4's downsampling viewer: Python side.

The JavaScript that runs in the page is compared with this Python side in
tests/widgets/test_parity.py (Node.js and Chromium) and tests/widgets/test_in_page.py.
"""

import re

import keras
import nbformat
import numpy as np
import pytest

from cnnbook.science import pooling
from cnnbook.widgets.downsampling import ESM as DOWNSAMPLING_ESM
from cnnbook.widgets.downsampling import DownsamplingViewer, decode_image, encode_image
from cnnbook.widgets.param_counter import ESM as COUNTER_ESM
from cnnbook.widgets.param_counter import ParameterCounter, parameter_counts
from tests.browser_support import REPO


def test_parameter_counts_agree_with_keras():
    counts = parameter_counts((40, 30, 3), units=7, filters=5, kernel_size=3)
    dense = keras.Sequential(
        [keras.Input((40, 30, 3)), keras.layers.Flatten(), keras.layers.Dense(7)]
    )
    conv = keras.Sequential(
        [keras.Input((40, 30, 3)), keras.layers.Conv2D(5, 3, padding="same")]
    )
    assert counts["dense"] == dense.count_params() == (40 * 30 * 3 + 1) * 7
    assert counts["conv"] == conv.count_params() == (27 + 1) * 5
    assert counts["conv_outputs"] == 40 * 30 * 5
    assert counts["dense_same_outputs"] == (40 * 30 * 3 + 1) * 40 * 30 * 5


def test_parameter_counts_stay_exact_beyond_float_precision():
    counts = parameter_counts((100_000, 100_000, 64), 50_000, 1, 1)
    assert counts["dense"] == (100_000 * 100_000 * 64 + 1) * 50_000
    assert counts["dense"] > 2**53


def test_counter_starts_on_the_chapter_image_and_recomputes():
    w = ParameterCounter()
    assert w.counts["dense"] == 18_000_100 and w.counts["conv"] == 2_800
    assert w.text["dense"] == "18,000,100" and w.text["conv"] == "2,800"
    assert w.text["ratio"] == "6,429"
    assert repr(w) == (
        "ParameterCounter: Dense 18,000,100 parameters, Conv2D 2,800 parameters"
    )
    w.height = 400
    assert w.counts["dense"] == 36_000_100 and w.counts["conv"] == 2_800
    w.kernel_size = 5
    assert w.counts["conv"] == (5 * 5 * 3 + 1) * 100
    assert w.text["conv_formula"] == "(5x5x3 + 1) x 100"


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("kernel_size", 0, "kernel_size must be a positive integer or a pair"),
        ("units", -1, "units must be a positive integer, got -1"),
        ("height", 0, "input_shape must be (H, W, C)"),
        ("filters", None, "filters must be a positive integer, got None"),
    ],
)
def test_counter_shows_bad_settings_instead_of_results(setting, value, message):
    w = ParameterCounter()
    setattr(w, setting, value)
    assert w.counts is None and w.text is None and w.error.startswith(message)
    assert repr(w) == f"ParameterCounter: {w.error}"
    setattr(w, setting, 3)
    assert w.error is None and w.counts is not None


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"height": 2.5}, "height must be an integer, got 2.5"),
        ({"units": "100"}, "units must be an integer"),
        ({"kernel_size": True}, "kernel_size must be an integer"),
    ],
)
def test_counter_rejects_arguments_that_are_not_integers(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ParameterCounter(**kwargs)


def test_viewer_gives_pooling_outputs_and_follows_its_settings():
    image = np.random.default_rng(0).random((30, 40)).astype(np.float32)
    w = DownsamplingViewer(image)
    assert w.error is None
    np.testing.assert_array_equal(w.image, image)
    np.testing.assert_array_equal(
        w.outputs["max pooling"], pooling.max_pool(image, 2, 2)
    )
    assert all(w.outputs[m].shape == (15, 20) for m in w.METHODS)
    assert repr(w) == "DownsamplingViewer: 30 x 40 image -> 15 x 20"
    w.pool_size, w.strides = 3, 1
    np.testing.assert_array_equal(
        w.outputs["average pooling"], pooling.avg_pool(image, 3, 1)
    )
    np.testing.assert_array_equal(
        w.outputs["strided convolution"],
        pooling.strided_conv(image, pooling.edge_kernel(3), 1),
    )


def test_viewer_state_carries_image_kernels_and_module():
    image = np.arange(20.0).reshape(4, 5)
    state = DownsamplingViewer(image, max_pool_size=3).get_state()
    assert state["_esm"] == DOWNSAMPLING_ESM
    assert state["image_shape"] == [4, 5]
    np.testing.assert_array_equal(decode_image(state["image_b64"], (4, 5)), image)
    assert len(state["kernels"]) == 3
    for k, kernel in enumerate(state["kernels"], 1):
        np.testing.assert_array_equal(kernel, pooling.edge_kernel(k))
    assert ParameterCounter().get_state()["_esm"] == COUNTER_ESM


def test_encode_image_round_trips_float32():
    image = np.random.default_rng(1).normal(size=(3, 7)).astype(np.float32)
    np.testing.assert_array_equal(decode_image(encode_image(image), (3, 7)), image)


@pytest.mark.parametrize(
    "setting, value, message",
    [
        ("pool_size", 6, r"pool_size must be at most the image's smaller side \(5\)"),
        ("pool_size", 0, "pool_size must be a positive integer, got 0"),
        ("strides", None, "strides must be a positive integer, got None"),
    ],
)
def test_viewer_shows_a_message_for_bad_settings(setting, value, message):
    w = DownsamplingViewer(np.ones((5, 6)))
    setattr(w, setting, value)
    assert w.outputs == {}
    assert w.error is not None and re.match(message, w.error), w.error
    setattr(w, setting, 2)
    assert w.error is None


def test_viewer_names_pool_sizes_beyond_its_kernels():
    w = DownsamplingViewer(np.ones((20, 20)), max_pool_size=4)
    w.pool_size = 5
    assert w.error == "pool_size must be at most 4 here, got 5"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image": np.zeros((1, 4, 4))}, "image must be a 2-D grey image"),
        ({"image": np.zeros((1, 4))}, "image must be a 2-D grey image"),
        ({"image": np.full((4, 4), np.nan)}, "image must hold finite values"),
        ({"image": np.zeros((300, 300))}, "image must have at most 40,000 pixels"),
        ({"pool_size": 2.0}, "pool_size must be an integer"),
        ({"strides": "2"}, "strides must be an integer"),
        ({"display_size": 8}, "display_size must be an integer of at least 16"),
        ({"max_pool_size": 0}, "max_pool_size must be a positive integer"),
    ],
)
def test_viewer_rejects_bad_arguments_naming_them(kwargs, message):
    kwargs = {"image": np.ones((8, 8)), **kwargs}
    with pytest.raises(ValueError, match=message):
        DownsamplingViewer(**kwargs)


@pytest.mark.parametrize(
    "chapter, name, esm",
    [
        ("01_why_convolutions", "ParameterCounter", COUNTER_ESM),
        ("04_pooling_vs_strides", "DownsamplingViewer", DOWNSAMPLING_ESM),
    ],
)
def test_chapters_save_only_the_live_widget_with_its_current_module(chapter, name, esm):
    """A chapter saved before the module changed would publish the old one, and
    any plain ipywidget would pull the 4.4 MB widget manager into the page."""
    nb = nbformat.read(REPO / "book" / f"{chapter}.ipynb", as_version=4)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    models = list(state["state"].values())
    # one anywidget and its layout model (@jupyter-widgets/base); no controls
    assert sorted(m["model_module"] for m in models) == [
        "@jupyter-widgets/base",
        "anywidget",
    ]
    saved = next(m["state"] for m in models if m["model_module"] == "anywidget")
    assert saved["_anywidget_id"].endswith(name)
    assert saved["_esm"] == esm, "re-execute the chapter"
