"""The deterministic executor: same notebook in, same bytes out; clear failures."""

import nbformat
import pytest

from cnnbook.authoring.execute import (
    NotebookExecutionError,
    execute_file,
    execute_files,
)
from tests.helpers import make_notebook, write_notebook

WIDGET_CELLS = (
    "import ipywidgets as widgets\nslider = widgets.IntSlider(value=3)\n"
    "box = widgets.VBox([slider, widgets.Label('x')])\nbox",
    "import random\nrandom.seed(0)\nprint(round(random.random(), 4))",
)


def test_executing_twice_gives_identical_files(tmp_path):
    path = write_notebook(make_notebook(*WIDGET_CELLS), tmp_path / "w.ipynb")
    first = execute_file(path)
    text = path.read_text()
    second = execute_file(path)
    assert first.changed and not second.changed
    assert path.read_text() == text
    nb = nbformat.read(path, as_version=4)
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    view = nb.cells[1].outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] in state, "the view must point at a stored model"
    assert nb.cells[2].outputs[0]["text"] == "0.8444\n"
    assert "version" not in nb.metadata.language_info


def test_output_goes_to_another_file_when_asked(tmp_path):
    source = write_notebook(make_notebook("print(6 * 7)"), tmp_path / "s.ipynb")
    before = source.read_text()
    result = execute_file(source, out=tmp_path / "out" / "s.ipynb")
    assert source.read_text() == before
    executed = nbformat.read(result.path, as_version=4)
    assert executed.cells[1].outputs[0]["text"] == "42\n"


def test_failing_cell_is_named(tmp_path):
    nb = make_notebook("x = 1", "raise KeyError('missing')")
    path = write_notebook(nb, tmp_path / "bad.ipynb")
    expected = r"bad\.ipynb: cell 2 raised KeyError"
    with pytest.raises(NotebookExecutionError, match=expected):
        execute_file(path)


def test_stderr_is_refused_unless_tagged(tmp_path):
    nb = make_notebook("import sys\nprint('noise', file=sys.stderr)")
    path = write_notebook(nb, tmp_path / "noisy.ipynb")
    expected = r"noisy\.ipynb: cell 1 wrote to stderr"
    with pytest.raises(NotebookExecutionError, match=expected):
        execute_file(path)
    nb.cells[1].metadata["tags"] = ["allow-stderr"]
    write_notebook(nb, path)
    assert execute_file(path).changed


def test_bad_arguments_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="path must be an existing .ipynb file"):
        execute_file(tmp_path / "nope.ipynb")
    with pytest.raises(ValueError, match="paths must name at least one"):
        execute_files([])
    path = write_notebook(make_notebook("1"), tmp_path / "t.ipynb")
    with pytest.raises(ValueError, match="timeout must be a positive"):
        execute_file(path, timeout=0)


def test_consecutive_prints_are_stored_as_one_stream_whatever_the_timing():
    from nbformat.v4 import new_output

    from cnnbook.authoring.execute import coalesce_streams

    outputs = [
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stdout", text="b\n"),
        new_output("display_data", data={"text/plain": "x"}),
        new_output("stream", name="stdout", text="c\n"),
        new_output("stream", name="stderr", text="d\n"),
    ]
    merged = coalesce_streams(outputs)
    assert [o.get("text") for o in merged] == ["a\nb\n", None, "c\n", "d\n"]
