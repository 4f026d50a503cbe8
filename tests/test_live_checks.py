"""Self-checks in the page give the notebook checks' feedback, word for word."""

import random

import pytest

from cnnbook import calc, checks
from cnnbook.live_checks import ESM, LiveCheck, capture, tables
from tests import browser_support
from tests.browser_support import serve

SHAPE = (200, 300, 3)
LAYERS = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]

# The chapter's three questions: (check, its arguments without the answer).
QUESTIONS = {
    "parameters": (checks.parameter_count, (SHAPE, LAYERS), {}),
    "prediction": (checks.prediction_memory, (SHAPE, LAYERS), {}),
    "training": (checks.training_memory, (SHAPE, LAYERS, 50), {}),
    "training_mib": (checks.training_memory, (SHAPE, LAYERS, 50),
                     {"unit": "MiB", "rel_tol": 0.002}),
    "exact_number": (checks.number, (1234.5,), {"mistakes": [(1234, "no half")]}),
}

ANSWERS = [
    "", "903400", "903,400", "903 400", "903_400", "903.4", "903,4", "0.9034",
    "903400.0", "9.034e5", "902700", "1,2,3", "abc", "-5", "1e400", "inf", "nan",
    "12.6", "12,6", "12.6 MB", "12.6MB", "12 MiB", "12.03 MiB", "12613600 bytes",
    "12,613,600 b", "12613.6 kB", "100.9 Mbit", "0.0126 GB", "12.6 foo", "x MB",
    "565.6", "565.6 MB", "539.4", "539.4 MiB", "565,613,600", "564.6", "563.6",
    "14.1", "0.5656 GB", "1234.5", "1234", "1,234.5", "1.2345", " 1234.5 ",
    "'12.6'", "12.6 mib", "6.31", "0", "1e-3", "123456789012", "12.6e0MB",
]


def test_capture_records_what_the_domain_check_compares_against():
    spec = capture(checks.parameter_count, SHAPE, LAYERS)
    assert spec["kind"] == "number" and spec["expected"] == 903_400
    assert spec["what"] == "the parameter count" and spec["rel_tol"] == 0.0
    assert [903_400 - 900 - 0] != [m[0] for m in spec["mistakes"]]  # values, not text
    assert all(isinstance(m[1], str) for m in spec["mistakes"])
    spec = capture(checks.training_memory, SHAPE, LAYERS, 50, unit="MiB")
    assert (spec["kind"], spec["unit"], spec["expected"]) == (
        "quantity", "MiB", 565_613_600)


def test_python_feedback_of_the_widget_is_the_checks():
    widget = LiveCheck("How many parameters?", checks.parameter_count, SHAPE, LAYERS)
    assert widget.feedback.status == "unanswered"
    widget.answer = "903,400"
    assert widget.feedback.message == checks.parameter_count(
        "903,400", SHAPE, LAYERS).message
    assert widget.get_state()["_esm"] == ESM


@pytest.mark.parametrize(("args", "message"), [
    (("", checks.number, 3), "question must be a non-empty string"),
    (("Q?", "number", 3), "check must be a function of cnnbook.checks"),
    (("Q?", checks.shape, (2, 2)), "check must be checks.number, checks.quantity"),
    (("Q?", checks.quantity, 3, "parsecs"), "unit must be one of"),
])
def test_bad_arguments_raise_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        LiveCheck(*args)


@pytest.fixture(scope="module")
def checks_page():
    with browser_support.module_page(checks=ESM) as page:
        yield page


def random_answers(seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    targets = [903_400, 12.6136, 12.03, 565.6136, 539.4, 1234.5, 902_700, 6.31]
    out = []
    for _ in range(150):
        value = rng.choice(targets) * rng.choice([1, 1, 1 + rng.uniform(-0.03, 0.03),
                                                  1e-3, 1e3, rng.uniform(0, 3)])
        text = rng.choice([f"{value:.{rng.randint(0, 4)}f}", f"{value:,.2f}",
                           f"{value:.3e}", f"{value:g}"])
        out.append(text + rng.choice(["", " MB", " MiB", " kB", " GB", " bytes"]))
    return out


@pytest.mark.browser
@pytest.mark.parametrize("name", QUESTIONS)
def test_page_feedback_equals_the_notebook_checks(checks_page, name):
    check, args, kwargs = QUESTIONS[name]
    answers = ANSWERS + random_answers()
    expected = [check(a if a.strip() else None, *args, **kwargs).message
                for a in answers]
    got = checks_page.evaluate(
        "([answers, spec, tables]) => answers.map((a) => "
        "checks.check(a.trim() === '' ? '' : a, spec, tables).message)",
        [answers, capture(check, *args, **kwargs), tables()])
    mismatches = [(a, e, g) for a, e, g in zip(answers, expected, got, strict=True)
                  if e != g]
    assert mismatches == []


@pytest.mark.browser
def test_g_formatting_matches_python(checks_page):
    rng = random.Random(3)
    values = [0.5, 1.0, 12.5, 0.00012345, 1234.5, 12345.5, 99995.0, 9.9995,
              1e-5, 123456789.0, 0.1, 2.675, 1e16 + 2, -3.14159]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-6, 14) for _ in range(300)]
    got = checks_page.evaluate(
        "(values) => values.map((v) => [checks.formatG(v, 4, true), "
        "checks.formatG(v), checks.fmt(v)])", values)
    assert got == [[f"{v:,.4g}", f"{v:g}", checks._fmt(v)] for v in values]


@pytest.mark.browser
def test_check_answers_in_a_static_page_with_no_kernel(checks_page, tmp_path):
    """The saved widget, rendered by the book's loader, checks typed answers."""
    import json

    from ipywidgets.embed import dependency_state

    from tests.browser_support import REPO, watch

    widget = LiveCheck("How many parameters?", checks.parameter_count, SHAPE, LAYERS)
    state = json.dumps({"version_major": 2, "version_minor": 0,
                        "state": dependency_state([widget], drop_defaults=False)})
    view = json.dumps({"model_id": widget.model_id, "version_major": 2,
                       "version_minor": 0})
    (tmp_path / "cnnbook-widgets.js").symlink_to(REPO / "_extra" / "cnnbook-widgets.js")
    (tmp_path / "page.html").write_text(
        '<!doctype html><html><head><script type="application/vnd.jupyter.'
        f'widget-state+json">{state}</script><script src="cnnbook-widgets.js">'
        '</script></head><body><div><script type="application/vnd.jupyter.'
        f'widget-view+json">{view}</script></div></body></html>')
    with serve(tmp_path) as base:
        page = checks_page.context.browser.new_page()
        log = watch(page)
        page.goto(base + "page.html")
        for answer in ("903,400", "180,200", "903.4", "lots"):
            page.fill('.cnnbook-live-check input[name="answer"]', answer)
            page.press('.cnnbook-live-check input[name="answer"]', "Enter")
            shown = page.locator(".cnnbook-feedback").inner_text()
            assert shown == checks.parameter_count(answer, SHAPE, LAYERS).message
        assert log.outside == [] and log.console_errors == [] and log.page_errors == []
        page.close()
