"""The published pages run the widget modules saved in the notebooks' widget
state, not the files in cnnbook/widgets/: a notebook executed before a module
changed would publish the old one (labels, fixes and all), and the old look
(`_css`, widgets.css)."""

import nbformat
import pytest

from cnnbook.widgets.esm import CSS, esm
from tests.conftest import REPO

STATE = "application/vnd.jupyter.widget-state+json"


def saved_modules(path):
    """(widget class, saved _esm, saved _css) of every anywidget in a
    notebook's state."""
    state = nbformat.read(path, as_version=4).metadata.get("widgets", {})
    for model in state.get(STATE, {}).get("state", {}).values():
        widget = model["state"].get("_anywidget_id", "")
        if widget.startswith("cnnbook.widgets.") and "_esm" in model["state"]:
            yield widget, model["state"]["_esm"], model["state"].get("_css")


@pytest.mark.parametrize("folder", ["book", "solutions"])
def test_saved_widgets_carry_the_current_modules(folder):
    stale = sorted(
        {
            f"{path.name} ({widget})"
            for path in sorted((REPO / folder).glob("*.ipynb"))
            for widget, saved, css in saved_modules(path)
            if saved != esm(widget.split(".")[2] + ".js") or css != CSS
        }
    )
    assert stale == [], f"re-execute (make outputs / make solutions): {stale}"
