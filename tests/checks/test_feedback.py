"""The verdict: one line of text with a fixed prefix, and HTML for JupyterLab
and the book that reads in light and dark themes and wraps between words."""

import re

import pytest

from cnnbook import checks
from cnnbook.checks.feedback import COLOURS, fmt, right, unanswered, wrong


def test_feedback_prints_its_message_with_a_fixed_prefix():
    feedback = right("42 matches exactly.")
    assert feedback and feedback.correct and repr(feedback) == str(feedback)
    assert repr(feedback) == "Correct: 42 matches exactly."
    assert repr(wrong("too low.")) == "Not quite: Too low."
    assert repr(unanswered()).startswith("Not answered yet: Replace the ...")
    with pytest.raises(ValueError, match="status must be one of"):
        checks.Feedback("maybe", "text")


@pytest.mark.parametrize(
    "feedback", [right("fine."), wrong("a <b> & c."), unanswered()]
)
def test_html_puts_the_verdict_first_and_inherits_the_theme(feedback):
    html = feedback._repr_html_()
    prefix = checks.PREFIXES[feedback.status]
    text = re.sub(r"<[^>]+>", "", html)
    assert text.startswith(prefix)  # the verdict is the first thing read
    assert f"<strong>{prefix}</strong>" in html
    assert "&lt;b&gt; &amp; c." in html or feedback.status != "incorrect"
    style = re.search(r'style="([^"]*)"', html).group(1)
    assert "color: inherit" in style and "background: transparent" in style
    assert not re.search(r"background(-color)?: *(white|#fff)", style.lower())
    assert "overflow-wrap: normal" in style and "word-break: normal" in style
    assert COLOURS[feedback.status] in style


def test_notebook_outputs_carry_html_and_the_text_fallback():
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(wrong("too low."))
    assert data["text/plain"] == "Not quite: Too low."
    assert "Not quite:" in data["text/html"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (903_400, "903,400"),
        (903400.0, "903,400"),
        (12.6136, "12.61"),
        (0.0012, "0.0012"),
    ],
)
def test_numbers_are_rounded_deterministically(value, text):
    assert fmt(value) == text


def test_a_student_object_that_exits_is_feedback_but_an_interrupt_interrupts(
    monkeypatch,
):
    from cnnbook.checks import bank
    from cnnbook.checks.functions import FunctionSpec

    monkeypatch.setattr(bank, "BANK", {})

    @bank.question()
    def double():
        return FunctionSpec(lambda x: 2 * x, cases=((1,),))

    def leaves(x):
        raise SystemExit(3)

    def stopped(x):
        raise KeyboardInterrupt

    feedback = double(leaves)
    assert feedback.status == "incorrect" and "(SystemExit)" in feedback.message
    with pytest.raises(KeyboardInterrupt):
        double(stopped)
