"""Readers with a screen reader or a keyboard: axe-core finds no serious or
critical violation on any page (desktop and phone widths), every control of a
calculator has a label, every figure has alternative text that says what it
shows, and every calculator works from the keyboard alone.

axe-core comes from the npm registry (`npm ci --prefix tests/js`, run by
.ci/run) and is injected into the pages by the tests only.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest

from tests.browser_support import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    WIDGET_CONTROLS,
    another_value,
    artifact_name,
    open_book_page,
    require_axe,
    toc_pages,
    wait_for_change,
    widget_text,
)
from tests.conftest import REPO

PAGES = toc_pages()
SEVERE = ("serious", "critical")
MIN_ALT_WORDS = 6


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(require_axe()))
    return page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] }))
            .violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")),
            }))"""
    )


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(site, path, viewport):
    page, _ = open_book_page(site, path, viewport)
    try:
        violations = run_axe(page)
    finally:
        page.context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    name = f"axe__{viewport['width']}__{artifact_name(path)}"
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(violations, indent=1) + "\n")
    severe = [v for v in violations if v["impact"] in SEVERE]
    assert severe == [], json.dumps(severe, indent=1)


LABEL_OF = """(el) => {
    const named = (el.getAttribute("aria-label") || "").trim()
        || [...(el.getAttribute("aria-labelledby") || "").split(/\\s+/)]
            .map((id) => document.getElementById(id)?.innerText || "").join(" ").trim()
        || [...(el.labels || [])].map((l) => l.innerText).join(" ").trim();
    return named;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("book/0")])
def test_every_calculator_control_has_a_label(site, path):
    """A label a screen reader says (not a placeholder, which disappears)."""
    page, _ = open_book_page(site, path)
    try:
        controls = page.locator(WIDGET_CONTROLS)
        names = [controls.nth(i).evaluate(LABEL_OF) for i in range(controls.count())]
        assert all(names), names
        buttons = page.locator(".widget-subarea button")
        assert all(
            buttons.nth(i).evaluate(LABEL_OF) or buttons.nth(i).inner_text().strip()
            for i in range(buttons.count())
        )
    finally:
        page.context.close()


def says_what_it_shows(alt: str) -> bool:
    """Alternative text that describes: several words, not a file name."""
    alt = alt.strip()
    looks_like_a_file = re.search(r"\.(png|jpe?g|svg|gif)$", alt, re.IGNORECASE)
    return len(alt.split()) >= MIN_ALT_WORDS and not looks_like_a_file


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_every_figure_on_the_page_has_alternative_text(site, path):
    page, _ = open_book_page(site, path)
    try:
        alts = page.locator("article img").evaluate_all(
            "(imgs) => imgs.map((img) => [img.getAttribute('src'), img.alt])"
        )
        pictures = page.locator("article canvas[role='img']").evaluate_all(
            "(cs) => cs.map((c) => c.getAttribute('aria-label') || '')"
        )
        svgs = page.locator("article svg[role='img']").evaluate_all(
            """(svgs) => svgs.map((s) => s.getAttribute('aria-label')
                || s.querySelector(':scope > title')?.textContent || '')"""
        )
    finally:
        page.context.close()
    assert [src for src, alt in alts if not says_what_it_shows(alt)] == []
    drawn = svgs + pictures
    assert [label for label in drawn if not says_what_it_shows(label)] == []


def figure_cells(folder: str):
    for path in sorted((REPO / folder).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            outputs = cell.get("outputs", [])
            if any(k.startswith("image/") for o in outputs for k in o.get("data", {})):
                yield path, index, cell


def alt_text(cell) -> str:
    """The alt text MyST-NB gives a cell's image (cell metadata mystnb.image.alt)."""
    return str(cell.metadata.get("mystnb", {}).get("image", {}).get("alt", ""))


@pytest.mark.parametrize("folder", ["book", "solutions"])
def test_every_figure_a_notebook_draws_carries_alternative_text(folder):
    """Set it in the cell's metadata: {"mystnb": {"image": {"alt": "..."}}}."""
    lacking = [
        f"{Path(path).name} cell {index}"
        for path, index, cell in figure_cells(folder)
        if not says_what_it_shows(alt_text(cell))
    ]
    assert lacking == [], f"figures without alternative text: {lacking}"


def test_the_alt_text_check_tells_a_description_from_a_placeholder():
    assert says_what_it_shows("Accuracy on shifted digits against training size")
    assert not says_what_it_shows("")
    assert not says_what_it_shows("figure")
    assert not says_what_it_shows("a b c d e 1f2e3d4c.png")


def tab_to_next_widget_input(page, seen: set[int], limit: int = 400):
    """Press Tab until the focus is in a text, number or range box of a widget
    not in ``seen``; returns (widget index, kind) or None at the end."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el.tagName !== "INPUT") return null;
                if (!["text", "number", "range"].includes(el.type)) return null;
                const areas = [...document.querySelectorAll(".widget-subarea")];
                const index = areas.findIndex((a) => a.contains(el));
                return index < 0 ? null : [index, el.type, el.value,
                                            Number(el.value) >= Number(el.max)];
            }"""
        )
        if where and where[0] not in seen:
            return where
    return None


@pytest.mark.browser
@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("book/0")])
def test_every_calculator_works_from_the_keyboard(site, path):
    page, _ = open_book_page(site, path)
    try:
        widgets = page.locator(".widget-subarea").count()
        seen: set[int] = set()
        while (found := tab_to_next_widget_input(page, seen)) is not None:
            index, kind, value, at_max = found
            seen.add(index)
            before = widget_text(page, index)
            if kind == "range":
                page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
            else:
                page.keyboard.press("Control+A")
                page.keyboard.type(another_value(kind, value))
                page.keyboard.press("Enter")
            assert wait_for_change(page, index, before) != before
        assert seen == set(range(widgets)), f"reached {seen} of {widgets} widgets"
    finally:
        page.context.close()
