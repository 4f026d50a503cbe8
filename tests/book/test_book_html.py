"""The built book shows the computed numbers and the stored widget state.

Every ``{glue:text}`` reference of a chapter renders as a ``pasted-text`` span,
in order; each must show the value the notebook glued, formatted as the prose
asks. For chapter 2, the spans of the figures it exists to establish must show
what :mod:`cnnbook.calc` computes, independently of the notebook.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cnnbook import calc
from tests.conftest import REPO

HTML = REPO / "_build" / "html"
CHAPTERS = sorted((REPO / "book").glob("[0-9][0-9]_*.ipynb"))
REFERENCE = re.compile(r"\{glue:text\}`([^`:]+)(?::([^`]*))?`")
SPAN = re.compile(r'<span class="pasted-text">([^<]*)</span>')
RECORD = "application/papermill.record/text/plain"


def page(chapter: Path) -> str:
    """The chapter's HTML; the book is built here when `make book` has not run."""
    path = HTML / "book" / f"{chapter.stem}.html"
    if not path.is_file():
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run(
            [str(jupyter_book), "build", str(REPO), "-W", "-n", "--keep-going"],
            check=True,
            capture_output=True,
        )
    return path.read_text(encoding="utf-8")


def glued(nb) -> dict[str, object]:
    """Every value the notebook glued, read back from its stored outputs."""
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(RECORD)
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if record is not None and name:
                values[name] = ast.literal_eval(record)
    return values


def shown(chapter: Path) -> list[tuple[str, str, str]]:
    """(name, format, text shown) for every glue reference of the chapter."""
    nb = nbformat.read(chapter, as_version=4)
    references = [
        m
        for c in nb.cells
        if c.cell_type == "markdown"
        for m in REFERENCE.findall(c.source)
    ]
    spans = SPAN.findall(page(chapter))
    assert len(spans) == len(references), "a glue reference did not render"
    return [
        (name, spec, text) for (name, spec), text in zip(references, spans, strict=True)
    ]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_every_glue_reference_shows_its_glued_value(chapter):
    values = glued(nbformat.read(chapter, as_version=4))
    wrong = []
    for name, spec, text in shown(chapter):
        assert name in values, f"{name} is referenced but never glued"
        value = values[name]
        expected = format(value, spec) if spec else str(value)
        if text != expected:
            wrong.append((name, spec, text, expected))
    assert wrong == []


def chapter_2_figures() -> dict[str, object]:
    """What chapter 2 must show, computed here with calc (not read from it)."""
    shape = (200, 300, 3)
    layers = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]
    one, fifty = calc.analyze(shape, layers), calc.analyze(shape, layers, batch_size=50)
    figures = {
        "params_total": one.params,
        "predict_bytes": one.inference_bytes,
        "predict_mb": one.inference_bytes / 1e6,
        "predict_mib": one.inference_bytes / 2**20,
        "param_bytes": one.param_bytes,
        "train_bytes": fifty.training_bytes,
        "train_mb": fifty.training_bytes / 1e6,
        "train_mib": fifty.training_bytes / 2**20,
        "no_bias_params": one.params - sum(layer.filters for layer in layers),
        "mib_over_mb_pct": 4.8576,  # 2**20 / 10**6 = 1.048576
        "mb_under_mib_pct": (1 - 10**6 / 2**20) * 100,
        # the student's path: 37.5 columns, the input and every map summed
        "student_predict_bytes": 14_833_600,
        "student_train_bytes": 564_613_600,
        "student_train_mib": 564_613_600 / 2**20,
        "student_train_mb": 564.6136,
    }
    for number, line in enumerate(one.layers, start=1):
        figures[f"params_{number}"] = line.params
        figures[f"shape_{number}"] = " x ".join(map(str, line.output_shape))
    return figures


def test_chapter_2_shows_what_calc_computes():
    figures = chapter_2_figures()
    assert figures["params_total"] == 903_400  # the seed question's answer
    assert figures["shape_3"] == "25 x 38 x 400"
    seen = set()
    for name, spec, text in shown(
        REPO / "book" / "02_counting_parameters_and_memory.ipynb"
    ):
        if name in figures:
            value = figures[name]
            assert text == (format(value, spec) if spec else str(value)), name
            seen.add(name)
    assert seen == set(figures), f"not shown: {sorted(set(figures) - seen)}"


def test_calculator_state_is_stored_for_the_static_page():
    html = page(REPO / "book" / "02_counting_parameters_and_memory.ipynb")
    assert "application/vnd.jupyter.widget-state+json" in html
    assert "application/vnd.jupyter.widget-view+json" in html
    assert "memory for one prediction" in html
