"""cnnbook.widgets.esm: every live widget is name.py beside name.js, and its
`_esm` is common.js, then its own module."""

import importlib
import re

import pytest

from cnnbook.widgets.esm import COMMON, FOLDER, esm, widget_modules


def test_a_module_is_the_common_helpers_then_its_own_code():
    common = (FOLDER / COMMON).read_text()
    own = (FOLDER / "lrn_explorer.js").read_text()
    composed = esm("lrn_explorer.js")
    assert composed.startswith(common) and composed.endswith(own)
    assert "export default { render }" not in common


@pytest.mark.parametrize("name", widget_modules())
def test_every_module_has_its_python_twin_shipping_it(name):
    """name.js beside name.py, whose ESM is the composed module and which has
    describe(settings), the Python side of the page's describeJSON."""
    twin = importlib.import_module(f"cnnbook.widgets.{name.removesuffix('.js')}")
    assert twin.ESM == esm(name)
    assert callable(twin.describe)
    assert "export function describeJSON(settings" in (FOLDER / name).read_text()


def test_widget_modules_declare_none_of_the_common_names():
    """One module scope: a name declared twice is a SyntaxError in the page."""
    declared = re.compile(r"^(?:export )?(?:function|const|let|class) (\w+)", re.M)
    shared = set(declared.findall((FOLDER / COMMON).read_text()))
    assert {"formatFixed", "pyRepr", "esc", "table", "bindModel"} <= shared
    for name in widget_modules():
        own = set(declared.findall((FOLDER / name).read_text()))
        assert not own & shared, name


@pytest.mark.parametrize("name", ["common.js", "nope.js", "../calc.py", ""])
def test_unknown_names_raise_value_errors(name):
    with pytest.raises(
        ValueError,
        match="name must be one of conv_stack.js, downsampling.js, live_check.js",
    ):
        esm(name)
