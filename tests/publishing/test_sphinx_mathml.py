"""Math typeset at build time: TeX becomes MathML with its TeX kept alongside,
and a formula the converter cannot express fails the build (-W)."""

import pytest
from sphinx.cmd.build import build_main

from cnnbook.publishing.sphinx_mathml import MathMLError, tex_to_mathml

NS = 'xmlns="http://www.w3.org/1998/Math/MathML"'


def test_inline_and_display_formulas_become_math_elements_with_their_tex():
    inline = tex_to_mathml(r"k \times k")
    assert inline.startswith(f'<math {NS} display="inline"><semantics>')
    assert "<mo>\u00d7</mo>" in inline
    assert inline.endswith(
        '<annotation encoding="application/x-tex">k \\times k</annotation>'
        "</semantics></math>"
    )
    block = tex_to_mathml(r"\left\lceil \frac{n}{s} \right\rceil", display=True)
    assert block.startswith(f'<math {NS} display="block">') and "<mfrac>" in block
    assert "&lt;" in tex_to_mathml("a < b")  # the annotation is escaped


def test_sums_and_maxima_carry_limits_under_and_over_as_tex_sets_them():
    mathml = tex_to_mathml(r"\sum_{j=0}^{n} a_j + \max_i x_i + \int_0^1 f", True)
    assert "<munderover><mo>\u2211</mo>" in mathml
    assert "<munder><mo>max</mo>" in mathml
    assert "<msubsup><mo>\u222b</mo>" in mathml  # integrals keep theirs aside


def test_aligned_equations_become_a_table():
    mathml = tex_to_mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}")
    assert "<mtable" in mathml and "<mi>&</mi>" not in mathml


@pytest.mark.parametrize(
    ("tex", "message"),
    [
        (r"\foo{x}", r"cannot typeset \\foo$"),
        (r"\left( x", "ExtraLeftOrMissingRightError"),
        ("  ", "an empty formula"),
    ],
)
def test_what_cannot_be_typeset_is_refused_with_the_reason(tex, message):
    with pytest.raises(MathMLError, match=message):
        tex_to_mathml(tex)


def small_book(folder, text: str):
    source = folder / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        "extensions = ['cnnbook.publishing.sphinx_mathml']\n"
        "html_math_renderer = 'mathml'\n"
    )
    (source / "index.rst").write_text(f"Title\n=====\n\n{text}\n")
    return source


def test_a_build_writes_mathml_and_no_math_script(tmp_path):
    source = small_book(tmp_path, ":math:`n^2`\n\n.. math::\n\n   a + b\n")
    out = tmp_path / "html"
    assert build_main(["-q", "-W", "-b", "html", str(source), str(out)]) == 0
    page = (out / "index.html").read_text()
    assert page.count(f"<math {NS}") == 2
    assert "mathjax" not in page.lower()


def test_a_formula_that_cannot_be_typeset_fails_a_build_with_w(tmp_path, capsys):
    source = small_book(tmp_path, r"See :math:`\foo{x}`.")
    out = tmp_path / "html"
    assert build_main(["-q", "-W", "-b", "html", str(source), str(out)]) != 0
    assert r"math `\foo{x}`: cannot typeset \foo" in capsys.readouterr().err
