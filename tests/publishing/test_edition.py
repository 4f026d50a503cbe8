"""The edition a build names (release tag or branch), the web edition's
address, the footer line of every page, and the PDF's cover and notes."""

import pytest

from cnnbook.publishing import pdf, sphinx_edition
from cnnbook.publishing.edition import Edition, read_edition, release_tag, web_url
from tests.browser_support import HTML, build_book, toc_pages


def test_a_version_becomes_its_tag_and_nothing_else_does():
    assert release_tag("1.0") == "v1.0"
    assert release_tag("2027.1.3") == "v2027.1.3"
    for bad in ("1", "v1.0", "1.0b1", " 1.0", 1.0, None):
        with pytest.raises(ValueError, match="version must be x.y or x.y.z"):
            release_tag(bad)


def test_the_web_edition_is_github_pages_unless_baseurl_says_otherwise():
    assert web_url("https://github.com/Cnn-Measured/convnets-measured") == (
        "https://cnn-measured.github.io/convnets-measured/"
    )
    assert web_url("https://github.com/someone/someone.github.io/") == (
        "https://someone.github.io/"
    )
    assert web_url("https://gitlab.com/a/b") is None
    assert web_url("https://gitlab.com/a/b", "https://a.example/book") == (
        "https://a.example/book/"
    )


def test_a_release_and_a_branch_say_what_they_are():
    release = Edition("https://github.com/a/b", "v1.2")
    assert release.version == "1.2"
    assert release.label.startswith("Edition 1.2: ") and "tag v1.2" in release.label
    branch = Edition("https://github.com/a/b", "main")
    assert branch.version is None
    assert branch.label.startswith("Development edition (branch main)")
    assert Edition("https://github.com/a/b", "v1.2-rc").version is None


def test_the_footer_line_is_escaped_and_names_the_ref():
    line = sphinx_edition.footer_html(Edition("https://github.com/a/b", "x<y"))
    assert 'data-ref="x&lt;y"' in line and "<y" not in line


def test_every_page_of_the_built_book_names_its_edition():
    build_book()
    edition = read_edition()
    expected = sphinx_edition.footer_html(edition)
    for path in toc_pages():
        assert expected in (HTML / path).read_text(encoding="utf-8"), path


def test_the_pdfs_notes_cover_and_footer_name_the_edition():
    edition = Edition("https://github.com/a/b", "v1.2", "https://a.github.io/b/")
    notes = pdf.widget_notes(edition, "book/02_x.html")
    assert "https://a.github.io/b/book/02_x.html" in notes["calculator"]
    assert "https://a.github.io/b/book/02_x.html" in notes["check"]
    assert "web edition" in pdf.widget_notes(Edition("x", "main"), "p.html")["check"]
    footer = pdf.footer_template("A & B", edition, "Ch <1>")
    assert "A &amp; B · Edition 1.2" in footer and "Ch &lt;1&gt;" in footer
    assert 'class="pageNumber"' in footer
    cover = pdf.cover_html(
        {"title": "T", "author": "Au"},
        edition,
        [(None, "Intro", 3), ("Chapters", "One", 5), ("Chapters", "Two", 9)],
    )
    assert cover.count('<th colspan="2">Chapters</th>') == 1
    assert "<td>Two</td><td class=n>9</td>" in cover
    assert edition.label in cover and "https://a.github.io/b/" in cover


def test_build_pdf_names_the_pages_missing_from_the_html(tmp_path):
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: book/intro\n")
    with pytest.raises(ValueError, match=r"lacks book/intro\.html"):
        pdf.build_pdf(tmp_path, tmp_path / "x.pdf", toc=toc, log=None)
