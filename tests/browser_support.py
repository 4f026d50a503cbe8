"""Serve the built book on 127.0.0.1 and drive Debian's Chromium with Playwright.

Used by the `browser`-marked tests. Chromium is never downloaded: tests use
`/usr/bin/chromium` (apt-get install chromium) and skip without it, except when
CI=true, where a missing browser is a failure. The same holds for axe-core,
which `.ci/run` installs from the npm registry into `tests/js/node_modules`
(`npm ci --prefix tests/js`): the accessibility tests inject it into pages; the
book never ships it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cnnbook.publishing.browser import (  # noqa: F401 - shared with the tests
    CHROMIUM,
    WIDGETS_DRAWN,
    is_local,
    launch,
    serve,
)
from cnnbook.publishing.toc import toc_documents

REPO = Path(__file__).resolve().parents[1]
HTML = REPO / "_build" / "html"
ARTIFACTS = REPO / "test-artifacts"
INSTALL_HINT = (
    f"browser tests need Debian's Chromium at {CHROMIUM}: "
    "`sudo apt-get install chromium` (Playwright's own browsers are not used)"
)
AXE = Path(
    os.environ.get(
        "CNNBOOK_AXE",
        REPO / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js",
    )
)


def missing(reason: str):
    """Skip a test that lacks a tool, or fail it when CI=true (CI installs all)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def require_browser():
    """Playwright's sync API, or skip (fail when CI=true) without Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.is_file():
        missing(INSTALL_HINT)
    return sync_playwright


def require_axe() -> Path:
    """axe-core's script, or skip (fail when CI=true) without it."""
    if not AXE.is_file():
        missing(f"axe-core is not at {AXE}: run `npm ci --prefix tests/js`")
    return AXE


def build_book(*pages: str) -> Path:
    """`_build/html`, built with jupyter-book when `make book` has not run, or
    when one of ``pages`` (paths in the site, "book/07_after_resnet.html") is
    missing or older than its source: a book built before a chapter was added or
    changed would serve a 404 or the old page, and a test would wait in vain."""
    if any(_stale(page) for page in ("index.html", *pages)):
        bindir = str(Path(sys.executable).parent)
        jupyter_book = shutil.which("jupyter-book", path=bindir)
        subprocess.run(
            [
                jupyter_book or "jupyter-book",
                "build",
                str(REPO),
                "-W",
                "-n",
                "--keep-going",
            ],
            check=True,
            capture_output=True,
            cwd=REPO,
        )
    return HTML


def _stale(page: str) -> bool:
    html = HTML / page
    if not html.is_file():
        return True
    sources = [REPO / Path(page).with_suffix(ext) for ext in (".ipynb", ".md")]
    built = html.stat().st_mtime
    return any(src.is_file() and src.stat().st_mtime > built for src in sources)


# The book's own toc; CNNBOOK_TOC names another one, for a book built with --toc.
TOC = Path(os.environ.get("CNNBOOK_TOC", REPO / "_toc.yml"))


def toc_pages() -> list[str]:
    """HTML paths of the root and every file in the table of contents."""
    return [f"{Path(f).with_suffix('')}.html" for _, f in toc_documents(TOC)]


def artifact_name(path: str) -> str:
    """A file name for what a test keeps of a page: book/x.html -> book__x."""
    return path.removesuffix(".html").replace("/", "__")


PAGE_TIMEOUT_MS = 20_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# What a reader types into: the controls of the live widgets on a page.
WIDGET_CONTROLS = ".widget-subarea :is(input, select, textarea)"


