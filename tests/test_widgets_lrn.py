"""The LRN explorer driven headless: set values, read what it shows."""

import numpy as np
import pytest

from cnnbook import lrn
from cnnbook.widgets_lrn import LRNExplorer, inhibition_rows


def test_starts_on_alexnet_constants_and_shows_inhibition():
    w = LRNExplorer()
    assert w.error is None
    expected = lrn.lrn(lrn.inhibition_stack(9), 2.0, 5, 1e-4, 0.75)
    np.testing.assert_allclose(w.output, expected)
    assert w.kept[3] < w.kept[0]  # a neighbour of map 4 is inhibited
    shown = w.results.value
    assert "4 (strong)" in shown and "100.00" in shown
    assert f"{expected[3, 3, 3]:,.3f}" in shown


def test_changing_constants_recomputes():
    w = LRNExplorer()
    before = w.kept.copy()
    w.alpha.value = 0.0
    np.testing.assert_allclose(w.kept, 2.0 ** -0.75)  # only k is left
    w.alpha.value = 1e-4
    w.n.value = 3
    assert w.kept[2] == pytest.approx(w.kept[1])  # map 2 is now out of reach
    assert w.kept[3] < w.kept[2]
    w.n.value = 5
    w.beta.value = 1.5
    assert np.all(w.kept < before)
    w.k.value = 1.0
    w.strong_value.value = 0.0
    assert np.isnan(w.kept[4]) and "nan" in w.results.value


@pytest.mark.parametrize("edit, message", [
    (lambda w: setattr(w.n, "value", 4), "n must be an odd"),
    (lambda w: setattr(w.k, "value", 0.0), "k must be"),
    (lambda w: setattr(w.alpha, "value", -1.0), "alpha must be"),
    (lambda w: setattr(w.weak_value, "value", -1.0), "weak_value must be"),
])
def test_bad_settings_show_the_message(edit, message):
    w = LRNExplorer()
    edit(w)
    assert w.output is None and message in w.error
    assert "cnnbook-error" in w.results.value


def test_inhibition_rows():
    stack = lrn.inhibition_stack(3, size=5)
    rows = inhibition_rows(stack, stack / 2)
    assert rows[1] == [1, "100.00", "50.000", "0.500"]
    assert len(rows) == 3
