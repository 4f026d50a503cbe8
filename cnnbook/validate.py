"""Argument checks shared by every layer of the package.

Each raises ``ValueError`` naming the argument and what it accepts, so bad input
reads the same wherever it is caught (a notebook, a widget, a check). Booleans
are never numbers here, and NaN or infinity is never a size or a rate.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["is_int", "is_real", "non_negative_int", "positive_int"]


def is_int(value: object) -> bool:
    """An integer that is not a bool (``True`` is not a count)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: object) -> bool:
    """A finite int or float (bools and NaN are not sizes or rates)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def positive_int(arg: str, value: object) -> int:
    """``value`` as an int if it is an integer of at least 1."""
    if not is_int(value) or value < 1:
        raise ValueError(f"{arg} must be a positive integer, got {value!r}")
    return int(value)


def non_negative_int(arg: str, value: object) -> int:
    """``value`` as an int if it is an integer of at least 0."""
    if not is_int(value) or value < 0:
        raise ValueError(f"{arg} must be a non-negative integer, got {value!r}")
    return int(value)
