"""The PDF edition: the built HTML book, printed by Debian's Chromium, as one PDF.

``make pdf`` (``cnnbook pdf _build/html OUTPUT``) serves
``_build/html`` on 127.0.0.1 and opens every page of the table of contents in
``/usr/bin/chromium`` (Playwright, no browser download), as a reader would:
the stored outputs, the figures and the MathML math are what the page shows,
and each live calculator draws itself from its saved state. Then, for print:

* code and outputs wrap inside the margins (:data:`PRINT_CSS`); a line of code
  is never cut off (tests/book/test_pdf.py checks every code cell's text);
* under each calculator a line says it shows its saved settings and gives the
  address of the same page in the web edition, where it recomputes;
* links to other pages point to the web edition (a link in a PDF cannot open
  a page of a local server); links inside a page stay inside the PDF.

Each page is printed to a PDF of its own (Chromium's ``page.pdf``, A4, with
an outline of its headings and a footer naming the book, the edition and the
page), then a cover with the edition and a contents list with page numbers is
printed, and pypdf joins them in reading order, one bookmark per page. A
manifest (``OUTPUT`` with ``.json``) lists where each page of the book starts.
(Chromium's tagged PDF is not asked for: joining the parts would drop the
tags, and they triple each part's size.)
"""

from __future__ import annotations

import html
import io
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from cnnbook.project import CONFIG, REPO
from cnnbook.publishing import browser
from cnnbook.publishing.edition import Edition, read_edition
from cnnbook.publishing.toc import toc_documents

PAGE_TIMEOUT_MS = 30_000
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
# Print only: long lines wrap (anywhere, if they must) instead of running off
# the page or being clipped by a scroll box; nothing scrolls on paper.
PRINT_CSS = """
@media print {
  pre, pre *, .highlight pre, .output pre, .cell_output pre {
    white-space: pre-wrap !important;
    overflow-wrap: anywhere !important;
    word-break: break-word;
  }
  pre, .highlight, .cell_output, .output, .table-wrapper,
  .pst-scrollable-table-container, .bd-article-container, .widget-subarea {
    overflow: visible !important; max-height: none !important;
  }
  table { max-width: 100%; }
  /* A wide table shrinks its text and wraps its cells rather than widening
     the page, which Chromium would then print scaled down as a whole. */
  table.cnnbook-table { font-size: 0.8em; }
  table.cnnbook-table th, table.cnnbook-table td {
    overflow-wrap: anywhere; word-break: break-word; hyphens: auto;
  }
  img { max-width: 100% !important; height: auto; break-inside: avoid; }
  figure, .cell_output img { break-inside: avoid; }
  /* A code cell moves to the next page whole when it fits there: split at
     the end of a page, its frame was left behind empty. */
  div.cell_input { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
  .cnnbook-print-note {
    font-size: 0.85em; font-style: italic; color: #333;
    border-left: 3px solid #4878a8; padding-left: 0.6em; margin: 0.4em 0 1em;
  }
}
"""
# Run in each page once its widgets are drawn: the note under every
# calculator, and links to other pages of the book sent to the web edition.
PREPARE_PAGE = """([notes, web]) => {
  const areas = [...document.querySelectorAll('.widget-subarea')];
  for (const area of areas) {
    const p = document.createElement('p');
    p.className = 'cnnbook-print-note';
    p.textContent = area.querySelector('.cnnbook-live-check')
      ? notes.check : notes.calculator;
    area.after(p);
  }
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.getAttribute('href'), location.href);
    if (url.origin !== location.origin) continue;
    if (url.pathname === location.pathname && url.hash) continue;  // in the PDF
    const path = url.pathname.replace(/^\\//, '') + url.hash;
    if (web) a.setAttribute('href', web + path);
    else a.removeAttribute('href');
  }
  const h1 = document.querySelector('article.bd-article h1');
  if (!h1) return { title: document.title, widgets: areas.length };
  const copy = h1.cloneNode(true);
  copy.querySelectorAll('.headerlink').forEach((e) => e.remove());
  return { title: copy.textContent.trim(), widgets: areas.length };
}"""


@dataclass(frozen=True)
class Part:
    """One page of the book in the PDF: where it starts and how long it is."""

    path: str
    caption: str | None
    title: str
    first_page: int
    pages: int
    widgets: int


def widget_notes(edition: Edition, path: str) -> dict[str, str]:
    """The line printed under each widget of the page at ``path``: a
    calculator, or a self-check box (``check``)."""
    where = (
        f"open {edition.web}{path} in the web edition"
        if edition.web
        else "open this page in the web edition"
    )
    return {
        "calculator": "A live calculator, printed with its saved settings. To "
        f"change them and see the results recomputed, {where}, or run the "
        "notebook in Binder or Colab.",
        "check": f"A self-check: to type your answer and get feedback, {where}.",
    }


def footer_template(book_title: str, edition: Edition, title: str) -> str:
    """Chromium's footer for one page of the book: book, edition, page N/M."""
    short = f"Edition {edition.version}" if edition.version else edition.ref
    left = html.escape(f"{book_title} · {short}")
    right = html.escape(title)
    return (
        '<div style="font-family: DejaVu Sans, sans-serif; font-size: 7.5px; '
        "color: #555; width: 100%; margin: 0 15mm; display: flex; "
        'justify-content: space-between;">'
        f"<span>{left}</span><span>{right} · "
        '<span class="pageNumber"></span>/<span class="totalPages"></span>'
        "</span></div>"
    )


