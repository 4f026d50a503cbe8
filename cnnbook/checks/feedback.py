"""What a check answers: a verdict first, then what to revisit.

A :class:`Feedback` is the one result every check returns. As the last line of
a cell it shows as one line starting with a fixed prefix::

    Correct: ...
    Not quite: ...
    Not answered yet: ...

In JupyterLab and in the book it renders as HTML (:meth:`Feedback._repr_html_`):
the verdict in bold, a coloured bar beside it, text that inherits the theme's
colours and wraps between words only; the plain text stays the ``text/plain``
fallback (what the tests and a terminal read). An answer left as ``...`` (what
the exercise stubs contain) or ``None`` is "Not answered yet". Messages are
deterministic text: rounded numbers, no ids, no timings.
"""

from __future__ import annotations

import html
import math
import numbers

__all__ = [
    "COLOURS",
    "PREFIXES",
    "UNANSWERED",
    "Feedback",
    "fmt",
    "is_unanswered",
    "pct",
    "right",
    "unanswered",
    "wrong",
]

PREFIXES = {
    "correct": "Correct:",
    "incorrect": "Not quite:",
    "unanswered": "Not answered yet:",
}

UNANSWERED = "replace the ... with your answer and run this cell again."

COLOURS = {"correct": "#2da44e", "incorrect": "#cf222e", "unanswered": "#8c959f"}
"""The bar beside each verdict: mid-tone colours that show on light and dark
backgrounds alike (the text itself inherits the theme's colour)."""

_STYLE = (
    "border-left: 0.3em solid {colour}; padding: 0.2em 0 0.2em 0.6em; "
    "margin: 0.2em 0; color: inherit; background: transparent; "
    "font-family: var(--jp-content-font-family, inherit); line-height: 1.5; "
    "white-space: normal; overflow-wrap: normal; word-break: normal; "
    "hyphens: manual; max-width: 60em"
)


class Feedback:
    """The result of a check: ``status`` and a one-line ``message``.

    ``status`` is "correct", "incorrect" or "unanswered"; ``message`` starts with
    the matching prefix in :data:`PREFIXES` and is also the object's repr, so a
    check on the last line of a cell prints just the message. True when correct.
    """

    __slots__ = ("status", "message")

    def __init__(self, status: str, text: str) -> None:
        if status not in PREFIXES:
            raise ValueError(
                f"status must be one of {sorted(PREFIXES)}, got {status!r}"
            )
        self.status = status
        self.message = f"{PREFIXES[status]} {text[:1].upper()}{text[1:]}"

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(self.message)

    def _repr_html_(self) -> str:
        """The verdict in bold beside a coloured bar; the theme's own text colour."""
        prefix = PREFIXES[self.status]
        text = self.message[len(prefix) :].strip()
        style = _STYLE.format(colour=COLOURS[self.status])
        return (
            f'<div class="cnnbook-feedback cnnbook-{self.status}" role="status" '
            f'style="{style}"><strong>{html.escape(prefix)}</strong> '
            f"{html.escape(text)}</div>"
        )

    def __bool__(self) -> bool:
        return self.status == "correct"

    @property
    def correct(self) -> bool:
        return self.status == "correct"


def right(text: str) -> Feedback:
    return Feedback("correct", text)


def wrong(text: str) -> Feedback:
    return Feedback("incorrect", text)


def unanswered(text: str = UNANSWERED) -> Feedback:
    return Feedback("unanswered", text)


def is_unanswered(answer: object) -> bool:
    return answer is ... or answer is None


def fmt(value: float) -> str:
    """A deterministic, rounded rendering: 903,400 or 12.61 or 0.0012."""
    if isinstance(value, numbers.Integral) and abs(value) < 10**15:
        return f"{int(value):,}"
    value = float(value)  # the readers never pass an integer beyond the float range
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.4g}"


def pct(rel_tol: float) -> str:
    return f"{rel_tol * 100:g}%"
