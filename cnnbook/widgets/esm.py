"""The ES modules of the live widgets: the shared libraries, then the widget's own.

Each live widget is a pair in this folder, ``name.py`` (its Python side and
``describe(settings)``, the parity contract) beside ``name.js`` (what the page
runs). The book's page loader imports each widget's saved ``_esm`` from a blob
URL, so a widget module cannot ``import`` a sibling file. Instead every
widget's ``_esm`` is ``common.js`` (number formatting like Python's, HTML and
control helpers), then the libraries it uses (:data:`USES`: ``layers.js``,
calc's layer arithmetic; ``answers.js``, reading and judging typed answers),
then the widget's module, in one module scope. Every widget's ``_css`` is
``widgets.css`` (:data:`CSS`), which takes its colours from the page's theme.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "COMMON",
    "CSS",
    "FOLDER",
    "LIBRARIES",
    "USES",
    "compose",
    "esm",
    "widget_modules",
]

FOLDER = Path(__file__).parent
"""The folder of the widgets' Python and ES modules."""
COMMON = "common.js"
"""The helpers every widget module is composed with."""
LIBRARIES = (COMMON, "layers.js", "answers.js")
"""The shared modules: composed into widgets, never a widget themselves."""
USES = {
    "conv_stack.js": ("layers.js",),
    "receptive_field.js": ("layers.js",),
    "practice.js": ("layers.js", "answers.js"),
}
"""The libraries besides common.js each widget module is composed with."""
CSS = (FOLDER / "widgets.css").read_text(encoding="utf-8")
"""Every widget's ``_css``: its look in the page's theme, light or dark."""


def widget_modules() -> list[str]:
    """The names of the widget modules in `FOLDER` (every .js file but LIBRARIES)."""
    return sorted(p.name for p in FOLDER.glob("*.js") if p.name not in LIBRARIES)


def compose(*names: str) -> str:
    """The files ``names`` of `FOLDER`, in order, as one module (each after a
    comment line naming it)."""
    parts = []
    for name in names:
        source = (FOLDER / name).read_text(encoding="utf-8")
        parts.append(source if not parts else f"// {'-' * 60} {name}\n{source}")
    return "\n".join(parts)


def esm(name: str) -> str:
    """The ES module of a live widget: common.js, its libraries, then ``<name>``.

    >>> esm("conv_stack.js").startswith((FOLDER / COMMON).read_text())
    True
    """
    allowed = widget_modules()
    if name not in allowed:
        raise ValueError(f"name must be one of {', '.join(allowed)}, got {name!r}")
    return compose(COMMON, *USES.get(name, ()), name)
