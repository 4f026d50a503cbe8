"""Self-checks in the page: the widget's Python side, and the saved widget in a page.

What the page computes is compared with Python in tests/widgets/test_parity.py.
"""

import random

import pytest

from cnnbook import calc, checks
from cnnbook.checks import ch02
from cnnbook.checks.feedback import fmt
from cnnbook.widgets.live_check import ESM, LiveCheck
from tests import browser_support
from tests.browser_support import serve

SHAPE = (200, 300, 3)
LAYERS = [calc.Conv2D(f, 3, strides=2, padding="same") for f in (100, 200, 400)]

SPEC = ch02.params.spec()


def test_python_feedback_of_the_widget_is_the_bank_questions():
    widget = LiveCheck("How many parameters?", SPEC)
    assert widget.feedback.status == "unanswered"
    widget.answer = "903,400"
    assert widget.feedback.message == ch02.params("903,400").message
    assert widget.get_state()["_esm"] == ESM
    assert widget.spec == SPEC.to_page()


def test_the_chapters_self_checks_are_the_exercises_questions():
    """Chapter 2's page asks its live questions with the bank's specs; the spec
    builders it used before give the same specs."""
    assert ch02.params.spec() == ch02.parameter_count_spec(SHAPE, LAYERS)
    assert ch02.prediction_mb.spec() == ch02.prediction_memory_spec(SHAPE, LAYERS)
    assert ch02.training_mb.spec() == ch02.training_memory_spec(SHAPE, LAYERS, 50)


def test_the_spec_is_the_checks_own_and_survives_the_page():
    spec = ch02.training_memory_spec(SHAPE, LAYERS, 50, unit="MiB")
    assert (spec.kind, spec.unit, spec.expected) == ("quantity", "MiB", 565_613_600)
    assert checks.specs.from_page(spec.to_page()) == spec
    assert all(isinstance(hint, str) for _, hint in spec.to_page()["mistakes"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", SPEC), "question must be a non-empty string"),
        (("Q?", "number"), "spec must be a NumberSpec or QuantitySpec"),
        (("Q?", checks.number), "spec must be a NumberSpec or QuantitySpec"),
    ],
)
def test_bad_arguments_raise_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        LiveCheck(*args)


@pytest.fixture(scope="module")
def checks_page():
    with browser_support.module_page(checks=ESM) as page:
        yield page


@pytest.mark.browser
def test_g_formatting_matches_python(checks_page):
    rng = random.Random(3)
    values = [
        0.5,
        1.0,
        12.5,
        0.00012345,
        1234.5,
        12345.5,
        99995.0,
        9.9995,
        1e-5,
        123456789.0,
        0.1,
        2.675,
        1e16 + 2,
        -3.14159,
    ]
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-6, 14) for _ in range(300)]
    got = checks_page.evaluate(
        "(values) => values.map((v) => [checks.formatG(v, 4, true), "
        "checks.formatG(v), checks.fmt(v)])",
        values,
    )
    assert got == [[f"{v:,.4g}", f"{v:g}", fmt(v)] for v in values]


@pytest.mark.browser
def test_check_answers_in_a_static_page_with_no_kernel(checks_page, tmp_path):
    """The saved widget, rendered by the book's loader, checks typed answers."""
    import json

    from ipywidgets.embed import dependency_state

    from tests.browser_support import REPO, watch

    widget = LiveCheck("How many parameters?", SPEC)
    state = json.dumps(
        {
            "version_major": 2,
            "version_minor": 0,
            "state": dependency_state([widget], drop_defaults=False),
        }
    )
    view = json.dumps(
        {"model_id": widget.model_id, "version_major": 2, "version_minor": 0}
    )
    (tmp_path / "cnnbook-widgets.js").symlink_to(REPO / "_extra" / "cnnbook-widgets.js")
    (tmp_path / "page.html").write_text(
        '<!doctype html><html><head><script type="application/vnd.jupyter.'
        f'widget-state+json">{state}</script><script src="cnnbook-widgets.js">'
        '</script></head><body><div><script type="application/vnd.jupyter.'
        f'widget-view+json">{view}</script></div></body></html>'
    )
    with serve(tmp_path) as base:
        page = checks_page.context.browser.new_page()
        log = watch(page)
        page.goto(base + "page.html")
        for answer in ("903,400", "180,200", "903.4", "lots"):
            page.fill('.cnnbook-live-check input[name="answer"]', answer)
            page.press('.cnnbook-live-check input[name="answer"]', "Enter")
            shown = page.locator(".cnnbook-feedback").inner_text()
            assert shown == SPEC.judge(answer).message
        assert log.outside == [] and log.console_errors == [] and log.page_errors == []
        page.close()
