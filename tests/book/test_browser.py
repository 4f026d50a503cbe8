"""The published book in a real browser: self-contained, typeset, live widgets.

Drives Debian's Chromium (Playwright for Python) against `_build/html` served on
127.0.0.1. Every request to any other host is aborted and recorded, so each
test also shows the page working with the network cut. Screenshots and page
weights are kept in `test-artifacts/`.
"""

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from cnnbook import calc
from cnnbook.units import format_bytes, format_int
from tests.browser_support import (
    ARTIFACTS,
    HTML,
    PAGE_TIMEOUT_MS,
    artifact_name,
    build_book,
    is_local,
    open_book_page,
    serve,
    toc_pages,
    watch,
)

CHAPTER_2 = "book/02_counting_parameters_and_memory.html"
# Each page with everything it loads, uncompressed: a phone on a slow link.
MAX_PAGE_BYTES = 2_000_000
TIMEOUT_MS = PAGE_TIMEOUT_MS
PAGES = toc_pages()


def open_page(site, path: str):
    """Load a page, wait for its widgets; returns (page, log)."""
    return open_book_page(site, path)


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_page_is_self_contained_and_renders(site, path):
    page, log = open_page(site, path)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(
            path=str(ARTIFACTS / f"{artifact_name(path)}.png"), full_page=True
        )
        assert log.outside == [], "requests outside 127.0.0.1"
        assert log.failed == [], "failed requests"
        assert log.page_errors == [], "uncaught errors"
        assert log.console_errors == [], "console errors"
        views = page.locator(
            'script[type="application/vnd.jupyter.widget-view+json"]'
        ).count()
        rendered = page.locator(".widget-subarea").count()
        assert rendered >= views
        # Math is MathML typeset at build time: drawn by the browser, with a
        # real size, and no math script on the page.
        maths = page.locator(".math").count()
        assert page.locator(".math > math").count() == maths
        boxes = page.locator(".math > math").evaluate_all(
            "(ms) => ms.map((m) => m.getBoundingClientRect().height)"
        )
        assert all(height > 5 for height in boxes), boxes
        assert not [u for u in log.bytes_by_url if re.search(r"mathjax|tex-", u)]
    finally:
        page.context.close()


@pytest.mark.browser
def test_pages_weigh_under_2_mb_with_all_their_assets(site):
    """Every page with its scripts, styles, fonts and images, as loaded."""
    weights = {}
    for path in PAGES:
        page, log = open_page(site, path)
        page.context.close()
        weights[path] = {
            "bytes": log.total_bytes,
            "responses": len(log.bytes_by_url),
            "largest": sorted(log.bytes_by_url.items(), key=lambda kv: -kv[1])[:5],
        }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(json.dumps(weights, indent=1) + "\n")
    heavy = {p: w["bytes"] for p, w in weights.items() if w["bytes"] >= MAX_PAGE_BYTES}
    assert heavy == {}, f"pages of {MAX_PAGE_BYTES:,} bytes or more: {heavy}"
    assert all(w["bytes"] > 100_000 for w in weights.values()), weights  # measured


def totals(page) -> dict[str, str]:
    rows = page.locator(".cnnbook-results table").nth(1).locator("tbody tr")
    return {
        row.locator("td").nth(0).inner_text(): row.locator("td").nth(1).inner_text()
        for row in rows.all()
    }


def expected_totals(report, training) -> dict[str, str]:
    def both(num_bytes):
        return (
            f"{format_int(num_bytes)} bytes = {format_bytes(num_bytes, 'MB')} = "
            f"{format_bytes(num_bytes, 'MiB')}"
        )

    return {
        "parameters": format_int(report.params),
        "multiply-adds per image": format_int(report.macs),
        "memory for one prediction": both(report.inference_bytes),
        f"memory to train on {training.batch_size} images (lower bound)": both(
            training.training_bytes
        ),
    }


