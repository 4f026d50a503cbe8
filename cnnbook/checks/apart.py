"""Whether a spec's named mistakes can be told apart: from the answer, and from
each other.

The bank draws a student's numbers only where every slip it names stays
apart (:func:`clashes` is empty): a slip rounded to the digits the tolerance
asks for must not pass as correct, and two slips with different hints must
not share an answer.
"""

from __future__ import annotations

from cnnbook.checks.feedback import fmt
from cnnbook.checks.reading import EXACT, QUESTION_UNITS, UNITS
from cnnbook.checks.specs import NumberSpec, QuantitySpec, close, scale_candidates

__all__ = ["MARGIN", "clashes"]

MARGIN = 2.0
"""A named mistake must lie more than this many tolerances from the answer: a
slip rounded to the digits the tolerance asks for must not pass as correct."""


def clashes(spec: NumberSpec | QuantitySpec) -> list[str]:
    """Why some named mistake of ``spec`` cannot be told apart (empty: every
    one can): one within :data:`MARGIN` tolerances of the answer without
    being it (a slip that does not change the answer is no mistake), or two
    with different hints (a named mistake, a scale or a unit slip) within one
    tolerance of each other. The bank draws only variants without clashes."""
    expected, tol = spec.expected, max(spec.rel_tol, EXACT)
    named = [m for m in spec.named if not close(m.value, expected, 0.0)]
    found = [
        f"{m.hint!r} ({fmt(m.value)}) is within {MARGIN:g} tolerances of the "
        f"answer {fmt(expected)}"
        for m in named
        if abs(m.value - expected) <= MARGIN * tol * abs(expected)
    ]
    if isinstance(spec, QuantitySpec):
        slips = [
            (expected * UNITS[spec.unit] / UNITS[other], f"the answer in {other}")
            for other in QUESTION_UNITS
            if other != spec.unit
        ]
    else:
        slips = [
            (value, "a scale slip")
            for value, _, _ in scale_candidates(1, expected, 0, False)
        ]

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= tol * max(abs(a), abs(b))

    for index, mistake in enumerate(named):
        found += [
            f"{mistake.hint!r} ({fmt(mistake.value)}) and {other.hint!r}"
            for other in named[index + 1 :]
            if other.hint != mistake.hint and near(mistake.value, other.value)
        ]
        found += [
            f"{mistake.hint!r} ({fmt(mistake.value)}) and {what} ({fmt(value)})"
            for value, what in slips
            if near(mistake.value, value)
        ]
    return found