def cover_html(
    book: dict, edition: Edition, parts: list[tuple[str | None, str, int]]
) -> str:
    """The cover and contents: ``parts`` are (caption, title, first page)."""
    rows, caption = [], object()
    for part_caption, title, first in parts:
        if part_caption != caption and part_caption:
            rows.append(f'<tr><th colspan="2">{html.escape(part_caption)}</th></tr>')
        caption = part_caption
        rows.append(f"<tr><td>{html.escape(title)}</td><td class=n>{first}</td></tr>")
    web = (
        f"<p>Web edition, with live calculators: {html.escape(edition.web)}</p>"
        if edition.web
        else ""
    )
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>{html.escape(book["title"])}</title>
<style>
  body {{ font-family: DejaVu Sans, sans-serif; margin: 0; color: #111; }}
  h1 {{ font-size: 28pt; margin: 30mm 0 6mm; }}
  .edition {{ font-size: 12pt; }}
  p {{ font-size: 10pt; }}
  table {{ width: 100%; border-collapse: collapse; margin-top: 10mm;
           font-size: 10pt; break-before: page; }}
  th {{ text-align: left; padding-top: 4mm; }}
  td {{ padding: 0.6mm 0; }}
  td.n {{ text-align: right; width: 15mm; }}
</style></head><body>
<h1>{html.escape(book["title"])}</h1>
<p class="edition">{html.escape(edition.label)}</p>
<p>{html.escape(book.get("author") or "")}</p>
{web}
<p>Source: {html.escape(edition.repository)} at {html.escape(edition.ref)}</p>
<table><tr><th colspan="2">Contents (page of this PDF)</th></tr>
{"".join(rows)}</table>
</body></html>"""


def _print(page, **options) -> bytes:
    return page.pdf(
        format="A4",
        margin=MARGIN,
        print_background=True,
        outline=True,  # bookmarks of the headings, kept when pages are joined
        **options,
    )


def _page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def build_pdf(
    html_dir: Path | str,
    output: Path | str,
    toc: Path | str = REPO / "_toc.yml",
    config: Path | str = CONFIG,
    log=print,
) -> list[Part]:
    """Print the book built in ``html_dir`` (pages in ``toc``'s order) to
    ``output``; returns where each page of the book starts."""
    import yaml
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    html_dir, output = Path(html_dir), Path(output)
    documents = toc_documents(toc)
    missing = [f for _, f in documents if not (html_dir / f"{f}.html").is_file()]
    if missing:
        raise ValueError(
            f"html_dir must hold the built book (make book); {html_dir} lacks "
            f"{', '.join(f + '.html' for f in missing)}"
        )
    book = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
    book.setdefault("title", "Book")
    edition = read_edition(config)
    started = time.monotonic()
    printed: list[tuple[str | None, str, str, int, bytes]] = []
    with browser.serve(html_dir) as base, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        context = chromium.new_context()
        for caption, document in documents:
            path = f"{document}.html"
            page = context.new_page()
            refused = browser.keep_local(page)
            page.goto(base + path, wait_until="load", timeout=PAGE_TIMEOUT_MS)
            page.wait_for_function(browser.WIDGETS_DRAWN, timeout=PAGE_TIMEOUT_MS)
            page.evaluate("() => document.fonts.ready.then(() => true)")
            page.add_style_tag(content=PRINT_CSS)
            found = page.evaluate(
                PREPARE_PAGE, [widget_notes(edition, path), edition.web]
            )
            if refused:
                raise ValueError(f"{path} asked for outside addresses: {refused}")
            data = _print(
                page,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer_template(book["title"], edition, found["title"]),
            )
            page.close()
            printed.append((caption, path, found["title"], found["widgets"], data))
            if log:
                log(f"{path}: {_page_count(data)} pages", flush=True)
        cover_page = context.new_page()

        def cover(offset: int) -> bytes:
            starts, first = [], offset + 1
            for caption, _path, title, _widgets, data in printed:
                starts.append((caption, title, first))
                first += _page_count(data)
            cover_page.set_content(cover_html(book, edition, starts))
            return _print(cover_page)

        front = cover(1)
        front = cover(_page_count(front))
        chromium.close()
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(front)), outline_item="Cover and contents")
    parts, first = [], _page_count(front) + 1
    for caption, path, title, widgets, data in printed:
        pages = _page_count(data)
        writer.append(PdfReader(io.BytesIO(data)), outline_item=title)
        parts.append(Part(path, caption, title, first, pages, widgets))
        first += pages
    writer.add_metadata(
        {
            "/Title": book["title"],
            "/Author": str(book.get("author") or ""),
            "/Subject": edition.label,
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as stream:
        writer.write(stream)
    manifest = {
        "edition": edition.label,
        "ref": edition.ref,
        "pages": first - 1,
        "parts": [asdict(part) for part in parts],
    }
    output.with_suffix(".json").write_text(
        json.dumps(manifest, indent=1) + "\n", encoding="utf-8"
    )
    if log:
        size = output.stat().st_size / 1e6
        log(
            f"{output}: {first - 1} pages, {size:.1f} MB, "
            f"{time.monotonic() - started:.0f} s"
        )
    return parts