@pytest.mark.browser
def test_chapter_2_calculator_recomputes_in_the_page(site):
    page, log = open_page(site, CHAPTER_2)
    try:
        calculator = page.locator(".cnnbook-live-calculator")
        assert calculator.count() == 1
        seed = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
        shape = (200, 300, 3)
        assert totals(page) == expected_totals(
            calc.analyze(shape, seed), calc.analyze(shape, seed, batch_size=50)
        )

        first = calculator.locator(".cnnbook-layer").nth(0)
        first.locator('input[name="filters"]').fill("64")
        first.locator('input[name="kernel"]').fill("5")
        first.locator('select[name="padding"]').select_option("valid")
        calculator.locator('input[name="batch"]').fill("8")
        layers = [calc.Conv2D(64, 5, strides=2, padding="valid"), *seed[1:]]
        assert totals(page) == expected_totals(
            calc.analyze(shape, layers), calc.analyze(shape, layers, batch_size=8)
        )

        calculator.locator(".cnnbook-add-layer").click()
        last = calculator.locator(".cnnbook-layer").nth(3)
        last.locator('select[name="layer"]').select_option("MaxPooling2D")
        last.locator('input[name="kernel"]').fill("2")
        last.locator('input[name="stride"]').fill("2")
        layers.append(calc.MaxPooling2D(2, strides=2, padding="same"))
        assert totals(page) == expected_totals(
            calc.analyze(shape, layers), calc.analyze(shape, layers, batch_size=8)
        )
        names = (
            page.locator(".cnnbook-results table")
            .nth(0)
            .locator("tbody tr td:first-child")
            .all_inner_texts()
        )
        assert names == ["conv2d", "conv2d_1", "conv2d_2", "max_pooling2d"]

        calculator.locator(".cnnbook-layer").nth(1).locator("button").click()
        del layers[1]
        assert totals(page) == expected_totals(
            calc.analyze(shape, layers), calc.analyze(shape, layers, batch_size=8)
        )

        calculator.locator('input[name="height"]').fill("3")
        error = page.locator(".cnnbook-results .cnnbook-error").inner_text()
        assert error.endswith(
            "layers[0] (conv2d, Conv2D): kernel_size 5 is larger than the input size "
            "3 with padding='valid'; use padding='same' or a smaller window"
        )
        assert log.outside == [] and log.console_errors == [] and log.page_errors == []
    finally:
        page.context.close()


# ------------------------------------------------------- static checks (no browser)
class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def page_tags(path: Path) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


def loaded_urls(tags) -> list[str]:
    """What a page fetches when it loads: scripts, stylesheets, images, fonts."""
    urls = []
    for tag, attrs in tags:
        if tag in ("script", "img", "iframe") and attrs.get("src"):
            urls.append(attrs["src"])
        if (
            tag == "link"
            and attrs.get("href")
            and attrs.get("rel") in ("stylesheet", "preload", "modulepreload", "icon")
        ):
            urls.append(attrs["href"])
    return urls


@pytest.fixture(scope="module")
def built_pages() -> dict[str, list]:
    html = build_book(*PAGES)
    return {path: page_tags(html / path) for path in PAGES}


def test_pages_reference_no_third_party_host_at_load(built_pages):
    for path, tags in built_pages.items():
        outside = [
            u
            for u in loaded_urls(tags)
            if urlsplit(u).scheme in ("http", "https") and not is_local(u)
        ]
        assert outside == [], path


def test_integrity_attributes_match_the_served_files(built_pages):
    checked = 0
    for path, tags in built_pages.items():
        for _tag, attrs in tags:
            url = attrs.get("src") or attrs.get("href")
            if "integrity" not in attrs or not url:
                continue
            target = HTML / urlsplit(urljoin(path, url)).path
            algo, _, digest = attrs["integrity"].partition("-")
            actual = base64.b64encode(hashlib.new(algo, target.read_bytes()).digest())
            assert actual.decode() == digest, f"{path}: {url}"
            checked += 1
    assert checked >= 1  # the widget loader on chapter 2


def test_vendored_files_match_their_manifest():
    from cnnbook.publishing.vendor import check

    assert check() == []


def test_chapter_2_loads_widgets_from_the_book_and_no_math_or_icon_script(
    built_pages,
):
    urls = loaded_urls(built_pages[CHAPTER_2])
    assert any(re.search(r"/cnnbook-widgets\.js", u) for u in urls)
    for path, tags in built_pages.items():
        scripts = [u for u in loaded_urls(tags) if u.split("?")[0].endswith(".js")]
        assert not [u for u in scripts if re.search(r"mathjax|fontawesome", u)], path
    math = (HTML / CHAPTER_2).read_text(encoding="utf-8")
    assert math.count('<math xmlns="http://www.w3.org/1998/Math/MathML"') >= 5


