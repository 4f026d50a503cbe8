"""cnnbook.live_esm: every live widget's `_esm` is common.js, then its own module."""

import re

import pytest

from cnnbook import (
    live_calculator,
    live_checks,
    widgets_convolution,
    widgets_lrn,
    widgets_memory,
)
from cnnbook.live_esm import COMMON, STATIC, esm, widget_modules


def test_a_module_is_the_common_helpers_then_its_own_code():
    common = (STATIC / COMMON).read_text()
    own = (STATIC / "lrn.js").read_text()
    composed = esm("lrn.js")
    assert composed.startswith(common) and composed.endswith(own)
    assert "export default { render }" not in common


def test_every_widget_ships_its_composed_module():
    assert {
        live_calculator.ESM: "conv_stack.js",
        live_checks.ESM: "checks.js",
        widgets_memory.ESM: "will_it_fit.js",
        widgets_lrn.ESM: "lrn.js",
        widgets_convolution.COUNTER_ESM: "param_counter.js",
        widgets_convolution.DOWNSAMPLING_ESM: "downsampling.js",
    } == {esm(name): name for name in widget_modules()}


def test_widget_modules_declare_none_of_the_common_names():
    """One module scope: a name declared twice is a SyntaxError in the page."""
    declared = re.compile(r"^(?:export )?(?:function|const|let|class) (\w+)", re.M)
    shared = set(declared.findall((STATIC / COMMON).read_text()))
    assert {"formatFixed", "pyRepr", "esc", "table", "bindModel"} <= shared
    for name in widget_modules():
        own = set(declared.findall((STATIC / name).read_text()))
        assert not own & shared, name


@pytest.mark.parametrize("name", ["common.js", "nope.js", "../calc.py", ""])
def test_unknown_names_raise_value_errors(name):
    with pytest.raises(ValueError, match="name must be one of checks.js, conv_stack"):
        esm(name)
