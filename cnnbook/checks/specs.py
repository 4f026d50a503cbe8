"""Expected numbers and amounts of memory: what a check compares against, and how.

A spec holds the expected value, the tolerance, the typical mistakes with their
hints and the hint for any other wrong answer; ``spec.judge(answer)`` gives the
:class:`~cnnbook.checks.feedback.Feedback` and never raises. The chapter pages'
practice (``cnnbook/widgets/answers.js``) ports this judging to JavaScript, and
tests/widgets/test_parity.py holds the two to the same feedback.

How a wrong number is answered, in this order:

1. an answer that agrees with the right value at the precision it was written
   (``12`` for 12.61, ``903,000`` for an exact 903,400) is asked for more digits:
   it is too coarse to tell a slip from rounding;
2. a known mistake (or a unit or scale slip) gets its hint only when the answer
   is within the tolerance of it, nearer to it than to any other mistake, and
   nearer to it than to the right value;
3. anything else is "too high" or "too low", with the spec's hint.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field

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
    EXACT,
    QUESTION_UNITS,
    TWIN_UNITS,
    UNIT_MEANING,
    UNITS,
    Reading,
    check_unit,
    described,
    digit_unit,
    read_number,
    read_quantity,
    round_sig,
    trunc_sig,
)

__all__ = [
    "EXACT",
    "Mistake",
    "NumberSpec",
    "QuantitySpec",
    "best_match",
    "check_expected",
    "check_mistakes",
    "check_rel_tol",
    "close",
    "distinct",
    "too_coarse",
    "verdict_hint",
]


@dataclass(frozen=True)
class Mistake:
    """A wrong value a typical slip produces, and what to revisit if it is given.

    ``value`` is in the check's base unit (a count, or bytes for quantities);
    ``hint`` is a sentence.
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


def as_mistakes(mistakes: Iterable) -> tuple[Mistake, ...]:
    """The mistakes as :class:`Mistake` (``(value, hint)`` pairs accepted)."""
    result = []
    for item in mistakes:
        if isinstance(item, (tuple, list)) and len(item) == 2:
            item = Mistake(item[0], item[1])
        if not isinstance(item, Mistake) or not isinstance(item.hint, str):
            raise ValueError(
                f"mistakes must hold Mistake(value, hint) or (value, hint) pairs, "
                f"got {item!r}"
            )
        check_expected("mistakes value", item.value)
        result.append(item)
    return tuple(result)


def distinct(mistakes: Iterable) -> tuple[Mistake, ...]:
    """The mistakes without repeated values: a value two slips both give is one
    answer, and gets the first hint (write it to cover both)."""
    kept: dict[float, Mistake] = {}
    for item in as_mistakes(mistakes):
        kept.setdefault(item.value, item)
    return tuple(kept.values())


def check_mistakes(
    mistakes: Iterable, expected: float = math.nan, rel_tol: float = 0.0
) -> tuple[Mistake, ...]:
    """The mistakes as :class:`Mistake`, without those that could never be
    recognised: one within the tolerance of the right value, or one with the
    value of an earlier mistake (the first hint wins)."""
    result: list[Mistake] = []
    for item in as_mistakes(mistakes):
        if close(item.value, expected, rel_tol) or any(
            close(item.value, kept.value, 0.0) for kept in result
        ):
            continue
        result.append(item)
    return tuple(result)


def close(value: float, target: float, rel_tol: float) -> bool:
    return abs(value - target) <= max(rel_tol, EXACT) * abs(target) or value == target


def gap(value: float, target: float) -> float:
    """How far ``value`` is from ``target``, relative to ``target``."""
    return abs(value - target) / max(abs(target), 1e-300)


def best_match(
    value: float,
    expected: float,
    candidates: Iterable[tuple[float, str, float]],
) -> tuple[str, bool] | None:
    """``(hint, exact)`` of the candidate ``(value, hint, rel_tol)`` the answer
    matches: within its tolerance, nearest among those, and nearer than the
    right value; ``exact`` if the answer is that candidate's value. Candidates
    within their tolerance of the right value are no evidence of anything and
    are skipped."""
    best, distance = None, math.inf
    for target, hint, rel_tol in candidates:
        if close(target, expected, rel_tol) or not close(value, target, rel_tol):
            continue
        if gap(value, target) < distance:
            best, distance = hint, gap(value, target)
    if best is None or distance >= gap(value, expected):
        return None
    return best, distance <= EXACT