@pytest.mark.browser
def test_pages_with_ipywidgets_fall_back_to_the_vendored_html_manager(site, tmp_path):
    """A page holding ordinary ipywidgets renders them (and anywidgets) offline."""
    import ipywidgets
    from ipywidgets.embed import dependency_state

    from cnnbook.widgets.conv_stack import LiveConvStackCalculator

    slider = ipywidgets.IntSlider(value=7, description="n")
    live = LiveConvStackCalculator()
    state = dependency_state([slider, live], drop_defaults=False)  # as nbclient saves

    def view(widget):
        return (
            '<script type="application/vnd.jupyter.widget-view+json">'
            + json.dumps(
                {"model_id": widget.model_id, "version_major": 2, "version_minor": 0}
            )
            + "</script>"
        )

    state_json = json.dumps({"version_major": 2, "version_minor": 0, "state": state})
    root = tmp_path / "site"
    (root / "book").mkdir(parents=True)
    for name in ("vendor", "cnnbook-widgets.js"):
        source, target = HTML / name, root / name
        target.symlink_to(source, target_is_directory=source.is_dir())
    (root / "book" / "page.html").write_text(
        "<!doctype html><html><head>"
        f'<script type="application/vnd.jupyter.widget-state+json">{state_json}'
        '</script><script src="../cnnbook-widgets.js"></script></head><body>'
        f"<div>{view(slider)}</div><div>{view(live)}</div></body></html>"
    )
    _, browser = site
    with serve(root) as base:
        page = browser.new_page()
        log = watch(page)
        page.goto(base + "book/page.html", wait_until="load")
        page.wait_for_selector(".widget-slider", timeout=TIMEOUT_MS)
        page.wait_for_selector(".cnnbook-results table", timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        assert "vendor/html-manager/dist/embed-amd.js" in " ".join(log.bytes_by_url)
        # The anywidget front end (anywidget's own model code) recomputes too.
        page.locator('.cnnbook-layer input[name="filters"]').first.fill("64")
        assert totals(page)["parameters"] == format_int(
            calc.analyze(
                (200, 300, 3),
                [calc.Conv2D(f, 3, strides=2, padding="same") for f in (64, 200, 400)],
            ).params
        )
        assert log.outside == [] and log.failed == []
        assert log.console_errors == [] and log.page_errors == []
        page.close()


# ------------------------------------------------------------ practice in the page
def practice_network(page) -> list[list[str]]:
    """The rows (layer, filters, kernel, stride, padding) of the stack shown."""
    rows = page.locator(".cnnbook-practice .cnnbook-table tbody tr")
    return [row.locator("td").all_inner_texts() for row in rows.all()]


def expected_rows(network: dict) -> list[list[str]]:
    names = ["conv2d"] + [f"conv2d_{i}" for i in range(1, len(network["layers"]))]
    return [
        [
            name,
            str(r["filters"]),
            f"{r['kernel_size']} x {r['kernel_size']}",
            str(r["strides"]),
            r["padding"].upper(),
        ]
        for name, r in zip(names, network["layers"], strict=True)
    ]


def answer(box, question: str, typed) -> str:
    """Type ``typed`` (one string per layer for shapes), press Check: the verdict."""
    area = box.locator(f'[data-question="{question}"]')
    for i, text in enumerate(typed if isinstance(typed, list) else [typed]):
        name = f"shape_{i + 1}" if question == "shapes" else question
        area.locator(f'input[name="{name}"]').fill(text)
    area.locator("button").click()
    return area.locator(".cnnbook-feedback").inner_text()


@pytest.mark.browser
def test_chapter_2_practice_draws_and_judges_in_the_page(site):
    from cnnbook.widgets import practice

    page, log = open_page(site, CHAPTER_2)
    try:
        box = page.locator(".cnnbook-practice")
        assert box.count() == 1
        state = practice.Practice()  # the chapter's settings: the defaults
        network = practice.draw(state.ranges, state.seed, 0, state.avoid)
        assert practice_network(page) == expected_rows(network)
        assert not practice._same_network(network, practice.WORKED)
        unit = network["unit"]

        def expected(question):
            return practice.spec(question, network).expected

        shapes = practice.spec("shapes", network).expected
        right = {
            "params": f"{expected('params'):,}",
            "shapes": [" x ".join(map(str, s)) for s in shapes],
            "prediction": f"{expected('prediction') / practice.UNITS[unit]:.4g}",
            "training": f"{expected('training') / practice.UNITS[unit]:.4g} {unit}",
        }
        for question, typed in right.items():
            shown = answer(box, question, typed)
            assert shown == practice.judge(question, network, typed)["message"]
            assert shown.startswith("Correct: "), shown
        slips = {"params": str(practice.spec("params", network).mistakes[0].value)}
        slips |= {"training": "", "prediction": "0\n0", "shapes": ["1 x 2", "", ""]}
        for question, typed in slips.items():
            shown = answer(box, question, typed)
            typed_in_page = typed.replace("\n", "") if isinstance(typed, str) else typed
            assert shown == practice.judge(question, network, typed_in_page)["message"]
            assert not shown.startswith("Correct")
        # New numbers: the next variant, with empty boxes and no verdict.
        box.locator(".cnnbook-new-numbers").click()
        fresh = practice.draw(state.ranges, state.seed, 1, state.avoid)
        assert practice_network(page) == expected_rows(fresh) != expected_rows(network)
        assert box.locator('input[name="params"]').input_value() == ""
        assert box.locator(".cnnbook-feedback").all_inner_texts() == [""] * 4
        typed = f"{practice.spec('params', fresh).expected:,}"
        assert answer(box, "params", typed).startswith("Correct: ")
        assert log.outside == [] and log.console_errors == [] and log.page_errors == []
    finally:
        page.context.close()


# ------------------------------------------------------------ light and dark themes
def luminance(rgb: tuple[float, ...]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""

    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Computed colours of each widget's text and of its first box one types or picks
# in (sliders and checkboxes show no text), each against the background it is
# drawn on (the nearest ancestor's that is not transparent).
COLOURS_OF_WIDGETS = """() => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(".cnnbook-live")].map((w) => {
    const input = w.querySelector("input:is([type=text], [type=number]), select");
    const text = w.querySelector("label, p, td") || w;
    return {
      widget: w.className,
      text: rgb(getComputedStyle(text).color), under_text: background(text),
      input: input && rgb(getComputedStyle(input).color),
      under_input: input && background(input),
      panel: background(w),
    };
  });
}"""
WIDGET_PAGES = [
    "book/01_why_convolutions.html",
    CHAPTER_2,
    "book/03_out_of_memory.html",
    "book/04_pooling_vs_strides.html",
    "book/05_local_response_normalization.html",
    "book/07_after_resnet.html",
]


@pytest.mark.browser
@pytest.mark.parametrize("path", WIDGET_PAGES)
def test_widgets_follow_the_light_and_the_dark_theme(site, path):
    """Every widget's text and inputs contrast with what they are drawn on
    (WCAG AA, 4.5:1) in both themes; in the dark one they sit on a dark panel,
    not the light one pydata-sphinx-theme gives other widgets."""
    page, log = open_page(site, path)
    try:
        seen = {}
        for theme in ("light", "dark"):
            page.evaluate(
                f"() => {{ document.documentElement.dataset.theme = '{theme}'; }}"
            )
            widgets = page.evaluate(COLOURS_OF_WIDGETS)
            assert widgets, path
            for w in widgets:
                assert contrast(w["text"], w["under_text"]) >= 4.5, (theme, w)
                if w["input"] is not None:
                    assert contrast(w["input"], w["under_input"]) >= 4.5, (theme, w)
                seen[theme, w["widget"]] = luminance(w["panel"])
        for (theme, widget), panel in seen.items():
            dark = theme == "dark"
            assert (panel < 0.1) if dark else (panel > 0.8), (theme, widget, panel)
        assert log.page_errors == [] and log.console_errors == []
    finally:
        page.context.close()
