"""The receptive-field calculator's Python side: settings, calc's report, messages.

What the page computes is compared with :func:`describe` in
tests/widgets/test_parity.py; here the Python side is held to calc.
"""

import os

import pytest

from cnnbook import calc
from cnnbook.widgets.receptive_field import (
    ESM,
    LAYER_DEFAULTS,
    SEED_INPUT_SHAPE,
    SEED_LAYERS,
    LiveReceptiveFieldCalculator,
    describe,
)
from tests import browser_support


def test_seed_stack_is_what_calc_reports():
    widget = LiveReceptiveFieldCalculator()
    expected = calc.analyze(
        (224, 224, 3),
        [
            calc.Conv2D(32, 3, strides=2, padding="same"),
            calc.DepthwiseConv2D(3, padding="same"),
            calc.SeparableConv2D(64, 3, strides=2, padding="same"),
            calc.SeparableConv2D(64, 3, padding="same", dilation_rate=2),
        ],
    )
    assert widget.report == expected
    assert [x.receptive_field.size[0] for x in widget.report.layers] == [3, 7, 11, 27]
    assert widget.single.layers[0].params == 27 * 27 * 3 * 64 + 64
    assert repr(widget) == (
        "LiveReceptiveFieldCalculator: 4 layers, field 27 x 27, "
        f"{expected.params:,} parameters"
    )


def test_state_carries_the_module_for_the_static_page():
    state = LiveReceptiveFieldCalculator().get_state()
    assert state["_esm"] == ESM and "first unit sees" in ESM
    assert state["layers"][3]["dilation_rate"] == 2


def test_text_shows_fields_jumps_and_the_first_units_window():
    settings = {
        "input_shape": [200, 300, 3],
        "layers": [
            {
                "kind": "Conv2D",
                "filters": f,
                "kernel_size": 3,
                "strides": 2,
                "dilation_rate": 1,
                "padding": "same",
            }
            for f in (100, 200, 400)
        ],
    }
    shown = describe(settings)["text"]
    assert [row[2:5] for row in shown["layers"]] == [
        ["3", "2", "rows 0 to 2, columns 0 to 2"],
        ["7", "4", "rows 0 to 6, columns 0 to 6"],
        ["15", "8", "rows 0 to 14, columns -4 to 10"],
    ]
    assert shown["parameters"] == "903,400"
    assert shown["field"] == "15 pixels, jump 8"
    assert shown["single"] == "15 kernel, stride 8"


def test_add_remove_and_bad_settings():
    widget = LiveReceptiveFieldCalculator(input_shape=(16, 16, 4), layers=[])
    assert widget.error == "layers must contain at least one layer, got an empty list"
    widget.add_layer(kind="DepthwiseConv2D", dilation_rate=4, padding="valid")
    assert widget.error is None
    assert widget.report.layers[0].receptive_field.size == (9, 9)  # 16 - 9 + 1 = 8
    assert widget.report.layers[0].output_shape == (8, 8, 4)
    widget.input_shape = [8, 8, 4]
    assert widget.report is None
    assert widget.error == (
        "layers[0] (depthwise_conv2d, DepthwiseConv2D): kernel_size 3 at "
        "dilation_rate 4 spans 9 pixels, which is larger than the input size 8 "
        "with padding='valid'; use padding='same' or a smaller window"
    )
    widget.layers = [{**widget.layers[0], "kind": "Conv2D", "strides": 2}]
    assert widget.error == (
        "layer 1: strides and dilation_rate cannot both exceed 1 in a Conv2D (Keras "
        "refuses it), got strides=(2, 2) and dilation_rate=(4, 4)"
    )
    widget.remove_layer(0)
    assert widget.layers == []
    with pytest.raises(ValueError, match="index must be between"):
        widget.remove_layer(0)
    for bad in [{"kind": "MaxPooling2D"}, {"stride": 2}, {"filters": "8"}]:
        with pytest.raises(ValueError, match="layers\\[0\\]"):
            widget.add_layer(**bad)
    with pytest.raises(ValueError, match="input_shape"):
        LiveReceptiveFieldCalculator(input_shape=(8, 8))
    with pytest.raises(ValueError, match="layers must be a list"):
        LiveReceptiveFieldCalculator(layers={"kind": "Conv2D"})


# ------------------------------------------------------------------ in the book
CHAPTER_7 = "book/07_after_resnet.html"


def test_a_book_built_before_the_chapter_is_rebuilt(tmp_path, monkeypatch):
    """A stale _build/html (no chapter 7 page, or one older than the notebook)
    served a 404 or the old page: the calculator never rendered."""
    html, source = tmp_path / "_build" / "html", tmp_path / "book"
    monkeypatch.setattr(browser_support, "HTML", html)
    monkeypatch.setattr(browser_support, "REPO", tmp_path)
    source.mkdir()
    (source / "07_after_resnet.ipynb").write_text("{}")
    assert browser_support._stale(CHAPTER_7)
    (html / "book").mkdir(parents=True)
    (html / CHAPTER_7).write_text("<html></html>")
    os.utime(source / "07_after_resnet.ipynb", (2e9, 2e9))  # edited after the build
    assert browser_support._stale(CHAPTER_7)
    os.utime(html / CHAPTER_7, (2e9 + 1, 2e9 + 1))
    assert not browser_support._stale(CHAPTER_7)
    assert browser_support._stale("index.html")


@pytest.mark.browser
def test_chapter_7_calculator_recomputes_in_the_page():
    """Edit the published calculator with no kernel: the page shows what the
    Python side describes, and calc's message for settings Keras refuses."""
    html = browser_support.build_book(CHAPTER_7)
    with browser_support.browser_at(html) as (base, browser):
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        page = browser.new_page()
        log = browser_support.watch(page)
        response = page.goto(base + CHAPTER_7, wait_until="load")
        assert response is not None and response.ok, f"{CHAPTER_7}: {response}"
        calculator = page.locator(".cnnbook-receptive-field")
        try:
            calculator.locator(".cnnbook-results table").first.wait_for(timeout=20_000)
        except PlaywrightTimeoutError:
            pytest.fail(
                f"the calculator did not render in 20 s: console errors "
                f"{log.console_errors}, page errors {log.page_errors}, failed "
                f"requests {log.failed}"
            )
        settings = {
            "input_shape": list(SEED_INPUT_SHAPE),
            "layers": [dict(row) for row in SEED_LAYERS],
        }
        assert shown(calculator) == describe(settings)["text"]["layers"]

        first = calculator.locator(".cnnbook-layer").nth(0)
        first.locator('input[name="dilation"]').fill("3")
        settings["layers"][0]["dilation_rate"] = 3
        error = calculator.locator(".cnnbook-error").inner_text()
        assert error.endswith(describe(settings)["error"])
        first.locator('input[name="stride"]').fill("1")
        settings["layers"][0]["strides"] = 1
        calculator.locator(".cnnbook-add-layer").click()
        settings["layers"].append(dict(LAYER_DEFAULTS))
        last = calculator.locator(".cnnbook-layer").nth(4)
        last.locator('select[name="layer"]').select_option("DepthwiseConv2D")
        last.locator('input[name="kernel"]').fill("5")
        settings["layers"][4].update(kind="DepthwiseConv2D", kernel_size=5)
        assert shown(calculator) == describe(settings)["text"]["layers"]
        assert log.console_errors == [] and log.page_errors == []
        page.close()


def shown(calculator) -> list[list[str]]:
    rows = calculator.locator(".cnnbook-results table").first.locator("tbody tr")
    return [row.locator("td").all_inner_texts() for row in rows.all()]
