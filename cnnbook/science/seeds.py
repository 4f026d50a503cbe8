"""A result over several seeds: its mean and its range, printed as the spread allows.

One training run is an anecdote: a network started from other random weights,
or shown the examples in another order, lands elsewhere. The book reports every
trained result over several seeds as a :class:`Spread` (mean, lowest, highest)
and prints it at a precision no finer than the spread itself supports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnnbook.glue import glue_number
from cnnbook.validate import is_real

__all__ = ["Spread", "glue_spread"]


def _steady(value) -> float:
    """``value`` to 10 significant digits: a mean of accuracies such as 0.565 is
    computed as 0.56499999... on one CPU and 0.56500000...1 on another (sums of
    floats in another order), which printing to whole percents would round apart.
    Ten digits put both on the same decimal value, far below any printed digit."""
    return float(f"{float(value):.10g}")


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
        if not is_real(factor) or factor <= 0:
            raise ValueError(f"factor must be a positive number, got {factor!r}")
        return Spread(
            _steady(self.mean * factor),
            _steady(self.low * factor),
            _steady(self.high * factor),
            self.n,
        )

    def text(self, decimals: int = 0, unit: str = "") -> str:
        """``"63% (48-80%)"``: the mean, then the range, to ``decimals`` places."""
        if (
            not isinstance(decimals, int)
            or isinstance(decimals, bool)
            or not (0 <= decimals <= 6)
        ):
            raise ValueError(
                f"decimals must be an integer from 0 to 6, got {decimals!r}"
            )
        mean, low, high = (
            f"{v:.{decimals}f}" for v in (self.mean, self.low, self.high)
        )
        return f"{mean}{unit} ({low}-{high}{unit})"

    def rounded(self, decimals: int = 0) -> tuple[float, float, float]:
        """(mean, low, high) rounded as :meth:`text` prints them, for gluing."""
        if not isinstance(decimals, int) or isinstance(decimals, bool) or decimals < 0:
            raise ValueError(
                f"decimals must be a non-negative integer, got {decimals!r}"
            )
        values = (round(v, decimals) for v in (self.mean, self.low, self.high))
        return tuple(int(v) if decimals == 0 else v for v in values)

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
