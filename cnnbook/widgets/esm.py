"""The ES modules of the live widgets: the shared helpers, then the widget's own.

Each live widget is a pair in this folder, ``name.py`` (its Python side and
``describe(settings)``, the parity contract) beside ``name.js`` (what the page
runs). The book's page loader imports each widget's saved ``_esm`` from a blob
URL, so a widget module cannot ``import`` a sibling file. Instead every
widget's ``_esm`` is ``common.js`` (number formatting like Python's, HTML and
control helpers) followed by the widget's module, in one module scope.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["COMMON", "FOLDER", "esm", "widget_modules"]

FOLDER = Path(__file__).parent
"""The folder of the widgets' Python and ES modules."""
COMMON = "common.js"
"""The helpers every widget module is composed with."""


def widget_modules() -> list[str]:
    """The names of the widget modules in `FOLDER` (every .js file but COMMON)."""
    return sorted(p.name for p in FOLDER.glob("*.js") if p.name != COMMON)


def esm(name: str) -> str:
    """The ES module of a live widget: common.js followed by ``<name>``.

    >>> esm("conv_stack.js").startswith((FOLDER / COMMON).read_text())
    True
    """
    allowed = widget_modules()
    if name not in allowed:
        raise ValueError(f"name must be one of {', '.join(allowed)}, got {name!r}")
    common = (FOLDER / COMMON).read_text(encoding="utf-8")
    own = (FOLDER / name).read_text(encoding="utf-8")
    return f"{common}\n// {'-' * 60} {name}\n{own}"
