"""Expected answers as objects: what a check compares against, and how.

A spec holds the expected value, the tolerance, the typical mistakes with their
hints and the hint for any other wrong answer; ``spec.judge(answer)`` gives the
:class:`~cnnbook.checks.feedback.Feedback`. A notebook check and the in-page
:class:`~cnnbook.widgets.live_check.LiveCheck` use the same spec: the widget
sends ``spec.to_page()`` to the page, whose ES module judges typed answers the
same way with no kernel.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass

from cnnbook.checks.feedback import (
    Feedback,
    fmt,
    is_unanswered,
    pct,
    right,
    unanswered,
    wrong,
)
from cnnbook.checks.reading import (
    QUESTION_UNITS,
    TWIN_UNITS,
    UNIT_MEANING,
    UNITS,
    as_number,
    check_unit,
    described,
    parse_quantity,
)

__all__ = [
    "EXACT",
    "Mistake",
    "NumberSpec",
    "QuantitySpec",
    "check_expected",
    "from_page",
    "check_mistakes",
    "check_rel_tol",
    "close",
    "closest_mistake",
]

EXACT = 1e-9  # relative slack for "exact" comparisons of floats such as 903400.0


@dataclass(frozen=True)
class Mistake:
    """A wrong value a typical slip produces, and what to revisit if it is given.

    ``value`` is in the check's base unit (a count, or bytes for quantities).
    """

    value: float
    hint: str


def check_rel_tol(rel_tol: object) -> float:
    if (
        not isinstance(rel_tol, numbers.Real)
        or isinstance(rel_tol, bool)
        or not 0 <= rel_tol < 1
    ):
        raise ValueError(
            f"rel_tol must be a number in [0, 1) (0 means exact), got {rel_tol!r}"
        )
    return float(rel_tol)


def check_expected(arg: str, value: object) -> float:
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or not math.isfinite(value)
    ):
        raise ValueError(f"{arg} must be a finite number, got {value!r}")
    return value


def check_mistakes(mistakes: Iterable) -> list[Mistake]:
    result = []
    for item in mistakes:
        if isinstance(item, Mistake):
            result.append(item)
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            result.append(Mistake(check_expected("mistakes value", item[0]), item[1]))
        else:
            raise ValueError(
                f"mistakes must hold Mistake(value, hint) or (value, hint) pairs, "
                f"got {item!r}"
            )
    return result


def close(value: float, target: float, rel_tol: float) -> bool:
    return abs(value - target) <= max(rel_tol, EXACT) * abs(target) or value == target


def closest_mistake(
    value: float, mistakes: list[Mistake], expected: float, rel_tol: float
):
    """The mistake whose value is nearest the answer, among those within rel_tol."""
    best, distance = None, math.inf
    for mistake in mistakes:
        if close(mistake.value, expected, rel_tol):
            continue  # this slip gives an accepted answer here: no evidence
        gap = abs(value - mistake.value) / max(abs(mistake.value), 1e-300)
        if close(value, mistake.value, rel_tol) and gap < distance:
            best, distance = mistake, gap
    return best


@dataclass(frozen=True)
class NumberSpec:
    """A plain number or count, exact (``rel_tol=0``) or within ``rel_tol``.

    ``mistakes`` are typical wrong values with what to revisit; ``hint`` is
    what to revisit when the answer matches none of them; ``what`` names the
    answer in messages ("the parameter count"). Strings such as ``"903,400"``
    or ``"903 400"`` are read as numbers.
    """

    expected: float
    rel_tol: float = 0.0
    mistakes: tuple[Mistake, ...] = ()
    hint: str = ""
    what: str = "the answer"

    kind = "number"

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", check_expected("expected", self.expected))
        object.__setattr__(self, "rel_tol", check_rel_tol(self.rel_tol))
        object.__setattr__(self, "mistakes", tuple(check_mistakes(self.mistakes)))
        for arg in ("hint", "what"):
            if not isinstance(getattr(self, arg), str):
                raise ValueError(f"{arg} must be a string, got {getattr(self, arg)!r}")

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        expected, rel_tol, what = self.expected, self.rel_tol, self.what
        if is_unanswered(answer):
            return unanswered()
        value = as_number(answer)
        if value is None:
            return wrong(
                f"{what} should be a number (such as 1234 or '1,234'), got "
                f"{described(answer)}."
            )
        if close(value, expected, rel_tol):
            within = "exactly" if rel_tol == 0 else f"within {pct(rel_tol)}"
            return right(f"{fmt(value)} matches {within}.")
        mistake = closest_mistake(value, self.mistakes, expected, rel_tol)
        if mistake is not None:
            return wrong(mistake.hint)
        for factor, word in ((10**3, "thousands"), (10**6, "millions")):
            if value and close(value * factor, expected, max(rel_tol, 5e-3)):
                return wrong(
                    f"{fmt(value)} looks like a count in {word}; give the full number"
                    f"{' exactly' if rel_tol == 0 else ''}."
                )
        direction = "too high" if value > expected else "too low"
        extra = f" {self.hint}" if self.hint else ""
        return wrong(f"{fmt(value)} is {direction}.{extra}")

    def to_page(self) -> dict:
        """The spec as JSON for the page's ES module (``live_check.js``)."""
        return {
            "kind": self.kind,
            "expected": self.expected,
            "rel_tol": self.rel_tol,
            "mistakes": [[m.value, m.hint] for m in self.mistakes],
            "hint": self.hint,
            "what": self.what,
        }


