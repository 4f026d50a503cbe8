"""Serve the built book on 127.0.0.1 and open it in Debian's Chromium.

The PDF edition (:mod:`cnnbook.publishing.pdf`) and the browser tests
(tests/browser_support.py) load the pages the way a reader does: over HTTP
from this machine only, in ``/usr/bin/chromium`` (``apt-get install
chromium``). No tool downloads a browser of its own: Playwright drives the
Debian build through ``executable_path``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = Path(os.environ.get("CNNBOOK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_SCHEMES = {"data", "blob", "about"}
# Every saved widget view has been drawn into the widget-subarea before it.
WIDGETS_DRAWN = """() => [...document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]')]
      .every((tag) => {
        const area = tag.previousElementSibling;
        return area && area.classList.contains('widget-subarea')
          && area.childElementCount > 0;
      })"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
    }

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """http.server on a free port of 127.0.0.1 in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def launch(playwright):
    """Debian's Chromium, headless, through Playwright."""
    if not CHROMIUM.is_file():
        raise ValueError(
            f"chromium must be installed at {CHROMIUM} (apt-get install chromium; "
            "CNNBOOK_CHROMIUM names another path)"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    """True for a URL on this machine (127.0.0.1) or in the page itself."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname == "127.0.0.1"


def keep_local(page) -> list[str]:
    """Abort every request of ``page`` that would leave 127.0.0.1; returns
    the list the refused URLs are appended to."""
    refused: list[str] = []

    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return refused
