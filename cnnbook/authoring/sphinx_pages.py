"""A Sphinx extension that keeps the book's pages free of console errors.

Two upstream quirks of the Jupyter Book 1 stack put errors in every page's
console, which the browser tests forbid:

* sphinx-thebe adds its inline ``const THEBE_JS_URL = ...`` script to the
  builder twice, and the second copy throws "Identifier 'THEBE_JS_URL' has
  already been declared". We drop exact duplicate scripts from each page.
* pydata-sphinx-theme logs "Got invalid theme mode" on a first visit when
  the ``default_mode`` page variable is empty (sphinx-book-theme leaves it
  so). We set it to ``auto`` (follow the reader's system) unless it is set.

Enabled in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
