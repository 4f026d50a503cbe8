"""The live (anywidget) calculator: Python API, and its JavaScript against calc.

The browser-marked tests import the widget's ES module in Chromium and compare
what it computes and shows with `cnnbook.calc` and the ipywidgets calculator
on random stacks, exactly (numbers and formatted text).
"""

import random

import nbformat
import pytest

from cnnbook import calc
from cnnbook.units import format_bytes
from cnnbook.widgets.conv_stack import ESM, LiveConvStackCalculator
from tests import browser_support
from tests.browser_support import REPO


# ------------------------------------------------------------------ Python side
def test_seed_network_matches_the_chapter():
    widget = LiveConvStackCalculator()
    assert widget.error is None
    assert widget.report.params == 903_400
    assert widget.report.inference_bytes == 12_613_600
    assert widget.training_report.training_bytes == 565_613_600
    assert repr(widget) == "LiveConvStackCalculator: 3 layers, 903,400 parameters"


def test_state_carries_the_module_for_the_static_page():
    state = LiveConvStackCalculator().get_state()
    assert state["_esm"] == ESM
    assert "memory for one prediction" in state["_esm"]
    assert state["input_shape"] == [200, 300, 3]
    assert state["layers"][0] == {
        "kind": "Conv2D",
        "filters": 100,
        "kernel_size": 3,
        "strides": 2,
        "padding": "same",
    }


def test_add_and_remove_layers_update_the_report():
    widget = LiveConvStackCalculator(input_shape=(32, 32, 3), layers=[])
    assert widget.error == "layers must contain at least one layer, got an empty list"
    widget.add_layer(filters=8, kernel_size=3)
    widget.add_layer(kind="MaxPooling2D", kernel_size=2, strides=2)
    expected = calc.analyze(
        (32, 32, 3),
        [calc.Conv2D(8, 3, padding="same"), calc.MaxPooling2D(2, strides=2)],
    )
    assert widget.report == expected
    widget.remove_layer(0)
    assert [layer.kind for layer in widget.report.layers] == ["MaxPooling2D"]
    with pytest.raises(ValueError, match="index must be between 0 and 0"):
        widget.remove_layer(3)


def test_settings_that_make_no_network_show_calcs_message():
    widget = LiveConvStackCalculator(
        input_shape=(4, 4, 1),
        layers=[{"kind": "Conv2D", "filters": 2, "kernel_size": 5, "padding": "valid"}],
    )
    assert widget.report is None
    assert widget.error == (
        "layers[0] (conv2d, Conv2D): kernel_size 5 is larger than the input size 4 "
        "with padding='valid'; use padding='same' or a smaller window"
    )
    widget.layers = [{**widget.layers[0], "filters": None}]  # a cleared input box
    assert widget.error == "layer 1: filters must be a positive integer, got None"


def test_saved_chapters_carry_the_current_module():
    """A notebook saved before conv_stack.js changed would publish the old one."""
    saved = []
    for path in sorted((REPO / "book").glob("*.ipynb")):
        widgets = nbformat.read(path, as_version=4).metadata.get("widgets", {})
        state = widgets.get("application/vnd.jupyter.widget-state+json", {})
        for model in state.get("state", {}).values():
            if (
                model["state"]
                .get("_anywidget_id", "")
                .endswith("LiveConvStackCalculator")
            ):
                saved.append((path.name, model["state"]["_esm"] == ESM))
    assert saved, "no chapter shows the live calculator"
    assert all(same for _, same in saved), (
        f"re-execute these chapters (cnnbook execute, make outputs): {saved}"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_shape": (32, 32)}, "input_shape must be"),
        ({"input_shape": "32"}, "input_shape must be"),
        ({"layers": {"kind": "Conv2D"}}, "layers must be a list"),
        (
            {"layers": [{"kind": "Dense"}]},
            r"layers\[0\]\['kind'\] must be one of Conv2D",
        ),
        (
            {"layers": [{"padding": "full"}]},
            r"\['padding'\] must be one of same, valid",
        ),
        ({"layers": [{"size": 3}]}, r"unknown keys \['size'\]; allowed keys are kind"),
        ({"layers": [{"filters": 2.5}]}, r"\['filters'\] must be an integer"),
        ({"layers": ["conv"]}, r"layers\[0\] must be a dict"),
        ({"batch_size": "50"}, "batch_size must be an integer"),
        ({"dtype": "int3"}, "dtype must be one of float32, float16, bfloat16, float64"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LiveConvStackCalculator(**kwargs)


# ------------------------------------------------------------------ in Chromium


@pytest.fixture(scope="module")
def module_page():
    """A Chromium page with the calculator's ES module imported as `window.calc`."""
    with browser_support.module_page(calc=ESM) as page:
        yield page


@pytest.mark.browser
def test_byte_formatting_rounds_like_python(module_page):
    rng = random.Random(7)
    values = [
        0,
        1,
        49_999,
        50_000,
        150_000,
        250_000,
        350_000,
        1_250_000,
        5 * 2**18,
        3 * 2**19,
        2**20,
        15 * 2**16,
        10**15 + 5 * 10**5,
    ]
    values += [rng.randrange(10 ** rng.randint(1, 13)) for _ in range(300)]
    cases = [
        (v, unit, digits) for v in values for unit in ("MB", "MiB") for digits in (1, 2)
    ]
    got = module_page.evaluate(
        "(cases) => cases.map(([v, u, d]) => calc.formatBytes(BigInt(v), u, d))",
        [[str(v), u, d] for v, u, d in cases],
    )
    assert got == [format_bytes(v, u, d) for v, u, d in cases]
