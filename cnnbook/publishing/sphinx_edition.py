"""A Sphinx extension that prints the book's edition in the footer of every page.

A reader (and an instructor checking a term's site) sees whether the page is a
release, pinned to its tag, or the development edition that follows a branch
(:class:`cnnbook.publishing.edition.Edition`). The edition is read from the
options Jupyter Book derives from ``_config.yml``'s ``repository`` block
(``repository_url``, ``repository_branch``), so a build of a release tag says
so with no extra setting. The line goes into sphinx-book-theme's
``extra_footer`` (after any ``html.extra_footer`` of ``_config.yml``).

Enabled in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import html

from cnnbook.publishing.edition import Edition

FOOTER_CLASS = "cnnbook-edition"


def footer_html(edition: Edition) -> str:
    """The footer line: the edition's label; ``data-ref`` names the ref."""
    text = html.escape(edition.label)
    return f'<p class="{FOOTER_CLASS}" data-ref="{html.escape(edition.ref)}">{text}</p>'


def _add_footer(app, config) -> None:
    options = dict(config.html_theme_options or {})
    url, ref = options.get("repository_url"), options.get("repository_branch")
    if not url or not ref:
        return  # no repository block: nothing to pin, nothing to say
    edition = Edition(url, ref)
    options["extra_footer"] = (options.get("extra_footer") or "") + footer_html(edition)
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _add_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
