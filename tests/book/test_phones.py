"""The book on a phone (390 x 844 CSS pixels, touch): no page scrolls sideways,
code wraps, and every calculator's inputs can be reached, seen and used."""

import pytest

from tests.browser_support import (
    ARTIFACTS,
    PHONE,
    WIDGET_CONTROLS,
    another_value,
    artifact_name,
    open_book_page,
    toc_pages,
    wait_for_change,
    widget_controls,
    widget_text,
)

PAGES = toc_pages()
ON_A_PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def open_on_phone(site, path):
    return open_book_page(site, path, PHONE, **ON_A_PHONE)


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_the_page_fits_the_phone_and_its_controls_are_reachable(site, path):
    page, log = open_on_phone(site, path)
    try:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"phone__{artifact_name(path)}.png"))
        scroll, width = page.evaluate(
            "() => [document.documentElement.scrollWidth,"
            " document.documentElement.clientWidth]"
        )
        assert width == PHONE["width"]
        assert scroll <= width, f"the page scrolls sideways: {scroll} px wide"
        sideways_code = page.evaluate(
            """() => [...document.querySelectorAll('div.highlight pre')]
                .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
                .map((pre) => pre.textContent.slice(0, 60))"""
        )
        assert sideways_code == [], "code that scrolls sideways instead of wrapping"
        controls = page.locator(f"{WIDGET_CONTROLS}:not([disabled])")
        for i in range(controls.count()):
            control = controls.nth(i)
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            assert box is not None and box["width"] >= 12 and box["height"] >= 12
            assert 0 <= box["x"] and box["x"] + box["width"] <= width, box
            control.tap(trial=True, timeout=2_000)  # visible, not covered
        assert log.page_errors == [] and log.console_errors == []
    finally:
        page.context.close()


CALCULATOR_PAGES = [p for p in PAGES if p.startswith("book/0")]


@pytest.mark.browser
@pytest.mark.parametrize("path", CALCULATOR_PAGES)
def test_every_calculator_recomputes_when_a_value_is_typed_on_a_phone(site, path):
    page, _ = open_on_phone(site, path)
    try:
        tried = set()
        for index, control in widget_controls(page):
            if index in tried:
                continue
            tried.add(index)
            before = widget_text(page, index)
            control.scroll_into_view_if_needed()
            control.tap()
            kind = control.get_attribute("type")
            if kind == "range":
                page.keyboard.press("ArrowLeft" if _at_max(control) else "ArrowRight")
            else:
                control.fill(another_value(kind, control.input_value()))
                control.press("Enter")
            assert wait_for_change(page, index, before) != before
        widgets = page.locator(".widget-subarea").count()
        if widgets:
            assert tried == set(range(widgets)), "a widget with nothing to type into"
    finally:
        page.context.close()


def _at_max(control) -> bool:
    return control.evaluate("(el) => Number(el.value) >= Number(el.max)")