@dataclass(frozen=True)
class QuantitySpec:
    """An amount of memory: ``expected`` in bytes, the question asks in ``unit``.

    The answer is a number in ``unit`` or a string with its own unit (see
    :func:`~cnnbook.checks.reading.parse_quantity`); the feedback says which
    unit it understood. An answer that is right in another unit (MiB given as
    MB, bytes given as MB) is named as such.
    """

    expected: float
    unit: str = "MB"
    rel_tol: float = 0.01
    mistakes: tuple[Mistake, ...] = ()
    hint: str = ""

    kind = "quantity"

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", check_expected("expected", self.expected))
        object.__setattr__(self, "unit", check_unit(self.unit))
        object.__setattr__(self, "rel_tol", check_rel_tol(self.rel_tol))
        object.__setattr__(self, "mistakes", tuple(check_mistakes(self.mistakes)))
        if not isinstance(self.hint, str):
            raise ValueError(f"hint must be a string, got {self.hint!r}")

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        expected, unit, rel_tol = self.expected, self.unit, self.rel_tol
        if is_unanswered(answer):
            return unanswered()
        try:
            value, understood, written = parse_quantity(answer, unit)
        except ValueError as err:
            return wrong(f"{err}.")
        shown = value / UNITS[understood]
        meaning = f"{understood} ({UNIT_MEANING[understood]})"
        if written:
            read = f"{answer!r} was read as {fmt(shown)} {meaning}"
        else:
            read = f"{fmt(shown)} was read in {meaning}, the unit asked for"
        if close(value, expected, rel_tol):
            return right(
                f"{read}; it is within {pct(rel_tol)} of the exact "
                f"{fmt(expected)} bytes ({fmt(expected / UNITS[unit])} {unit})."
            )
        if understood in TWIN_UNITS and close(
            shown * UNITS[TWIN_UNITS[understood]], expected, rel_tol
        ):
            twin = TWIN_UNITS[understood]
            return wrong(
                f"{read}. That number is the right amount in {twin}, not in "
                f"{understood}: MB = 10^6 bytes while MiB = 2^20 bytes (likewise "
                "k/Ki, G/Gi). Convert from bytes with the factor of the unit asked "
                "for."
            )
        for other in QUESTION_UNITS:
            if other not in (understood, TWIN_UNITS.get(understood)) and close(
                shown * UNITS[other], expected, rel_tol
            ):
                return wrong(
                    f"{read}. That number is the right amount in {other}: "
                    f"convert it to {unit} ({UNIT_MEANING[unit]})."
                )
        mistake = closest_mistake(value, self.mistakes, expected, rel_tol)
        if mistake is not None:
            return wrong(f"{read}. {mistake.hint}")
        direction = "too high" if value > expected else "too low"
        extra = f" {self.hint}" if self.hint else ""
        return wrong(f"{read}; it is more than {pct(rel_tol)} {direction}.{extra}")

    def to_page(self) -> dict:
        """The spec as JSON for the page's ES module (``live_check.js``)."""
        return {
            "kind": self.kind,
            "expected": self.expected,
            "unit": self.unit,
            "rel_tol": self.rel_tol,
            "mistakes": [[m.value, m.hint] for m in self.mistakes],
            "hint": self.hint,
        }


def from_page(data: dict) -> NumberSpec | QuantitySpec:
    """The spec that ``spec.to_page()`` described (the page's JSON, read back)."""
    kinds = {"number": NumberSpec, "quantity": QuantitySpec}
    if not isinstance(data, dict) or data.get("kind") not in kinds:
        raise ValueError(
            f"data must be a dict from to_page() with kind {sorted(kinds)}, "
            f"got {data!r}"
        )
    fields = {k: v for k, v in data.items() if k != "kind"}
    fields["mistakes"] = tuple(
        Mistake(value, hint) for value, hint in fields.get("mistakes", ())
    )
    return kinds[data["kind"]](**fields)
