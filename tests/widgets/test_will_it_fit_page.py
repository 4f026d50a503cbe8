"""The will-it-fit calculator's JavaScript, in Chromium, against memory_plan.

The page's ES module (cnnbook/static/will_it_fit.js) must compute and show
exactly what the Python side computes: the largest batch, every part of the
step's memory in bytes, and the formatted text, on random settings (valid and
not). Browser-marked: needs Debian's Chromium (tests/browser_support.py).
"""

import random

import pytest

from cnnbook.units import format_bytes
from cnnbook.widgets.will_it_fit import (
    ESM,
    WillItFit,
)
from tests import browser_support


@pytest.fixture(scope="module")
def module_page():
    """A Chromium page with the calculator's ES module imported as `window.fit`."""
    with browser_support.module_page(fit=ESM) as page:
        yield page


@pytest.mark.browser
def test_formatting_and_reprs_match_python(module_page):
    rng = random.Random(5)
    values = [
        0.0,
        -0.0,
        1.0,
        12.0,
        0.5,
        1e-4,
        1e-5,
        123456.789,
        1e15,
        1e16,
        1e22,
        -2.5,
        0.1,
        1 / 3,
        2.675,
        5e-324,
        1.7976931348623157e308,
    ]
    values += [rng.uniform(-1e6, 1e6) * 10.0 ** rng.randint(-8, 12) for _ in range(300)]
    got = module_page.evaluate(
        "(vs) => vs.map((v) => [fit.pyFloat(v), fit.formatGB(v)])", values
    )
    assert got == [[repr(v), format_bytes(v, "GB", 2)] for v in values]
    texts = [
        "12",
        " 3.5 ",
        "-2",
        "1e3",
        ".5",
        "5.",
        "inf",
        "-Infinity",
        "nan",
        "",
        "abc",
        "1,5",
        "0x10",
        "1e400",
    ]
    parsed = module_page.evaluate(
        "(ts) => ts.map((t) => fit.pyFloat(fit.parseNumber(t)))", texts
    )

    def py_float(text):
        try:
            return repr(float(text))
        except ValueError:
            return "None"

    assert parsed == [py_float(t) for t in texts]


@pytest.mark.browser
def test_page_controls_recompute(module_page):
    """Render into the page with a stand-in model, then edit the controls."""
    result = module_page.evaluate(
        """(state) => {
        const model = standInModel(state);
        const el = document.createElement('div');
        document.body.append(el);
        fit.default.render({ model, el });
        const head = () => el.querySelector('.cnnbook-results').textContent;
        const shown = [head()];
        const gpu = el.querySelector('select[name="GPU memory"]');
        gpu.value = 'custom';
        gpu.dispatchEvent(new Event('change'));
        const custom = el.querySelector('input[name="custom (GB)"]');
        custom.value = '0.3';
        custom.dispatchEvent(new Event('input'));
        shown.push(head(), String(custom.disabled));
        custom.value = 'lots';
        custom.dispatchEvent(new Event('input'));
        shown.push(head());
        return shown;
    }""",
        WillItFit().get_state(),
    )
    first = WillItFit().text()
    assert result[0].startswith(first["headline"])
    assert "Not even one image fits" in result[1] and result[2] == "false"
    assert "custom GPU memory must be a positive number of GB, got None" in result[3]
