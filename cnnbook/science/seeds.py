"""A result over several seeds: its spread, and a comparison's paired interval.

One training run is an anecdote: a network started from other random weights,
or shown the examples in another order, lands elsewhere. The book reports every
trained result over several seeds as a :class:`Spread` (mean, lowest, highest)
and prints it at a precision no finer than the spread itself supports.

Two arms trained on the same seeds (the same data order, the same test set)
are compared by their *paired* per-seed differences, :class:`Difference`:
the mean difference and its 95% Student-t interval. Overlapping ranges of two
spreads decide nothing; an interval of the differences that excludes zero
does, and one that straddles zero is reported as "no difference detected".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnnbook.glue import glue_number
from cnnbook.validate import is_real

__all__ = ["Difference", "Spread", "glue_difference", "glue_spread"]


def _steady(value) -> float:
    """``value`` to 10 significant digits: a mean of accuracies such as 0.565 is
    computed as 0.56499999... on one CPU and 0.56500000...1 on another (sums of
    floats in another order), which printing to whole percents would round apart.
    Ten digits put both on the same decimal value, far below any printed digit."""
    return float(f"{float(value):.10g}")


def _scaled(factor: float, *values: float) -> tuple[float, ...]:
    """``values`` times ``factor`` (a positive number), each :func:`_steady`."""
    if not is_real(factor) or factor <= 0:
        raise ValueError(f"factor must be a positive number, got {factor!r}")
    return tuple(_steady(v * factor) for v in values)


def _rounded(decimals: int, *values: float) -> tuple[float, ...]:
    """``values`` rounded as the texts print them (ints at 0 decimals)."""
    if not isinstance(decimals, int) or isinstance(decimals, bool) or decimals < 0:
        raise ValueError(f"decimals must be a non-negative integer, got {decimals!r}")
    rounded = (round(v, decimals) for v in values)
    return tuple(int(v) if decimals == 0 else v for v in rounded)


@dataclass(frozen=True)
class Spread:
    """Mean, lowest and highest of one result over ``n`` seeds."""

    mean: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, values) -> Spread:
        """The spread of ``values`` (one per seed, at least one, all finite)."""
        try:
            array = np.asarray(values, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ValueError(
                f"values must be numbers, one per seed, got {values!r}"
            ) from None
        if array.size == 0 or not np.all(np.isfinite(array)):
            raise ValueError(
                f"values must hold at least one finite number, got {values!r}"
            )
        return cls(
            _steady(array.mean()),
            _steady(array.min()),
            _steady(array.max()),
            len(array),
        )

    def scaled(self, factor: float) -> Spread:
        """The same spread in other units (``scaled(100)``: shares to percent)."""
        return Spread(*_scaled(factor, self.mean, self.low, self.high), self.n)

    def text(self, decimals: int = 0, unit: str = "") -> str:
        """``"63% (48-80%)"``: the mean, then the range, to ``decimals`` places."""
        _check_decimals(decimals)
        mean, low, high = (
            f"{v:.{decimals}f}" for v in (self.mean, self.low, self.high)
        )
        return f"{mean}{unit} ({low}-{high}{unit})"

    def rounded(self, decimals: int = 0) -> tuple[float, float, float]:
        """(mean, low, high) rounded as :meth:`text` prints them, for gluing."""
        return _rounded(decimals, self.mean, self.low, self.high)

    @property
    def width(self) -> float:
        """Highest minus lowest: how far apart the seeds landed."""
        return self.high - self.low

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.mean, self.low, self.high)):
            raise ValueError("mean, low and high must be finite numbers")
        if not self.low <= self.mean <= self.high:
            raise ValueError(
                f"low <= mean <= high must hold, got {self.low}, {self.mean}, "
                f"{self.high}"
            )


def glue_spread(name: str, spread: Spread, decimals: int = 0) -> None:
    """Glue ``name`` (the mean), ``name_low`` and ``name_high``, rounded as
    :meth:`Spread.text` prints them, for ``{glue:text}`` in the prose."""
    if not isinstance(spread, Spread):
        raise ValueError(f"spread must be a Spread, got {spread!r}")
    for suffix, value in zip(
        ("", "_low", "_high"), spread.rounded(decimals), strict=True
    ):
        glue_number(f"{name}{suffix}", value)


def _finite_array(values, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be numbers, one per seed, got {values!r}"
        ) from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers, got {values!r}")
    return array


@dataclass(frozen=True)
class Difference:
    """Paired per-seed differences ``a - b``: their mean and a 95% t interval.

    ``values`` keeps each seed's difference (for a figure); ``low`` and
    ``high`` bound the interval ``mean -/+ t(0.975, n-1) * sd / sqrt(n)``, a
    Student-t interval for the mean difference (stated in the chapters).
    """

    mean: float
    low: float
    high: float
    values: tuple[float, ...]
    confidence: float = 0.95

    @classmethod
    def paired(cls, a, b, confidence: float = 0.95) -> Difference:
        """The differences ``a[i] - b[i]`` of two arms measured on the same seeds."""
        first, second = _finite_array(a, "a"), _finite_array(b, "b")
        if first.size != second.size:
            raise ValueError(
                f"a and b must hold one value per seed each, got {first.size} "
                f"and {second.size}"
            )
        if first.size < 2:
            raise ValueError(
                f"a and b must hold at least 2 seeds for an interval, got {first.size}"
            )
        if not is_real(confidence) or not 0.5 <= confidence < 1:
            raise ValueError(
                f"confidence must be a number from 0.5 to below 1, got {confidence!r}"
            )
        from scipy.stats import t

        diffs = first - second
        n = diffs.size
        mean = float(diffs.mean())
        half = (
            float(t.ppf(0.5 + confidence / 2, n - 1))
            * float(diffs.std(ddof=1))
            / math.sqrt(n)
        )
        return cls(
            _steady(mean),
            _steady(mean - half),
            _steady(mean + half),
            tuple(_steady(d) for d in diffs),
            float(confidence),
        )

    @property
    def n(self) -> int:
        """How many seeds (pairs) the interval rests on."""
        return len(self.values)

    @property
    def direction(self) -> int:
        """+1 when the interval lies above zero (a higher), -1 below, 0 across."""
        if self.low > 0:
            return 1
        if self.high < 0:
            return -1
        return 0

    def decided_at(self, decimals: int) -> bool:
        """Whether the interval, printed to ``decimals`` places, excludes zero."""
        _check_decimals(decimals)
        low, high = (round(v, decimals) for v in (self.low, self.high))
        return low > 0 or high < 0

    def scaled(self, factor: float) -> Difference:
        """The same differences in other units (``scaled(100)``: points)."""
        mean, low, high, *values = _scaled(
            factor, self.mean, self.low, self.high, *self.values
        )
        return Difference(mean, low, high, tuple(values), self.confidence)

    def rounded(self, decimals: int = 0) -> tuple[float, float, float]:
        """(mean, low, high) rounded as :meth:`text` prints them, for gluing."""
        _check_decimals(decimals)
        return _rounded(decimals, self.mean, self.low, self.high)

    def text(self, decimals: int = 0, unit: str = "") -> str:
        """``"+5.2 points (95% interval +3.1 to +7.3, 10 seeds)"``."""
        _check_decimals(decimals)
        mean, low, high = (
            _signed(v, decimals) for v in (self.mean, self.low, self.high)
        )
        unit = f" {unit}" if unit else ""
        level = f"{100 * self.confidence:g}%"
        return f"{mean}{unit} ({level} interval {low} to {high}, {self.n} seeds)"

    def verdict(self, higher: str, lower: str, decimals: int = 0) -> str:
        """What the interval allows one to say: ``higher`` is above ``lower``,
        below it, or "no difference detected at N seeds" (the printed interval
        is the one judged, so the sentence never says more than the text)."""
        low, high = self.rounded(decimals)[1:]
        if low > 0:
            return f"{higher} is higher than {lower}"
        if high < 0:
            return f"{higher} is lower than {lower}"
        return f"no difference detected between {higher} and {lower} at {self.n} seeds"

    def __post_init__(self) -> None:
        if not all(math.isfinite(v) for v in (self.mean, self.low, self.high)):
            raise ValueError("mean, low and high must be finite numbers")
        if not self.low <= self.mean <= self.high:
            raise ValueError(
                f"low <= mean <= high must hold, got {self.low}, {self.mean}, "
                f"{self.high}"
            )


def _check_decimals(decimals) -> None:
    if (
        not isinstance(decimals, int)
        or isinstance(decimals, bool)
        or not (0 <= decimals <= 6)
    ):
        raise ValueError(f"decimals must be an integer from 0 to 6, got {decimals!r}")


def _signed(value: float, decimals: int) -> str:
    """``+3.1``, ``-0.4``, ``0.0``: a sign unless the printed value is zero."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        return f"{0:.{decimals}f}"
    return text if text.startswith("-") else f"+{text}"


def glue_difference(name: str, difference: Difference, decimals: int = 0) -> None:
    """Glue ``name`` (the mean difference), ``name_low`` and ``name_high``,
    rounded as :meth:`Difference.text` prints them, and ``name_n`` (seeds)."""
    if not isinstance(difference, Difference):
        raise ValueError(f"difference must be a Difference, got {difference!r}")
    for suffix, value in zip(
        ("", "_low", "_high"), difference.rounded(decimals), strict=True
    ):
        glue_number(f"{name}{suffix}", value)
    glue_number(f"{name}_n", difference.n)
