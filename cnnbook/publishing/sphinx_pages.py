"""A Sphinx extension that keeps the book's pages light and free of console errors.

Two upstream quirks of the Jupyter Book 1 stack put errors in every page's
console, which the browser tests forbid:

* sphinx-thebe adds its inline ``const THEBE_JS_URL = ...`` script to the
  builder twice, and the second copy throws "Identifier 'THEBE_JS_URL' has
  already been declared". We drop exact duplicate scripts from each page.
* pydata-sphinx-theme logs "Got invalid theme mode" on a first visit when
  the ``default_mode`` page variable is empty (sphinx-book-theme leaves it
  so). We set it to ``auto`` (follow the reader's system) unless it is set.

Two more keep every page light enough for a phone on a slow link (the
browser tests hold each page with everything it loads under 2 MB):

* pydata-sphinx-theme loads ``fontawesome.js`` (1.5 MB), which redraws the
  theme's dozen icons as SVG. Its stylesheet already draws the same icons
  with the Font Awesome web fonts, so the script is removed from every page
  (and from the site) once the build has written them.
* ``cnnbook-pages.css`` (beside this module, in ``static/``) wraps long code
  lines on narrow screens, sets a math font for the MathML of
  :mod:`cnnbook.publishing.sphinx_mathml` and keeps wide formulas and tables
  scrolling inside their own box, never the page.

And two fix what axe-core finds serious or critical in the theme's markup
(tests/book/test_accessibility.py):

* the search button's ``aria-label="Search"`` hides its visible text "Search
  Ctrl+K" from its name (WCAG 2.5.3, label in name): the label is dropped, so
  the name is the text a reader sees;
* the bibliography is a ``role="list"`` whose entries have the deprecated
  ``role="doc-biblioentry"``, so the list has no items: they become
  ``role="listitem"``.

Enabled in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import re
from pathlib import Path

STATIC = Path(__file__).parent / "static"
STYLESHEET = "cnnbook-pages.css"
ICON_SCRIPT = "_static/scripts/fontawesome.js"
# (what, pattern, replacement) applied to every page the build writes.
PAGE_FIXES = (
    (
        "the icon script",
        re.compile(
            r'[ \t]*<script[^>]*\ssrc="[^"]*' + re.escape(ICON_SCRIPT) + r'[^"]*"'
            r"[^>]*></script>\n?"
        ),
        "",
    ),
    (
        "the search button's label",
        re.compile(
            r'(<button class="[^"]*\bsearch-button-field\b[^>]*?) aria-label="[^"]*"'
        ),
        r"\1",
    ),
    (
        "the bibliography's entries",
        re.compile(r'role="doc-biblioentry"'),
        'role="listitem"',
    ),
)


def _script_key(script) -> tuple:
    # An inline script's filename is None or "" depending on how it was added.
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    return (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))


def unique_scripts(scripts: list) -> list:
    """The scripts in order, each exact duplicate (same file, same attributes) once."""
    seen, kept = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    return kept


def _page(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = unique_scripts(context["script_files"])
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def fix_page(html: str) -> str:
    """A written page with :data:`PAGE_FIXES` applied (each is idempotent)."""
    for _what, pattern, replacement in PAGE_FIXES:
        html = pattern.sub(replacement, html)
    return html


def _fix_pages(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.builder.outdir)
    for page in outdir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        fixed = fix_page(html)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")
    for leftover in (ICON_SCRIPT, ICON_SCRIPT + ".map"):
        (outdir / leftover).unlink(missing_ok=True)


def _add_static(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def setup(app):
    app.connect("config-inited", _add_static)
    app.add_css_file(STYLESHEET)
    app.connect("html-page-context", _page, priority=900)
    app.connect("build-finished", _fix_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
