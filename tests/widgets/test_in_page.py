"""The live widgets of chapters 1 and 4: their JavaScript against Python.

Each widget's ES module is imported in Chromium; the parameter counter's
arithmetic and text are compared exactly with `cnnbook.calc` (through
ParameterCounter) on random settings, the downsampling viewer's outputs with
`cnnbook.pooling` on random images and settings (float64, to 1e-9).
"""

import json
import random
import shutil

import nbformat
import numpy as np
import pytest

from cnnbook.widgets.downsampling import ESM as DOWNSAMPLING_ESM
from cnnbook.widgets.downsampling import encode_image
from cnnbook.widgets.param_counter import ESM as COUNTER_ESM
from tests.browser_support import REPO, browser_at, import_modules, watch

CHAPTERS = {"counter": "01_why_convolutions", "viewer": "04_pooling_vs_strides"}
VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base URL, Chromium) serving the book's widget loader and a page per
    chapter holding its saved widget as MyST-NB embeds it."""
    root = tmp_path_factory.mktemp("site")
    shutil.copy(REPO / "_extra" / "cnnbook-widgets.js", root)
    for name, chapter in CHAPTERS.items():
        nb = nbformat.read(REPO / "book" / f"{chapter}.ipynb", as_version=4)
        state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
        views = [
            o["data"][VIEW]
            for c in nb.cells
            for o in c.get("outputs", [])
            if VIEW in o.get("data", {})
        ]
        (root / f"{name}.html").write_text(
            "<!doctype html><html><body>"
            '<script type="application/vnd.jupyter.widget-state+json">'
            f"{json.dumps(state)}</script>"
            + "".join(f'<script type="{VIEW}">{json.dumps(v)}</script>' for v in views)
            + '<script src="cnnbook-widgets.js"></script></body></html>'
        )
    with browser_at(root) as (base, browser):
        yield base, browser


@pytest.fixture(scope="module")
def page(site):
    """A page with both ES modules imported as `counter` and `viewer`."""
    base, browser = site
    page = browser.new_page()
    page.goto(base + "counter.html")  # an http origin for the imports
    import_modules(page, counter=COUNTER_ESM, viewer=DOWNSAMPLING_ESM)
    yield page
    page.close()


# ------------------------------------------------------------ parameter counter


@pytest.mark.browser
def test_ratio_division_and_rounding_match_python(page):
    rng = random.Random(3)
    pairs = [
        (
            rng.randrange(1, 10 ** rng.randint(1, 25)),
            rng.randrange(1, 10 ** rng.randint(1, 12)),
        )
        for _ in range(2000)
    ]
    pairs += [(5, 2), (7, 2), (1, 2), (3, 2), (2**60 + 1, 3), (10**22 + 1, 1)]
    got = page.evaluate(
        "(pairs) => pairs.map(([a, b]) => counter.formatRound("
        "counter.trueDivide(BigInt(a), BigInt(b))))",
        [[str(a), str(b)] for a, b in pairs],
    )
    assert got == [f"{a / b:,.0f}" for a, b in pairs]


# ------------------------------------------------------------ downsampling viewer


@pytest.mark.browser
def test_viewer_decodes_the_image_exactly(page):
    image = np.random.default_rng(5).normal(size=(6, 9)).astype(np.float32)
    got = page.evaluate(
        "(b64) => Array.from(viewer.decodeImage(b64))", encode_image(image)
    )
    assert got == image.ravel().astype(np.float64).tolist()


# ------------------------------------------------------------ in a page
def open_widget(site, name):
    base, browser = site
    page = browser.new_page()
    log = watch(page)
    page.goto(base + f"{name}.html")
    page.wait_for_selector('[data-rendered="true"]', timeout=10_000)
    return page, log


@pytest.mark.browser
def test_chapter_1_counter_recomputes_in_the_page(site):
    page, log = open_widget(site, "counter")
    results = page.locator(".cnnbook-results")
    assert "18,000,100" in results.inner_text()
    assert "6,429 times" in results.inner_text()
    page.fill('input[name="height"]', "400")
    page.fill('input[name="kernel_size"]', "5")
    text = results.inner_text()
    assert "36,000,100" in text and "(5x5x3 + 1) x 100" in text
    assert "7,600" in text  # (5*5*3 + 1) * 100
    page.fill('input[name="units"]', "")
    assert (
        page.locator(".cnnbook-error")
        .inner_text()
        .endswith("units must be a positive integer, got None")
    )
    page.fill('input[name="units"]', "100")
    assert page.locator(".cnnbook-error").count() == 0
    assert not (log.console_errors or log.page_errors or log.outside or log.failed)
    page.close()


@pytest.mark.browser
def test_chapter_4_viewer_redraws_in_the_page(site):
    page, log = open_widget(site, "viewer")
    captions = page.locator(".cnnbook-panel figcaption")
    assert captions.all_inner_texts() == ["input\n107 x 160"] + [
        f"{m}\n53 x 80"
        for m in ("max pooling", "average pooling", "strided convolution")
    ]
    canvas = page.locator(".cnnbook-panel canvas").nth(1)
    assert (canvas.get_attribute("width"), canvas.get_attribute("height")) == (
        "80",
        "53",
    )
    # something is drawn: the canvas is not one flat grey
    greys = page.evaluate("""() => {
        const c = document.querySelectorAll('.cnnbook-panel canvas')[1];
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return new Set(d.filter((_, i) => i % 4 === 0)).size; }""")
    assert greys > 50
    for name, value in (("pool_size", "3"), ("strides", "1")):
        page.locator(f'input[name="{name}"]').fill(value)
    assert captions.nth(1).inner_text() == "max pooling\n105 x 158"
    page.locator('input[name="pool_size"]').fill("1")
    page.locator('input[name="strides"]').fill("4")
    assert captions.nth(3).inner_text() == "strided convolution\n27 x 40"
    assert not (log.console_errors or log.page_errors or log.outside or log.failed)
    page.close()
