"""The built book served on 127.0.0.1 with Debian's Chromium, for the browser
tests of tests/book/ (one server and one browser per test module)."""

import pytest

from tests.browser_support import build_book, launch, require_browser, serve


@pytest.fixture(scope="module")
def site():
    """(base URL, Playwright browser) for the built book, built here if needed."""
    sync_playwright = require_browser()
    html = build_book()
    with serve(html) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        yield base, browser
        browser.close()