def verdict_hint(
    value: float,
    digits: int | None,
    expected: float,
    candidates: Iterable[tuple[float, str, float]],
    coarse: str,
) -> str | None:
    """What a wrong number is told, before "too high"/"too low": the hint of a
    candidate it equals; else ``coarse`` if it is the right value rounded to
    its digits (it is no evidence of a slip then); else the hint of the
    candidate it matches (see :func:`best_match`); else None."""
    match = best_match(value, expected, candidates)
    if match is not None and match[1]:
        return match[0]
    if too_coarse(value, digits, expected):
        return coarse
    return None if match is None else match[0]


def too_coarse(value: float, digits: int | None, expected: float) -> bool:
    """True if ``value``, written with ``digits`` significant digits, is the
    right value rounded or cut to that many digits."""
    if digits is None or value == 0 or expected == 0:
        return False
    return any(
        close(value, shortened, 0.0)
        for shortened in (round_sig(expected, digits), trunc_sig(expected, digits))
    )


def digits_needed(expected: float, rel_tol: float) -> int:
    """The fewest significant digits that put ``expected`` within ``rel_tol``."""
    for digits in range(1, 17):
        if close(round_sig(expected, digits), expected, rel_tol):
            return digits
    return 17


def _s(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def coarse_message(
    shown: float, digits: int, expected: float, rel_tol: float, asked: int | None
) -> str:
    """What to say to an answer that is the right value rounded too far."""
    if asked is not None:
        return (
            f"{fmt(shown)} has {_s(digits, 'significant digit')}; the question asks "
            f"for at least {asked}."
        )
    if rel_tol == 0:
        return f"{fmt(shown)} looks rounded: give the exact number."
    needed = digits_needed(expected, rel_tol)
    return (
        f"{fmt(shown)} is too rounded to be checked within {pct(rel_tol)}: give at "
        f"least {_s(needed, 'significant digit')}."
    )


SCALE_TOL = 5e-3  # a scale slip (thousands, millions, percent) is recognised within


def scale_candidates(
    shown: float, expected: float, rel_tol: float, exact: bool
) -> list[tuple[float, str, float]]:
    """Candidates for an answer given in the wrong scale."""
    tol = max(rel_tol, SCALE_TOL)
    full = f"give the full number{' exactly' if exact else ''}."
    candidates = [
        (
            expected / 10**3,
            f"{fmt(shown)} looks like a count in thousands; {full}",
            tol,
        ),
        (expected / 10**6, f"{fmt(shown)} looks like a count in millions; {full}", tol),
        (
            expected * 10**6,
            f"{fmt(shown)} is a million times too large: check the unit the "
            "question asks for.",
            tol,
        ),
    ]
    if 1e-3 <= abs(expected) <= 1:
        candidates.append(
            (
                expected * 100,
                f"{fmt(shown)} looks like a percentage: write it with a % sign, or "
                "as a fraction.",
                tol,
            )
        )
    return candidates


@dataclass(frozen=True)
class NumberSpec:
    """A plain number or count: exact (``rel_tol=0``), within ``rel_tol``, or to
    ``digits`` significant digits (any answer within one unit of the last asked
    digit; fewer digits are asked for more).

    ``mistakes`` are typical wrong values with what to revisit; ``hint`` is
    what to revisit when the answer matches none of them; ``what`` names the
    answer in messages ("the parameter count"). Strings such as ``"903,400"``,
    ``"7/8"`` or ``"87.5%"`` are read as numbers.
    """

    expected: float
    rel_tol: float = 0.0
    mistakes: tuple[Mistake, ...] = ()
    hint: str = ""
    what: str = "the answer"
    digits: int | None = None
    named: tuple[Mistake, ...] = field(
        default=(), init=False, repr=False, compare=False
    )

    kind = "number"

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", check_expected("expected", self.expected))
        if self.digits is not None:
            if (
                not isinstance(self.digits, int)
                or isinstance(self.digits, bool)
                or not 1 <= self.digits <= 15
                or self.expected == 0
            ):
                raise ValueError(
                    "digits must be None or 1 to 15 (with a non-zero expected "
                    f"value), got {self.digits!r}"
                )
            unit = digit_unit(self.expected, self.digits)
            object.__setattr__(self, "rel_tol", unit / abs(self.expected))
        object.__setattr__(self, "rel_tol", check_rel_tol(self.rel_tol))
        object.__setattr__(self, "named", as_mistakes(self.mistakes))
        object.__setattr__(
            self,
            "mistakes",
            check_mistakes(self.named, self.expected, self.rel_tol),
        )
        for arg in ("hint", "what"):
            if not isinstance(getattr(self, arg), str):
                raise ValueError(f"{arg} must be a string, got {getattr(self, arg)!r}")

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        expected, rel_tol, what = self.expected, self.rel_tol, self.what
        if is_unanswered(answer):
            return unanswered()
        reading = read_number(answer)
        if not isinstance(reading, Reading):
            return wrong(
                f"{what} should be a number (such as 1234, '1,234', '7/8' or "
                f"'87.5%'); {reading}."
            )
        value = reading.value
        if close(value, expected, rel_tol):
            if self.digits is not None:
                within = f"to {_s(self.digits, 'significant digit')}"
            else:
                within = "exactly" if rel_tol == 0 else f"within {pct(rel_tol)}"
            return right(f"{fmt(value)} matches {within}.")
        candidates = [(m.value, m.hint, rel_tol) for m in self.mistakes]
        candidates += scale_candidates(value, expected, rel_tol, rel_tol == 0)
        coarse = coarse_message(value, reading.digits, expected, rel_tol, self.digits)
        hint = verdict_hint(value, reading.digits, expected, candidates, coarse)
        if hint is not None:
            return wrong(hint)
        direction = "too high" if value > expected else "too low"
        extra = f" {self.hint}" if self.hint else ""
        return wrong(f"{fmt(value)} is {direction}.{extra}")


def unit_candidates(
    understood: str, expected: float, unit: str, rel_tol: float
) -> list[tuple[float, str, float]]:
    """Candidates (in bytes, as read) for a number that is the right amount in
    another unit than the one it was read in."""
    candidates = []
    twin = TWIN_UNITS.get(understood)
    for other in QUESTION_UNITS:
        if other == understood:
            continue
        as_read = expected / UNITS[other] * UNITS[understood]
        if other == twin:
            hint = (
                f"That number is the right amount in {twin}, not in {understood}: "
                "MB = 10^6 bytes while MiB = 2^20 bytes (likewise k/Ki, G/Gi). "
                "Convert from bytes with the factor of the unit asked for."
            )
        else:
            hint = (
                f"That number is the right amount in {other}: convert it to {unit} "
                f"({UNIT_MEANING[unit]})."
            )
        candidates.append((as_read, hint, rel_tol))
    return candidates


@dataclass(frozen=True)
class QuantitySpec:
    """An amount of memory: ``expected`` in bytes, the question asks in ``unit``.

    The answer is a number in ``unit`` or a string with its own unit (see
    :func:`~cnnbook.checks.reading.read_quantity`); the feedback says which
    unit it understood. An answer that is right in another unit (MiB given as
    MB, bytes given as MB) is named as such.
    """

    expected: float
    unit: str = "MB"
    rel_tol: float = 0.01
    mistakes: tuple[Mistake, ...] = ()
    hint: str = ""
    named: tuple[Mistake, ...] = field(
        default=(), init=False, repr=False, compare=False
    )

    kind = "quantity"

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", check_expected("expected", self.expected))
        object.__setattr__(self, "unit", check_unit(self.unit))
        object.__setattr__(self, "rel_tol", check_rel_tol(self.rel_tol))
        object.__setattr__(self, "named", as_mistakes(self.mistakes))
        object.__setattr__(
            self,
            "mistakes",
            check_mistakes(self.named, self.expected, self.rel_tol),
        )
        if not isinstance(self.hint, str):
            raise ValueError(f"hint must be a string, got {self.hint!r}")

    def judge(self, answer: object) -> Feedback:
        """The feedback for ``answer``; never raises."""
        expected, unit, rel_tol = self.expected, self.unit, self.rel_tol
        if is_unanswered(answer):
            return unanswered()
        try:
            quantity = read_quantity(answer, unit)
        except ValueError as err:
            return wrong(f"{err}.")
        value, understood, shown = quantity.value, quantity.unit, quantity.shown
        meaning = f"{understood} ({UNIT_MEANING[understood]})"
        if quantity.written:
            read = f"{described(answer)} was read as {fmt(shown)} {meaning}"
        else:
            read = f"{fmt(shown)} was read in {meaning}, the unit asked for"
        if close(value, expected, rel_tol):
            return right(
                f"{read}; it is within {pct(rel_tol)} of the exact "
                f"{fmt(expected)} bytes ({fmt(expected / UNITS[unit])} {unit})."
            )
        scale = UNITS[understood]  # compared in the unit it was read in
        candidates = [
            (target / scale, hint, tol)
            for target, hint, tol in unit_candidates(
                understood, expected, unit, rel_tol
            )
        ]
        candidates += [(m.value / scale, m.hint, rel_tol) for m in self.mistakes]
        coarse = coarse_message(shown, quantity.digits, expected / scale, rel_tol, None)
        coarse = coarse[:1].upper() + coarse[1:]
        hint = verdict_hint(
            shown, quantity.digits, expected / scale, candidates, coarse
        )
        if hint is not None:
            return wrong(f"{read}. {hint}")
        direction = "too high" if value > expected else "too low"
        extra = f" {self.hint}" if self.hint else ""
        return wrong(f"{read}; it is more than {pct(rel_tol)} {direction}.{extra}")
