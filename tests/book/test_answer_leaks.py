"""No answer of the default variant (what Binder, Colab and the published
solutions show) can be read off the exercise notebook, the chapter it follows
(its sources, stored outputs and glued values) or that chapter's built page.

Each answer is searched in the forms a chapter prints numbers: 903400,
903,400, 903 400 (also with a thin or no-break space), 0.903 million; an
amount of memory in its unit and its twin (MB and MiB, GB and GiB), rounded
to 1 to 3 decimals; a ratio to 3 to 5 significant digits; a shape as
(25, 38, 400), 25 x 38 x 400 or 25x38x400. Numbers of one or two digits, and
forms with fewer than three significant digits, are not searched: they occur
in any text.
"""

import dataclasses
import json
import re

import nbformat
import pytest

from cnnbook.checks import (
    ModelSpec,
    NumberSpec,
    QuantitySpec,
    ShapesSpec,
    bank,
    variants,
)
from cnnbook.checks.reading import TWIN_UNITS, UNITS, round_sig
from tests.browser_support import build_book
from tests.conftest import REPO

CHAPTERS = {name: f"{name[2:]}" for name in bank.CHAPTERS}
SPACES = (",", " ", "\u202f", "\u00a0", "&#8239;", "&nbsp;", "")


def _significant(text: str) -> int:
    digits = re.sub(r"\D", "", text).lstrip("0")
    return len(digits)


def integer_forms(n: int) -> set[str]:
    if abs(n) < 100:
        return set()
    grouped = f"{abs(n):,}"
    forms = {grouped.replace(",", sep) for sep in SPACES}
    if abs(n) >= 10**5:
        for decimals in (2, 3):
            shown = f"{abs(n) / 1e6:.{decimals}f}"
            if _significant(shown) >= 3:
                forms |= {f"{shown} million", f"{shown}M", f"{shown} M"}
    return forms


def number_forms(x: float) -> set[str]:
    if float(x).is_integer():
        return integer_forms(int(x))
    forms = set()
    for digits in (3, 4, 5):
        shown = f"{round_sig(abs(x), digits):.{digits + 3}g}"
        if _significant(shown) >= 3 and "e" not in shown:
            forms.add(shown)
    if abs(x) < 1e-3:  # a small constant, printed in scientific notation
        for digits in range(4):
            shown = f"{abs(x):.{digits}e}"
            if digits >= 2 or float(shown) == abs(x):
                forms |= {shown, re.sub(r"e-0(\d)$", r"e-\1", shown)}
    return forms


def quantity_forms(nbytes: float, unit: str) -> set[str]:
    forms = integer_forms(int(nbytes)) if float(nbytes).is_integer() else set()
    for shown_unit in (unit, TWIN_UNITS.get(unit, unit)):
        value = nbytes / UNITS[shown_unit]
        for decimals in (1, 2, 3):
            shown = f"{value:,.{decimals}f}"
            if _significant(shown) < 3:
                continue
            forms |= {f"{shown} {shown_unit}", f"{shown}{shown_unit}"}
            if _significant(shown) >= 4:
                forms.add(shown)
    return forms


def shape_forms(shape: tuple) -> set[str]:
    if all(n < 10 for n in shape):
        return set()
    return {
        str(tuple(shape)),
        str(list(shape)),
        " x ".join(map(str, shape)),
        "x".join(map(str, shape)),
    }


def answer_forms(spec) -> set[str]:
    """Every printed form of a spec's answer (empty for options)."""
    if isinstance(spec, QuantitySpec):
        return quantity_forms(spec.expected, spec.unit)
    if isinstance(spec, NumberSpec):
        return number_forms(spec.expected)
    if isinstance(spec, ShapesSpec):
        return set().union(*(shape_forms(shape) for shape in spec.expected))
    if isinstance(spec, ModelSpec) and spec.params is not None:
        return number_forms(spec.params.expected)
    return set()


def default_answers(chapter: str) -> dict[str, set[str]]:
    with variants.as_student(None):
        return {q.qid: answer_forms(q._spec()) for q in bank.questions(chapter)}


def found(forms: set[str], text: str) -> list[str]:
    hits = []
    for form in forms:
        pattern = rf"(?<![\d.,]){re.escape(form)}(?![\d])"
        if re.search(pattern, text):
            hits.append(form)
    return sorted(hits)


