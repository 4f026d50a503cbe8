"""cnnbook.widgets.esm: every live widget is name.py beside name.js, and its
`_esm` is common.js, the libraries it uses, then its own module."""

import importlib
import re

import pytest

from cnnbook.widgets.esm import COMMON, FOLDER, LIBRARIES, USES, esm, widget_modules

DECLARED = re.compile(r"^(?:export )?(?:function|const|let|class) (\w+)", re.M)


def test_a_module_is_the_common_helpers_then_its_own_code():
    common = (FOLDER / COMMON).read_text()
    own = (FOLDER / "lrn_explorer.js").read_text()
    composed = esm("lrn_explorer.js")
    assert composed.startswith(common) and composed.endswith(own)
    assert "export default { render }" not in common


def test_a_module_with_libraries_has_them_between_in_order():
    composed = esm("conv_stack.js")
    layers = (FOLDER / "layers.js").read_text()
    own = (FOLDER / "conv_stack.js").read_text()
    assert composed.index(layers) < composed.index(own)
    assert composed.startswith((FOLDER / COMMON).read_text())
    assert "layers.js" not in widget_modules()


@pytest.mark.parametrize("name", widget_modules())
def test_every_module_has_its_python_twin_shipping_it(name):
    """name.js beside name.py, whose ESM is the composed module and which has
    describe(settings), the Python side of the page's describeJSON."""
    twin = importlib.import_module(f"cnnbook.widgets.{name.removesuffix('.js')}")
    assert twin.ESM == esm(name)
    assert callable(twin.describe)
    assert "export function describeJSON(settings" in (FOLDER / name).read_text()


@pytest.mark.parametrize("name", widget_modules())
def test_no_name_is_declared_twice_in_a_composed_module(name):
    """One module scope: a name declared twice is a SyntaxError in the page."""
    parts = [COMMON, *USES.get(name, ()), name]
    seen: dict[str, str] = {}
    for part in parts:
        for declared in DECLARED.findall((FOLDER / part).read_text()):
            assert declared not in seen, (declared, seen.get(declared), part)
            seen[declared] = part
    assert {"formatFixed", "pyRepr", "esc", "table", "bindModel"} <= set(seen)


def test_libraries_are_listed_and_used():
    assert set(LIBRARIES) <= {p.name for p in FOLDER.glob("*.js")}
    used = {lib for libs in USES.values() for lib in libs}
    assert used == set(LIBRARIES) - {COMMON}
    assert set(USES) <= set(widget_modules())


@pytest.mark.parametrize("name", ["common.js", "layers.js", "nope.js", "../calc.py"])
def test_unknown_names_raise_value_errors(name):
    with pytest.raises(
        ValueError,
        match="name must be one of conv_stack.js, downsampling.js",
    ):
        esm(name)
