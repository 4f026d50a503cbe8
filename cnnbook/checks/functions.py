"""A function the student wrote, compared with a reference on a few inputs.

A :class:`FunctionSpec` calls the student's function on each case (copies of
the arrays, so a function that writes into its input harms nothing), compares
the result with the reference's, and when they differ, with each known slip's
(a function with the same signature that makes the slip). The student's
function is the student's code: whatever it raises or returns is feedback.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.reading import described

__all__ = ["FunctionSpec"]


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else "no message"


@dataclass(frozen=True)
class FunctionSpec:
    """``reference(*args)`` is the right result for each ``cases`` item (a
    tuple of arguments whose first is an array); ``slips`` are ``(function,
    hint)`` pairs. ``describe(args)`` words a case for messages; ``signature``
    is how the question names the function."""

    reference: Callable
    cases: tuple[tuple, ...]
    slips: tuple[tuple[Callable, str], ...] = ()
    signature: str = "f(x)"
    describe: Callable[[tuple], str] = repr
    rel_tol: float = 1e-6

    kind = "function"

    def __post_init__(self) -> None:
        if not callable(self.reference) or not self.cases:
            raise ValueError(
                "reference must be a function and cases a non-empty tuple, got "
                f"{self.reference!r}, {self.cases!r}"
            )

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        if is_unanswered(answer):
            return unanswered()
        if not callable(answer):
            return wrong(f"give a function {self.signature}; got {described(answer)}.")
        for args in self.cases:
            verdict = self._case(answer, args)
            if verdict is not None:
                return verdict
        return right(
            f"your function matches the reference on {len(self.cases)} inputs, edges "
            "included."
        )

    def _case(self, answer: Callable, args: tuple) -> Feedback | None:
        """The feedback if the answer fails on ``args``, else None."""
        expected = np.asarray(self.reference(*args), dtype=np.float64)
        case = self.describe(args)
        try:
            result = answer(
                *(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)
            )
        except Exception as err:  # the student's code: report, never raise
            return wrong(
                f"calling your function on {case} raised {type(err).__name__}: "
                f"{_first_line(err)}"
            )
        if is_unanswered(result):
            return unanswered(
                "your function returns nothing yet: write its body and return the "
                "result."
            )
        try:
            with warnings.catch_warnings():  # complex values: feedback, no warning
                warnings.simplefilter("error")
                got = np.asarray(result, dtype=np.float64)
        except Exception:  # not an array of real numbers
            return wrong(
                f"on {case} your function returned {described(result)}, not an array "
                "of numbers."
            )
        if got.shape != expected.shape:
            return wrong(
                f"on {case} your function returned shape {got.shape}, not "
                f"{expected.shape}."
            )
        if np.allclose(got, expected, rtol=self.rel_tol, atol=self.rel_tol):
            return None
        with np.errstate(all="ignore"):
            for slip, hint in self.slips:
                slipped = np.asarray(slip(*args), dtype=np.float64)
                if np.allclose(got, slipped, rtol=1e-6, atol=1e-9):
                    return wrong(hint)
        return wrong(
            f"on {case} your output differs from the reference. Check the formula "
            "term by term against the chapter."
        )
