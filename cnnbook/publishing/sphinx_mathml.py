"""Typeset the book's math at build time, as MathML the browser draws itself.

MathJax cost every page with math 1.2 MB of script and its fonts, and a
phone had to run it before the formulas appeared. Every current browser
renders MathML Core natively, and screen readers read it as mathematics, so
the book converts each TeX formula to MathML while it builds
(``latex2mathml``, pure Python, offline) and the pages load no math script.

A formula the converter cannot express (an unknown command, an unbalanced
``\\left``) is a Sphinx warning naming the page and the TeX, so ``make book``
(``-W``) fails instead of showing raw TeX.

Enabled in ``_config.yml``: ``cnnbook.publishing.sphinx_mathml`` under
``sphinx: extra_extensions`` and ``html_math_renderer: mathml``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

from docutils import nodes
from sphinx.locale import _
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

RENDERER = "mathml"
# latex2mathml writes what it does not know as an identifier holding the
# command (<mi>\foo</mi>) and an alignment `&` it cannot place as <mi>&amp;</mi>.
_NOT_UNDERSTOOD = re.compile(r"<m[io][^>]*>(\\[A-Za-z]+|&amp;|&)</m[io]>")
# `aligned` (amsmath) is what `align` is inside a formula; latex2mathml knows
# only the latter as a table.
_ALIGNED = re.compile(r"\\(begin|end)\{aligned\}")
MATHML = "http://www.w3.org/1998/Math/MathML"
ET.register_namespace("", MATHML)
# Operators whose limits TeX sets under and over them in display style; as
# munder/mover, the browser does the same and moves them aside inline.
_LIMIT_OPERATORS = {*"\u2211\u220f\u2210\u22c3\u22c2\u22c1\u22c0\u2a01\u2a02\u2a00"}
_LIMIT_OPERATORS |= {"lim", "max", "min", "sup", "inf", "lim sup", "lim inf"}
_UNDER_OVER = {"msubsup": "munderover", "msub": "munder", "msup": "mover"}


class MathMLError(ValueError):
    """A TeX formula that cannot be turned into MathML; the message says why."""


def tex_to_mathml(tex: str, display: bool = False) -> str:
    """The ``<math>`` element for one TeX formula (inline, or a display block).

    The TeX travels along as an ``application/x-tex`` annotation, so copying
    the formula or reading it with tools that prefer TeX still works.
    """
    from latex2mathml.converter import convert

    source = _ALIGNED.sub(r"\\\1{align}", tex.strip())
    if not source:
        raise MathMLError("an empty formula")
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as err:  # latex2mathml raises its own exception types
        raise MathMLError(f"{type(err).__name__} {err}".strip()) from err
    unknown = _NOT_UNDERSTOOD.search(mathml)
    if unknown:
        raise MathMLError(f"cannot typeset {unknown.group(1)}")
    root = ET.fromstring(mathml)
    for element in root.iter():
        name = element.tag.removeprefix(f"{{{MATHML}}}")
        if name in _UNDER_OVER and len(element):
            base = element[0]
            if base.tag == f"{{{MATHML}}}mo" and base.text in _LIMIT_OPERATORS:
                element.tag = f"{{{MATHML}}}{_UNDER_OVER[name]}"
    semantics = ET.Element(f"{{{MATHML}}}semantics")
    semantics.extend(list(root))
    annotation = ET.SubElement(
        semantics, f"{{{MATHML}}}annotation", encoding="application/x-tex"
    )
    annotation.text = tex.strip()
    root[:] = [semantics]
    return ET.tostring(root, encoding="unicode")


def _convert_or_warn(tex: str, node: nodes.Node, display: bool) -> str:
    try:
        return tex_to_mathml(tex, display=display)
    except MathMLError as err:
        logger.warning("math `%s`: %s", tex, err, location=node, type="cnnbook.math")
        return f"<code>{escape(tex)}</code>"


def visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "span", "", CLASS="math notranslate"))
    self.body.append(_convert_or_warn(node.astext(), node, False) + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    # A wide formula scrolls inside its box on a phone: the box takes the
    # keyboard focus, so it can be scrolled without a pointer.
    self.body.append(self.starttag(node, "div", CLASS="math notranslate", tabindex="0"))
    if node.get("number"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, _("Link to this equation"))
        self.body.append("</span>")
    tex = node.astext()
    parts = [part for part in tex.split("\n\n") if part.strip()]
    if len(parts) > 1 and not node.get("nowrap"):  # as sphinx.ext.mathjax does
        tex = r"\begin{align}" + r"\\".join(parts) + r"\end{align}"
    self.body.append(_convert_or_warn(tex, node, True))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer(RENDERER, (visit_math, None), (visit_displaymath, None))
    # Bump env_version when the MathML changes, so that Sphinx writes every page again.
    return {"env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
