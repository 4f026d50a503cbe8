"""The LRN explorer's JavaScript, in Chromium, against cnnbook.lrn (NumPy).

The page's ES module (cnnbook/static/lrn.js) must compute LRN like
`cnnbook.lrn.lrn` (to 1e-9 relative in float64), reject what it rejects with
the same message, and show exactly the text LRNExplorer.text() gives, on random
stacks and constants. Browser-marked: needs Debian's Chromium.
"""

import math
import random

import numpy as np
import pytest

from cnnbook import lrn
from cnnbook.widgets_lrn import ESM, LRNExplorer
from tests import browser_support


def random_cases(count: int, seed: int = 2026) -> list[dict]:
    """Stacks (random shapes and values) with constants, some invalid."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)

    def number(low, high, bad):
        if rng.random() < 0.04:
            return rng.choice(bad)
        log_uniform = 10 ** rng.uniform(math.log10(low or 1e-6), math.log10(high))
        return float(rng.choice([rng.uniform(low, high),
                                 round(rng.uniform(low, high), 2), log_uniform]))

    cases = []
    for _ in range(count):
        shape = (rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 12))
        scale = 10 ** rng.uniform(-2, 3)
        values = nprng.normal(0, scale, shape)
        if rng.random() < 0.3:
            values = np.abs(values)
        if rng.random() < 0.2:
            values = np.round(values, rng.randint(0, 2))  # ties and zeros
        if rng.random() < 0.15:
            values = lrn.inhibition_stack(shape[2], rng.randint(1, 9),
                                          strong_value=rng.choice([0.0, 1.0, 100.0]),
                                          weak_value=rng.choice([0.0, 10.0]))
        cases.append({
            "stack": values.tolist(),
            "k": number(1e-3, 10, [0.0, -1.0, None, math.inf]),
            "n": rng.choice([1, 3, 5, 5, 7, 9, 13]) if rng.random() > 0.05
            else rng.choice([0, 2, 4, -3, None]),
            "alpha": number(0, 2, [-1e-4, None, math.nan]),
            "beta": number(0, 3, [-0.5, None]) if rng.random() > 0.1
            else rng.choice([0.0, 0.5, 1.0, 2.0]),
            "alpha_per_n": rng.random() < 0.3,
        })
    return cases


def python_answer(case: dict) -> dict:
    widget = LRNExplorer(stack=case["stack"])
    for name in ("k", "n", "alpha", "beta", "alpha_per_n"):
        setattr(widget, name, case[name])
    if widget.error is not None:
        return {"error": widget.error}
    return {"output": widget.output, "kept": widget.kept, "text": widget.text()}


@pytest.fixture(scope="module")
def module_page():
    """A Chromium page with the explorer's ES module imported as `window.lrn`."""
    with browser_support.module_page(lrn=ESM) as page:
        yield page


@pytest.mark.browser
def test_module_agrees_with_numpy_on_random_stacks(module_page):
    cases = random_cases(400)
    got = module_page.evaluate("""(cases) => cases.map((c) => {
        const r = lrn.describe(c);
        return r.error !== undefined ? r
          : { output: r.output, kept: r.kept.map(String), text: r.text };
    })""", cases)
    valid = 0
    for case, have in zip(cases, got, strict=True):
        want = python_answer(case)
        if "error" in want:
            assert have == want, case
            continue
        valid += 1
        assert "error" not in have, (case, have)
        np.testing.assert_allclose(np.array(have["output"]), want["output"],
                                   rtol=1e-9, atol=0, err_msg=str(case))
        kept = np.array([float(v) for v in have["kept"]])
        np.testing.assert_allclose(kept, want["kept"], rtol=1e-9, atol=0,
                                   equal_nan=True)
        assert have["text"] == want["text"], case
    assert 300 <= valid < len(cases)


@pytest.mark.browser
def test_chapter_settings_agree_exactly(module_page):
    """The explorer as the chapter shows it, and with each constant changed."""
    for change in ({}, {"n": 3}, {"alpha": 0.0}, {"beta": 1.5}, {"k": 1.0},
                   {"alpha_per_n": True}, {"n": 4}, {"k": 0.0}):
        widget = LRNExplorer()
        for name, value in change.items():
            setattr(widget, name, value)
        state = {n: getattr(widget, n)
                 for n in ("stack", "k", "n", "alpha", "beta", "alpha_per_n")}
        have = module_page.evaluate(
            "(s) => { const r = lrn.describe(s); return r.error !== undefined ? r"
            " : { output: r.output, text: r.text }; }", state)
        if widget.error is not None:
            assert have == {"error": widget.error}
            continue
        assert have["text"] == widget.text(), change
        np.testing.assert_allclose(have["output"], widget.output, rtol=1e-12)


@pytest.mark.browser
def test_page_draws_the_maps_and_recomputes(module_page):
    """Render with a stand-in model, type into the controls, read the page."""
    shown = module_page.evaluate("""(state) => {
        const model = standInModel(state);
        const el = document.createElement('div');
        document.body.append(el);
        lrn.default.render({ model, el });
        const cells = () => [...el.querySelectorAll('.cnnbook-results td')]
          .map((td) => td.textContent);
        const out = { rects: el.querySelectorAll('svg.cnnbook-maps rect').length,
                      first: cells() };
        const n = el.querySelector('input[name="n (maps)"]');
        n.value = '3';
        n.dispatchEvent(new Event('input'));
        out.three = cells();
        n.value = '4';
        n.dispatchEvent(new Event('input'));
        out.error = el.querySelector('.cnnbook-error').textContent;
        return out;
    }""", LRNExplorer().get_state())
    assert shown["rects"] == 3 * 9 * (49 + 1)  # three rows of nine 7 x 7 maps
    flat = [cell for row in LRNExplorer().text()["rows"] for cell in row]
    assert shown["first"] == flat
    three = LRNExplorer(n=3).text()["rows"]
    assert shown["three"] == [cell for row in three for cell in row]
    assert "n must be an odd positive integer" in shown["error"]
