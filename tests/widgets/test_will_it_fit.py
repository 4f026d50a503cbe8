"""The will-it-fit calculator's Python side, headless: set traits, read results.

The page's arithmetic (JavaScript) is compared with this in
tests/test_live_memory.py.
"""

import math

import nbformat
import pytest

from cnnbook.science import memory_plan as mp
from cnnbook.widgets.will_it_fit import (
    ESM,
    NETWORKS,
    WillItFit,
    network_facts,
    network_report,
    page_options,
)
from tests.browser_support import REPO


def test_starts_on_resnet50_16gb_and_shows_the_largest_batch():
    w = WillItFit()
    report = mp.resnet_report(50)
    expected = mp.largest_batch(report, 16e9, reserve_bytes=1e9)
    assert w.error is None and w.batch == expected > 0
    assert w.memory == mp.step_memory(report, expected)
    assert w.memory.total <= 15e9 < mp.step_memory(report, expected + 1).total
    assert w.budget == 15e9
    shown = w.text()
    assert shown["headline"] == (
        f"Largest batch that fits: {expected} images (float32, adam)"
    )
    assert shown["rows"][2] == ["optimizer state", "0.21 GB"]
    assert shown["rows"][-1] == ["available after the reserve", "15.00 GB"]
    assert repr(w) == f"WillItFit: {shown['headline']}"


def test_each_setting_changes_the_answer():
    w = WillItFit()
    base = w.batch
    w.precision = "mixed_float16"
    mixed = w.batch
    assert mixed > base
    w.checkpointing = True
    assert w.batch > 2 * mixed
    w.checkpointing = False
    w.precision = "float32"
    w.optimizer = "sgd"
    assert w.batch >= base
    w.optimizer = "adam"
    w.gpu = "80 GB"
    assert w.batch > 4 * base
    w.gpu = "custom"
    w.custom_gb = 16.0
    assert w.batch == base
    w.network = "ResNet-152, 224 x 224"
    assert w.batch < base
    w.reserve_gb = 0.0
    assert w.batch == mp.largest_batch(mp.resnet_report(152), 16e9)


def test_too_small_a_gpu_says_so():
    w = WillItFit(gpu="custom", custom_gb=0.3, reserve_gb=0.0)
    assert w.batch == 0 and w.memory is None and w.error is None
    one = mp.step_memory(mp.resnet_report(50), 1)
    assert w.text() == {
        "none_fits": (
            f"Not even one image fits: one image needs {one.total / 1e9:.2f} GB, "
            "the GPU offers 0.30 GB after the reserve."
        )
    }


def test_a_huge_gpu_stops_at_the_search_limit():
    w = WillItFit(gpu="custom", custom_gb=1e9, network="ResNet-50, 160 x 160")
    assert w.batch == 1_000_000


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"gpu": "custom", "custom_gb": -2.0},
            "custom GPU memory must be a positive number of GB, got -2.0",
        ),
        (
            {"gpu": "custom", "custom_gb": None},
            "custom GPU memory must be a positive number of GB, got None",
        ),
        (
            {"gpu": "custom", "custom_gb": math.nan},
            "custom GPU memory must be a positive number of GB, got nan",
        ),
        ({"reserve_gb": -1.0}, "reserve must be a non-negative number of GB, got -1.0"),
        ({"reserve_gb": 1e305}, "reserve_bytes must be a non-negative number, got inf"),
        (
            {"gpu": "custom", "custom_gb": 1e305},
            "memory_bytes must be a non-negative number, got inf",
        ),
        ({"network": "VGG16"}, "network must be one of ['ResNet-50, 224 x 224'"),
    ],
)
def test_bad_settings_show_the_message(settings, message):
    w = WillItFit()
    for name, value in settings.items():
        setattr(w, name, value)
    assert w.batch is None and w.memory is None and w.error.startswith(message)
    assert w.text() == {"error": w.error}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"gpu": "12 GB"}, r"gpu must be one of \['8 GB', '16 GB'"),
        ({"network": "VGG16"}, r"network must be one of \['ResNet-50, 224 x 224'"),
        ({"precision": "int8"}, r"precision must be one of \['float32'"),
        (
            {"optimizer": "lamb"},
            r"optimizer must be one of \['sgd', 'momentum', 'adam'\]",
        ),
        ({"checkpointing": 1}, "checkpointing must be True or False, got 1"),
        ({"custom_gb": "12"}, "custom_gb must be a number of GB, got '12'"),
        ({"reserve_gb": None}, "reserve_gb must be a number of GB, got None"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        WillItFit(**kwargs)


def test_network_facts_are_what_step_memory_uses():
    assert set(NETWORKS) >= {"ResNet-50, 224 x 224", "ResNet-50, 160 x 160"}
    assert network_report("ResNet-50, 224 x 224").params == 25_636_712
    with pytest.raises(ValueError, match="network must be one of"):
        network_report("VGG16")
    for name in NETWORKS:
        facts, report = network_facts(name), network_report(name)
        for checkpointing, kept in (
            (False, "activation_values"),
            (True, "checkpointed_values"),
        ):
            step = mp.step_memory(
                report, 3, optimizer="sgd", checkpointing=checkpointing
            )
            assert step.parameters == 4 * facts["params"]
            assert step.inputs == 3 * 4 * facts["input_values"]
            assert step.activations == 3 * 4 * facts[kept]


def test_state_carries_the_module_and_the_numbers_for_the_static_page():
    state = WillItFit().get_state()
    assert state["_esm"] == ESM
    assert state["options"] == page_options()
    assert state["options"]["precisions"]["mixed_float16"] == [4, 2, 4]
    assert state["options"]["optimizers"] == {"sgd": 0, "momentum": 1, "adam": 2}


def test_chapter_3_carries_the_current_module():
    """A notebook saved before will_it_fit.js changed would publish the old one."""
    path = REPO / "book" / "03_out_of_memory.ipynb"
    widgets = nbformat.read(path, as_version=4).metadata.get("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {})
    saved = [
        model["state"]
        for model in state.get("state", {}).values()
        if model["state"].get("_anywidget_id", "").endswith("WillItFit")
    ]
    assert saved, "chapter 3 does not show the live will-it-fit calculator"
    assert all(s["_esm"] == ESM and s["options"] == page_options() for s in saved), (
        "re-execute book/03_out_of_memory.ipynb"
    )
