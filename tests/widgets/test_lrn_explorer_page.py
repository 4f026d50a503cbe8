"""The LRN explorer's JavaScript, in Chromium, against cnnbook.lrn (NumPy).

The page's ES module (cnnbook/static/lrn.js) must compute LRN like
`cnnbook.lrn.lrn` (to 1e-9 relative in float64), reject what it rejects with
the same message, and show exactly the text LRNExplorer.text() gives, on random
stacks and constants. Browser-marked: needs Debian's Chromium.
"""

import numpy as np
import pytest

from cnnbook.widgets.lrn_explorer import ESM, LRNExplorer
from tests import browser_support


@pytest.fixture(scope="module")
def module_page():
    """A Chromium page with the explorer's ES module imported as `window.lrn`."""
    with browser_support.module_page(lrn=ESM) as page:
        yield page


@pytest.mark.browser
def test_chapter_settings_agree_exactly(module_page):
    """The explorer as the chapter shows it, and with each constant changed."""
    for change in (
        {},
        {"n": 3},
        {"alpha": 0.0},
        {"beta": 1.5},
        {"k": 1.0},
        {"alpha_per_n": True},
        {"n": 4},
        {"k": 0.0},
    ):
        widget = LRNExplorer()
        for name, value in change.items():
            setattr(widget, name, value)
        state = {
            n: getattr(widget, n)
            for n in ("stack", "k", "n", "alpha", "beta", "alpha_per_n")
        }
        have = module_page.evaluate(
            "(s) => { const r = lrn.describe(s); return r.error !== undefined ? r"
            " : { output: r.output, text: r.text }; }",
            state,
        )
        if widget.error is not None:
            assert have == {"error": widget.error}
            continue
        assert have["text"] == widget.text(), change
        np.testing.assert_allclose(have["output"], widget.output, rtol=1e-12)


@pytest.mark.browser
def test_page_draws_the_maps_and_recomputes(module_page):
    """Render with a stand-in model, type into the controls, read the page."""
    shown = module_page.evaluate(
        """(state) => {
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
    }""",
        LRNExplorer().get_state(),
    )
    assert shown["rects"] == 3 * 9 * (49 + 1)  # three rows of nine 7 x 7 maps
    flat = [cell for row in LRNExplorer().text()["rows"] for cell in row]
    assert shown["first"] == flat
    three = LRNExplorer(n=3).text()["rows"]
    assert shown["three"] == [cell for row in three for cell in row]
    assert "n must be an odd positive integer" in shown["error"]