def notebook_text(path) -> str:
    """Sources, stored text outputs and glued values of a notebook (no image
    data, whose base64 holds digits by chance)."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(str(output.get("text", "")))
            for mime, data in output.get("data", {}).items():
                if not mime.startswith("image/"):
                    parts.append(data if isinstance(data, str) else json.dumps(data))
    parts.append(json.dumps(nb.metadata.get("widgets", {})))
    return "\n".join(parts)


def page_text(path) -> str:
    return re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "", path.read_text())


def _one(folder: str, chapter: str):
    (path,) = sorted((REPO / folder).glob(f"{CHAPTERS[chapter]}_*.ipynb"))
    return path


def test_the_forms_are_the_ones_a_chapter_prints():
    assert {"903400", "903,400", "903 400", "0.903 million"} <= integer_forms(903_400)
    assert "903,400" in integer_forms(903_400) and not integer_forms(42)
    assert {"565.61 MB", "539.4 MiB", "565.614"} <= quantity_forms(565_613_600, "MB")
    assert {"3.687", "3.69"} <= number_forms(3.6870138)
    assert {"(25, 38, 400)", "25 x 38 x 400", "25x38x400"} <= shape_forms((25, 38, 400))
    assert {"2e-05", "2e-5"} <= number_forms(2e-05)
    assert {"1.67e-04", "1.667e-04"} <= number_forms(1e-4 / 0.6)
    assert "2e-04" not in number_forms(1e-4 / 0.6)
    assert found({"903,400"}, "It has 903,400 parameters.") == ["903,400"]
    assert found({"903,400"}, "1,903,400 or 903,4000") == []


def test_every_answer_of_three_digits_or_more_is_searched():
    for chapter in bank.CHAPTERS:
        answers = default_answers(chapter)
        assert sum(bool(forms) for forms in answers.values()) >= 2, chapter
        with variants.as_student(None):
            for q in bank.questions(chapter):
                spec = q._spec()
                big = isinstance(spec, (NumberSpec, QuantitySpec)) and (
                    _significant(f"{spec.expected:.15g}") >= 3
                )
                assert answers[q.qid] or not big, q.qid


@pytest.mark.parametrize("chapter", bank.CHAPTERS)
def test_no_default_answer_in_the_exercise_or_the_chapters_notebook(chapter):
    answers = default_answers(chapter)
    for folder in ("exercises", "book"):
        path = _one(folder, chapter)
        text = notebook_text(path)
        leaks = {qid: found(forms, text) for qid, forms in answers.items()}
        leaks = {qid: hits for qid, hits in leaks.items() if hits}
        assert not leaks, f"{path.relative_to(REPO)} shows default answers: {leaks}"


@pytest.fixture(scope="module")
def html():
    pages = [
        f"{folder}/{_one(folder, chapter).stem}.html"
        for chapter in bank.CHAPTERS
        for folder in ("book", "exercises")
    ]
    return build_book(*pages)


@pytest.mark.parametrize("chapter", bank.CHAPTERS)
def test_no_default_answer_on_the_chapters_page_or_the_exercises_page(html, chapter):
    answers = default_answers(chapter)
    for folder in ("book", "exercises"):
        page = html / folder / f"{_one(folder, chapter).stem}.html"
        text = page_text(page)
        leaks = {qid: found(forms, text) for qid, forms in answers.items()}
        leaks = {qid: hits for qid, hits in leaks.items() if hits}
        assert not leaks, f"{page.relative_to(REPO)} shows default answers: {leaks}"


CHAPTERS_OWN = {
    "ch02": {
        "input_shape": (200, 300, 3),
        "kernel": 3,
        "stride": 2,
        "filters": (100, 200, 400),
        "batch_size": 50,
    },
    "ch03": {"depth": 50, "input_size": 224, "batch_size": 32},
    "ch05": {"caffe_size": 5, "caffe_alpha": 1e-4},
    "ch06": {"maps": (7, 7, 1024), "head_classes": 1000},
    "ch07": {"scaling": (1.2, 1.1, 1.15), "phi": 2},
}
"""The chapters' worked examples, which the issue found in the exercises."""
FOUND = {
    "ch02": ["params", "training_mb"],
    "ch03": ["adam_gb"],
    "ch05": ["caffe_tf_alpha"],
    "ch06": ["gap_dense"],
    "ch07": ["compound_factor"],
}


@pytest.mark.parametrize("chapter", sorted(CHAPTERS_OWN))
def test_the_search_finds_the_chapters_own_worked_answers(html, chapter):
    """The search is not blind: set to the chapter's own example, an exercise's
    answer is found in the chapter's notebook and on its page."""
    module = getattr(__import__("cnnbook.checks", fromlist=[chapter]), chapter)
    example = dataclasses.replace(module.DEFAULT, **CHAPTERS_OWN[chapter])
    text = notebook_text(_one("book", chapter))
    page = page_text(html / "book" / f"{_one('book', chapter).stem}.html")
    for name in FOUND[chapter]:
        forms = answer_forms(getattr(module, name)._make_spec(example))
        assert found(forms, text) and found(forms, page), (chapter, name, forms)