def open_book_page(site, path: str, viewport: dict = DESKTOP, **context):
    """Load a page of the book in a fresh context; wait for its widgets.
    Returns (page, log); close with ``page.context.close()``."""
    base, browser = site
    page = browser.new_context(viewport=viewport, **context).new_page()
    log = watch(page)
    page.goto(base + path, wait_until="load")
    page.wait_for_function(WIDGETS_DRAWN, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    return page, log


@contextlib.contextmanager
def browser_at(directory: Path) -> Iterator[tuple[str, object]]:
    """(base URL, Chromium) with `directory` served on 127.0.0.1; skips (fails
    when CI=true) without Chromium."""
    sync_playwright = require_browser()
    with serve(directory) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield base, browser
        finally:
            browser.close()


def import_modules(page, **modules: str) -> None:
    """Import each ES module source as `window.<name>`, from a blob URL as the
    book's page loader (`_extra/cnnbook-widgets.js`) imports a saved `_esm`."""
    page.evaluate(
        """async (modules) => {
        for (const [name, source] of Object.entries(modules)) {
            const url = URL.createObjectURL(
                new Blob([source], { type: "text/javascript" }));
            try {
                window[name] = await import(url);
            } finally {
                URL.revokeObjectURL(url);
            }
        }
    }""",
        modules,
    )


# `standInModel(state)`: the anywidget model subset a widget's render() uses,
# over a copy of its saved state; set() runs the change handlers at once.
STAND_IN_MODEL = """() => {
    window.standInModel = (state) => {
        const handlers = {};
        const attrs = { ...state };
        return {
            get: (n) => attrs[n],
            set: (n, v) => { attrs[n] = v;
                             (handlers['change:' + n] || []).forEach((f) => f()); },
            on: (e, f) => { (handlers[e] = handlers[e] || []).push(f); },
            off: () => {}, save_changes: () => {},
        };
    };
}"""


@contextlib.contextmanager
def module_page(**modules: str) -> Iterator[object]:
    """A blank local Chromium page with each composed ES module (a widget's
    `_esm`) imported as `window.<name>`: evaluate its exports with
    `page.evaluate("... name.describeJSON(...)")`. `standInModel(state)` gives
    a model to call `name.default.render({ model, el })` with."""
    with (
        tempfile.TemporaryDirectory() as blank,
        browser_at(Path(blank)) as (base, browser),
    ):
        page = browser.new_page()
        page.goto(base)  # an http origin of our own, as in the book
        import_modules(page, **modules)
        page.evaluate(STAND_IN_MODEL)
        yield page


@dataclass
class PageLog:
    """What one page did: console errors, refused requests, bytes loaded."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bytes_by_url: dict[str, int] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        return sum(self.bytes_by_url.values())


def watch(page) -> PageLog:
    """Record a page's errors and responses; abort every non-local request."""
    log = PageLog()

    def route(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            log.outside.append(url)
            route.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and log.console_errors.append(f"{m.text} ({m.location.get('url', '')})")
        ),
    )
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: log.failed.append(f"{r.url}: {r.failure}"))

    def finished(request):
        if urlsplit(request.url).scheme not in ("http", "https"):
            return
        response = request.response()
        if response is None:
            return
        if response.status >= 400:
            log.failed.append(f"{request.url}: HTTP {response.status}")
        log.bytes_by_url[request.url] = request.sizes()["responseBodySize"]

    page.on("requestfinished", finished)
    return log


# ------------------------------------------------------------ using a calculator
def widget_controls(page):
    """The enabled text, number and range inputs of every live widget on the
    page, as (widget index, locator) pairs, in page order."""
    areas = page.locator(".widget-subarea")
    found = []
    for index in range(areas.count()):
        inputs = areas.nth(index).locator(
            'input:is([type="text"], [type="number"], [type="range"]):not([disabled])'
        )
        found += [(index, inputs.nth(i)) for i in range(inputs.count())]
    return found


def widget_text(page, index: int) -> str:
    """What a widget shows (labels, results, messages; not its input values)."""
    return page.locator(".widget-subarea").nth(index).inner_text()


def another_value(kind: str, value: str) -> str:
    """A different value to type into a box holding ``value``."""
    if not value.strip():
        return "1"
    if kind == "number":
        return str(int(float(value)) + 1)
    try:
        return repr(float(value) * 2)
    except ValueError:
        return "1"


def wait_for_change(page, index: int, before: str) -> str:
    """The widget's text once it differs from ``before`` (fails after 5 s)."""
    page.wait_for_function(
        "([i, before]) => document.querySelectorAll('.widget-subarea')[i]"
        ".innerText !== before",
        arg=[index, before],
        timeout=5_000,
    )
    return widget_text(page, index)
