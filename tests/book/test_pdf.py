"""The PDF edition (`make pdf`, cnnbook/publishing/pdf.py), read back with
poppler's pdftotext and pypdf: every page of the book in it, in order, each
starting where the contents say; every chapter title and every line of every
code cell in its text; no word outside the margins; every page printed at the
same scale; no code frame left empty at a page's end; display equations
centred; every calculator with its saved results and the line to the web
edition; no link to the local server; README's page count true.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import nbformat
import pytest

from cnnbook.authoring import colab
from cnnbook.publishing import pdf
from cnnbook.publishing.edition import read_edition
from cnnbook.publishing.toc import toc_documents
from tests.browser_support import TOC, build_book, missing, require_browser
from tests.conftest import REPO

MM = 72 / 25.4  # PDF points per millimetre
SLACK = 1.0  # points: glyph boxes may touch the margin


def require_poppler() -> None:
    for tool in ("pdftotext", "pdfinfo", "pdftoppm"):
        if shutil.which(tool) is None:
            missing(f"{tool} is missing: apt-get install poppler-utils (.ci/run does)")


@pytest.fixture(scope="module")
def edition_pdf(tmp_path_factory):
    """(path of the PDF, its manifest), printed from the built book."""
    require_browser()
    require_poppler()
    output = tmp_path_factory.mktemp("pdf") / "book.pdf"
    pdf.build_pdf(build_book(), output, toc=TOC, log=None)
    manifest = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    return output, manifest


def text(path: Path, first: int | None = None, last: int | None = None) -> str:
    pages = []
    if first is not None:
        pages = ["-f", str(first), "-l", str(last or first)]
    result = subprocess.run(
        ["pdftotext", "-raw", *pages, "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def bbox_pages(path: Path) -> list[tuple[float, list[dict[str, str]]]]:
    """(page width, its words' attributes and text) for every page, from
    pdftotext's bounding boxes."""
    result = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    xhtml = re.sub(r"<!DOCTYPE[^>]*>", "", result.stdout)
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    return [
        (
            float(page.get("width")),
            [{**w.attrib, "text": w.text} for w in page.iterfind("x:word", ns)],
        )
        for page in ElementTree.fromstring(xhtml).iterfind(".//x:page", ns)
    ]


def words(path: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, page width, xMin, xMax, word) for every word pdftotext finds."""
    return [
        (number, width, float(w["xMin"]), float(w["xMax"]), w["text"])
        for number, (width, page) in enumerate(bbox_pages(path), 1)
        for w in page
    ]


def squeeze(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def compact(value: str) -> str:
    return re.sub(r"\s+", "", value)


def title_of(document: str) -> str:
    """The first level-1 heading of a page's source, as plain text."""
    source = REPO / f"{document}.ipynb"
    if source.is_file():
        nb = nbformat.read(source, as_version=4)
        lines = [
            line
            for c in nb.cells
            if c.cell_type == "markdown"
            for line in c.source.splitlines()
        ]
    else:
        lines = (REPO / f"{document}.md").read_text(encoding="utf-8").splitlines()
    heading = next(line for line in lines if line.startswith("# "))
    return re.sub(r"[*`]", "", heading[2:]).strip()


def pdf_pages(path: Path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def test_every_page_of_the_book_is_in_order_where_the_contents_say(edition_pdf):
    path, manifest = edition_pdf
    documents = toc_documents(TOC)
    parts = manifest["parts"]
    assert [p["path"] for p in parts] == [f"{d}.html" for _, d in documents]
    total = pdf_pages(path)
    assert total == manifest["pages"]
    assert parts[-1]["first_page"] + parts[-1]["pages"] - 1 == total
    assert len(documents) < total < 20 * len(documents)
    contents = squeeze(text(path, 1, parts[0]["first_page"] - 1))
    for part, (_, document) in zip(parts, documents, strict=True):
        title = title_of(document)
        assert squeeze(part["title"]) == title
        assert f"{title} {part['first_page']}" in contents
        first_page = squeeze(text(path, part["first_page"]))
        assert title in first_page, f"{document} does not start on its page"
    assert read_edition().label in contents


def test_the_pdf_has_every_chapter_title_and_its_metadata(edition_pdf):
    from pypdf import PdfReader

    path, manifest = edition_pdf
    whole = squeeze(text(path))
    for _, document in toc_documents(TOC):
        assert title_of(document) in whole, document
    reader = PdfReader(path)
    assert reader.metadata.title == "Convolutional Networks, Measured"
    bookmarks = [item.title for item in reader.outline if not isinstance(item, list)]
    assert bookmarks == ["Cover and contents"] + [p["title"] for p in manifest["parts"]]
    assert path.stat().st_size < 40e6


def words_outside_the_margins(path: Path) -> list[tuple[int, str, int, int]]:
    left = float(pdf.MARGIN["left"][:-2]) * MM
    right = float(pdf.MARGIN["right"][:-2]) * MM
    return [
        (page, word, round(x0), round(x1))
        for page, width, x0, x1, word in words(path)
        if x0 < left - SLACK or x1 > width - right + SLACK
    ]


def test_no_word_leaves_the_margins(edition_pdf):
    path, _ = edition_pdf
    assert words_outside_the_margins(path) == []


def shown_code_lines(document: str) -> list[str]:
    """The non-blank lines of the code cells a page shows (the Colab install
    cell is removed from pages), and of their printed output."""
    source = REPO / f"{document}.ipynb"
    if not source.is_file():
        return []
    lines = []
    for cell in nbformat.read(source, as_version=4).cells:
        if cell.cell_type != "code" or cell.get("id") == colab.CELL_ID:
            continue
        if "remove-cell" in cell.metadata.get("tags", []):
            continue
        lines += cell.source.splitlines()
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                lines += output.text.splitlines()
    return [line for line in lines if line.strip()]


def code_lines_not_printed(path: Path, manifest: dict) -> tuple[int, list]:
    """(lines checked, lines whose text is not in their page's part of the PDF)."""
    checked, cut = 0, []
    for part in manifest["parts"]:
        document = part["path"].removesuffix(".html")
        last = part["first_page"] + part["pages"] - 1
        printed = compact(text(path, part["first_page"], last))
        for line in shown_code_lines(document):
            checked += 1
            if compact(line) not in printed:
                cut.append((document, line))
    return checked, cut


def test_every_line_of_code_is_printed_whole(edition_pdf):
    path, manifest = edition_pdf
    checked, cut = code_lines_not_printed(path, manifest)
    assert checked > 500
    assert cut == []


def test_the_checks_see_code_cut_off_by_a_page_that_does_not_wrap(
    tmp_path, monkeypatch
):
    """The two checks above fail on a PDF whose code runs past the margin."""
    require_browser()
    require_poppler()
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: book/01_why_convolutions\n")
    clipped = "pre, pre * { white-space: pre !important; overflow: hidden !important; }"
    monkeypatch.setattr(pdf, "PRINT_CSS", "@media print { " + clipped + " }")
    monkeypatch.setattr(pdf, "MARGIN", {**pdf.MARGIN, "right": "80mm"})
    output = tmp_path / "clipped.pdf"
    pdf.build_pdf(build_book(), output, toc=toc, log=None)
    manifest = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
    checked, cut = code_lines_not_printed(output, manifest)
    assert checked > 50 and len(cut) > 5


def test_calculators_show_their_saved_results_and_point_to_the_web_edition(
    edition_pdf,
):
    path, manifest = edition_pdf
    edition = read_edition()
    assert edition.web
    with_widgets = [p for p in manifest["parts"] if p["widgets"]]
    assert len(with_widgets) >= 6
    for part in with_widgets:
        last = part["first_page"] + part["pages"] - 1
        printed = squeeze(text(path, part["first_page"], last))
        notes = printed.count("A live calculator, printed with its saved settings")
        notes += printed.count("A self-check: to type your answer")
        assert notes == part["widgets"], part["path"]
        assert compact(edition.web + part["path"]) in compact(printed)
    chapter_2 = next(p for p in manifest["parts"] if p["path"].startswith("book/02_"))
    last = chapter_2["first_page"] + chapter_2["pages"] - 1
    printed = squeeze(text(path, chapter_2["first_page"], last))
    # The conv-stack calculator drawn from its saved state: the seed question's
    # network, its 903,400 parameters and its memory for one prediction.
    assert "memory for one prediction" in printed
    assert printed.count("903,400") >= 2


def test_links_point_inside_the_pdf_or_to_the_web_not_to_the_local_server(
    edition_pdf,
):
    from pypdf import PdfReader

    path, _ = edition_pdf
    uris = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.append(str(action["/URI"]))
    assert uris, "no link at all: the references and launch notes should link"
    assert [u for u in uris if "127.0.0.1" in u or "localhost" in u] == []


# --------------------------------------------------------------------------- scale
def word_heights(path: Path) -> dict[int, list[float]]:
    """The height of every word pdftotext finds, by page: the type size as
    printed, which Chromium shrinks when a page's content is wider than A4."""
    return {
        number: [float(w["yMax"]) - float(w["yMin"]) for w in page]
        for number, (_, page) in enumerate(bbox_pages(path), 1)
    }


def type_size_by_part(path: Path, manifest: dict) -> dict[str, float]:
    """The commonest word height of each part of the book: its body text."""
    import statistics

    heights = word_heights(path)
    sizes = {}
    for part in manifest["parts"]:
        pages = range(part["first_page"], part["first_page"] + part["pages"])
        found = [h for page in pages for h in heights.get(page, [])]
        if len(found) >= 100:
            sizes[part["path"]] = statistics.mode(round(h, 1) for h in found)
    return sizes


def test_every_page_prints_at_the_same_scale(edition_pdf):
    """Chromium scales a whole page down when one element (a wide table) is
    wider than A4: chapter 7 once printed at 72% of the others' size."""
    import statistics

    path, manifest = edition_pdf
    sizes = type_size_by_part(path, manifest)
    assert len(sizes) >= 10
    typical = statistics.median(sizes.values())
    shrunk = {k: round(v / typical, 2) for k, v in sizes.items() if v < 0.93 * typical}
    assert shrunk == {}


WIDE_TABLE = (
    "document.querySelector('article').insertAdjacentHTML('afterbegin', "
    "'<table><tr>' + '<td>an_unbreakable_cell_text</td>'.repeat(40) + '</tr></table>');"
)


def test_the_scale_check_sees_a_page_shrunk_by_a_wide_table(tmp_path, monkeypatch):
    require_browser()
    require_poppler()
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: book/05_local_response_normalization\n")
    sizes = []
    for prepare in (
        pdf.PREPARE_PAGE,
        pdf.PREPARE_PAGE.replace("=> {", "=> {" + WIDE_TABLE, 1),
    ):
        monkeypatch.setattr(pdf, "PREPARE_PAGE", prepare)
        output = tmp_path / f"scale-{len(sizes)}.pdf"
        pdf.build_pdf(build_book(), output, toc=toc, log=None)
        manifest = json.loads(output.with_suffix(".json").read_text(encoding="utf-8"))
        sizes += list(type_size_by_part(output, manifest).values())
    plain, shrunk = sizes
    assert shrunk < 0.9 * plain


# --------------------------------------------------------------------------- frames
def _green(pixel) -> bool:
    """The left border of a code cell's frame (#008000, anti-aliased)."""
    r, g, b = pixel
    return r < 60 and g > 100 and b < 60


def empty_frames(path: Path, dpi: int = 60) -> list[tuple[int, int, int]]:
    """(page, top, bottom) of every stretch of a code cell's frame (its green
    left border) with no ink beside it: a frame left behind at a page's end."""
    from PIL import Image

    found = []
    folder = path.parent / f"{path.stem}-pages"
    folder.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(folder / "p")], check=True
    )
    for image_path in sorted(folder.glob("p-*.png")):
        page = int(image_path.stem.rsplit("-", 1)[1])
        image = Image.open(image_path).convert("RGB")
        width, height = image.size
        pixels = image.load()

        border = [
            next((x for x in range(width // 3) if _green(pixels[x, y])), None)
            for y in range(height)
        ]
        y = 0
        while y < height:
            if border[y] is None:
                y += 1
                continue
            top, x0 = y, border[y]
            while y < height and border[y] is not None:
                y += 1
            inked = any(
                sum(pixels[x, row]) < 450 and not _green(pixels[x, row])
                for row in range(top, y)
                for x in range(x0 + 3, width - 5)
            )
            if not inked and y - top >= 2:
                found.append((page, top, y))
    return found


def test_no_code_frame_is_left_empty_at_a_page_end(edition_pdf):
    path, manifest = edition_pdf
    frames = empty_frames(path)
    checked = sum(p["pages"] for p in manifest["parts"])
    assert checked > 100 and frames == []


def test_the_frame_check_sees_frames_left_behind(tmp_path, monkeypatch):
    """Without the rule that keeps a code cell whole, chapter 3 leaves frames."""
    require_browser()
    require_poppler()
    toc = tmp_path / "_toc.yml"
    toc.write_text("format: jb-book\nroot: book/03_out_of_memory\n")
    css = pdf.PRINT_CSS.replace("div.cell_input { break-inside: avoid; }", "")
    assert css != pdf.PRINT_CSS
    monkeypatch.setattr(pdf, "PRINT_CSS", css)
    output = tmp_path / "frames.pdf"
    pdf.build_pdf(build_book(), output, toc=toc, log=None)
    assert len(empty_frames(output)) >= 2


# --------------------------------------------------------------------------- math
def test_display_equations_are_centred_on_screen_and_on_paper():
    from playwright.sync_api import sync_playwright

    from cnnbook.publishing import browser

    require_browser()
    offsets = []
    with browser.serve(build_book()) as base, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        page = chromium.new_page(viewport={"width": 1000, "height": 900})
        for document in (
            "book/02_counting_parameters_and_memory",
            "book/07_after_resnet",
        ):
            page.goto(f"{base}{document}.html", wait_until="load")
            for media in ("screen", "print"):
                page.emulate_media(media=media)
                offsets += page.evaluate(
                    """() => [...document.querySelectorAll('div.math')].map((d) => {
                      const m = d.querySelector('math').getBoundingClientRect();
                      const box = d.getBoundingClientRect();
                      return [m.left - box.left, box.right - m.right];
                    })"""
                )
        chromium.close()
    assert len(offsets) >= 8
    assert [o for o in offsets if abs(o[0] - o[1]) > 2] == []


def test_readme_states_the_page_count_of_the_pdf(edition_pdf):
    _, manifest = edition_pdf
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    stated = int(re.search(r"`make pdf` printed (\d+) pages", readme).group(1))
    assert abs(stated - manifest["pages"]) <= 0.05 * manifest["pages"], (
        f"README says {stated} pages, the PDF has {manifest['pages']}"
    )
