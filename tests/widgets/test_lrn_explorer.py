"""The LRN explorer's Python side, headless: set traits, read what it shows.

The page's JavaScript is compared with this in tests/test_live_lrn.py.
"""

import math

import nbformat
import numpy as np
import pytest

from cnnbook.science import lrn
from cnnbook.widgets.lrn_explorer import ESM, LRNExplorer, inhibition_rows
from tests.browser_support import REPO


def test_starts_on_alexnet_constants_and_shows_inhibition():
    w = LRNExplorer()
    assert w.error is None
    expected = lrn.lrn(lrn.inhibition_stack(9), 2.0, 5, 1e-4, 0.75)
    np.testing.assert_array_equal(w.output, expected)
    assert w.kept[3] < w.kept[0]  # a neighbour of map 4 is inhibited
    shown = w.text()
    assert shown["rows"][4][:2] == ["4 (strong)", "100.00"]
    assert shown["rows"][3][2] == f"{expected[3, 3, 3]:,.3f}"
    assert shown["bars"][0] == ["map 0", f"{w.kept[0]:.3f}", "60.0"]
    assert repr(w) == "LRNExplorer: 7 x 7 x 9 maps, k=2, n=5, alpha=0.0001, beta=0.75"


def test_changing_constants_recomputes():
    w = LRNExplorer()
    before = w.kept.copy()
    w.alpha = 0.0
    np.testing.assert_allclose(w.kept, 2.0**-0.75)  # only k is left
    w.alpha = 1e-4
    w.n = 3
    assert w.kept[2] == pytest.approx(w.kept[1])  # map 2 is now out of reach
    assert w.kept[3] < w.kept[2]
    w.n = 5
    w.alpha_per_n = True  # Caffe's alpha / n: weaker inhibition
    assert np.all(w.kept[2:7] > before[2:7])
    w.alpha_per_n = False
    w.beta = 1.5
    assert np.all(w.kept < before)


def test_a_zero_input_keeps_nan_and_a_zero_bar():
    w = LRNExplorer(k=1.0, beta=1.5, strong_value=0.0)
    assert np.isnan(w.kept[4])
    shown = w.text()
    assert shown["rows"][4][3] == "nan" and shown["bars"][4][1:] == ["0.000", "0.0"]
    assert "(strong)" not in shown["rows"][4][0]


def test_any_small_stack_is_explored():
    stack = np.random.default_rng(1).random((4, 5, 6))
    w = LRNExplorer(stack=stack, n=3, alpha=0.5)
    np.testing.assert_array_equal(w.output, lrn.lrn(stack, 2.0, 3, 0.5, 0.75))
    np.testing.assert_array_equal(w.kept, w.output[2, 2] / stack[2, 2])
    assert len(w.text()["rows"]) == 6


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"n": 4},
            "n must be an odd positive integer (the window is centred on the "
            "map), got 4",
        ),
        ({"n": None}, "n must be an odd positive integer"),
        ({"k": 0.0}, "k must be a finite number > 0, got 0.0"),
        ({"k": None}, "k must be a finite number > 0, got None"),
        ({"alpha": -1.0}, "alpha must be a finite number >= 0, got -1.0"),
        ({"beta": math.inf}, "beta must be a finite number >= 0, got inf"),
    ],
)
def test_bad_settings_show_the_message(settings, message):
    w = LRNExplorer()
    for name, value in settings.items():
        setattr(w, name, value)
    assert w.output is None and w.kept is None and w.error.startswith(message)
    assert w.text() == {"error": w.error}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": "2"}, "k must be a number, got '2'"),
        ({"alpha": None}, "alpha must be a number, got None"),
        ({"n": 5.0}, "n must be an integer, got 5.0"),
        ({"alpha_per_n": 1}, "alpha_per_n must be True or False, got 1"),
        ({"weak_value": -1.0}, "weak_value must be a finite number >= 0"),
        ({"channels": 0}, "channels must be a positive integer"),
        (
            {"stack": np.ones((3, 3))},
            r"stack must be a height x width x channels array "
            r"of finite numbers, got shape \(3, 3\)",
        ),
        ({"stack": [[[1.0, math.nan]]]}, "stack must be .* it holds inf or nan"),
        ({"stack": "maps"}, "stack must be a height x width x channels"),
        ({"stack": np.ones((50, 50, 9))}, "stack must hold at most 20,000 values"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LRNExplorer(**kwargs)


def test_inhibition_rows():
    stack = lrn.inhibition_stack(3, size=5)
    rows = inhibition_rows(stack, stack / 2)
    assert rows[1] == [1, "100.00", "50.000", "0.500"]
    assert len(rows) == 3


def test_state_carries_the_module_and_the_maps_for_the_static_page():
    state = LRNExplorer().get_state()
    assert state["_esm"] == ESM
    assert np.array_equal(state["stack"], lrn.inhibition_stack(9))
    assert (state["k"], state["n"], state["alpha"], state["beta"]) == (
        2.0,
        5,
        1e-4,
        0.75,
    )


def test_chapter_5_carries_the_current_module():
    """A notebook saved before lrn.js changed would publish the old one."""
    path = REPO / "book" / "05_local_response_normalization.ipynb"
    widgets = nbformat.read(path, as_version=4).metadata.get("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {})
    saved = [
        model["state"]
        for model in state.get("state", {}).values()
        if model["state"].get("_anywidget_id", "").endswith("LRNExplorer")
    ]
    assert saved, "chapter 5 does not show the live LRN explorer"
    assert all(s["_esm"] == ESM for s in saved), (
        "re-execute book/05_local_response_normalization.ipynb"
    )
