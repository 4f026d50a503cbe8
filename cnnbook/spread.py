"""A result over several seeds: its mean and its range, never one seed alone.

One training run is an anecdote: another seed can move its result by more than
the effect under study. The chapters train several seeds and report the mean
with the smallest and largest value, at a precision the range supports.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Spread", "spread"]


@dataclass(frozen=True)
class Spread:
    """Mean, smallest and largest of ``count`` results."""

    mean: float
    low: float
    high: float
    count: int

    def text(self, digits: int = 1, scale: float = 1.0) -> str:
        """``"94.4 (90.8 to 96.4)"``: mean and range times ``scale``, with
        ``digits`` decimals."""
        if not isinstance(digits, int) or isinstance(digits, bool) or digits < 0:
            raise ValueError(f"digits must be a non-negative integer, got {digits!r}")
        mean, low, high = (scale * v for v in (self.mean, self.low, self.high))
        return f"{mean:.{digits}f} ({low:.{digits}f} to {high:.{digits}f})"


def spread(values: Iterable[object]) -> Spread:
    """The :class:`Spread` of finite numbers (at least one)."""
    numbers_ = list(values)
    if not numbers_ or not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
        for v in numbers_
    ):
        raise ValueError(f"values must be one or more finite numbers, got {numbers_!r}")
    floats = [float(v) for v in numbers_]
    return Spread(
        math.fsum(floats) / len(floats), min(floats), max(floats), len(floats)
    )
