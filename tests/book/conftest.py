"""The built book served on 127.0.0.1 with Debian's Chromium, for the browser
tests of tests/book/ (one server and one browser per test module)."""

import pytest

from tests.browser_support import build_book, launch, require_browser, serve, toc_pages


@pytest.fixture(scope="module")
def site():
    """(base URL, Playwright browser) for the built book, built here if needed."""
    sync_playwright = require_browser()
    html = build_book(*toc_pages())  # rebuilt if a page is missing or stale
    with serve(html) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        yield base, browser
        browser.close()
