"""Shifts, hand-set filters and the measures of equivariance and invariance.

All arrays are NumPy, in Keras' channels-last layout: a batch ``(N, H, W, C)``.
A layer ``f`` is *equivariant* to a shift when shifting the input shifts the
output the same way, ``f(shift(x)) == shift(f(x))``; it is *invariant* when the
output does not change at all, ``f(shift(x)) == f(x)``. Near the borders pixels
leave and empty ones enter, so both are compared away from the borders.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "EDGE_FILTERS",
    "GapSizes",
    "InvarianceShares",
    "edge_kernel",
    "equivariance_gaps",
    "fraction_unchanged",
    "interior",
    "invariance_shares",
    "shift",
    "to_gray",
]

EDGE_FILTERS = {
    "vertical edges": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32),
    "horizontal edges": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], np.float32),
}
"""Sobel's 3 x 3 kernels: each responds to brightness changing across one axis."""


def _int(arg: str, value: object, low: int | None = None) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"{arg} must be an integer, got {value!r}")
    if low is not None and value < low:
        raise ValueError(f"{arg} must be at least {low}, got {value!r}")
    return int(value)


def _batch(arg: str, x: object) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(
            f"{arg} must be a batch of feature maps (N, H, W, C), got shape {x.shape}"
        )
    return x


def edge_kernel(names=tuple(EDGE_FILTERS)) -> np.ndarray:
    """A Keras Conv2D kernel ``(3, 3, 1, len(names))`` made of the named filters."""
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in EDGE_FILTERS]
    if unknown or not names:
        raise ValueError(
            f"names must be some of {sorted(EDGE_FILTERS)}, got {list(names)!r}"
        )
    return np.stack([EDGE_FILTERS[n] for n in names], axis=-1)[:, :, None, :]


def to_gray(images: object) -> np.ndarray:
    """RGB images ``(N, H, W, 3)`` with values 0-255 -> ``(N, H, W, 1)`` in [0, 1]."""
    images = _batch("images", images)
    if images.shape[-1] != 3:
        raise ValueError(f"images must have 3 channels (RGB), got {images.shape[-1]}")
    weights = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R 601 luma
    return (images.astype(np.float32) @ weights / 255.0)[..., None]


def shift(x: object, rows: int, cols: int) -> np.ndarray:
    """Move the content of each map down by ``rows`` and right by ``cols`` pixels.

    Negative values move up or left. Pixels pushed out are lost and the pixels
    that enter are zero (not wrapped around as ``np.roll`` would).
    """
    x = _batch("x", x)
    rows, cols = _int("rows", rows), _int("cols", cols)
    h, w = x.shape[1:3]
    if abs(rows) >= h or abs(cols) >= w:
        raise ValueError(
            f"rows and cols must be smaller than the map ({h} x {w}), "
            f"got rows={rows}, cols={cols}"
        )
    out = np.zeros_like(x)
    src_r = slice(max(0, -rows), h - max(0, rows))
    dst_r = slice(max(0, rows), h - max(0, -rows))
    src_c = slice(max(0, -cols), w - max(0, cols))
    dst_c = slice(max(0, cols), w - max(0, -cols))
    out[:, dst_r, dst_c] = x[:, src_r, src_c]
    return out


def interior(x: object, margin: int) -> np.ndarray:
    """The maps without a border of ``margin`` pixels on every side."""
    x = _batch("x", x)
    margin = _int("margin", margin, low=0)
    h, w = x.shape[1:3]
    if 2 * margin >= min(h, w):
        raise ValueError(
            f"margin must leave some pixels of the {h} x {w} map, got {margin}"
        )
    return x[:, margin : h - margin, margin : w - margin]


def fraction_unchanged(a: object, b: object, atol: float = 1e-6) -> float:
    """Share of values of ``a`` and ``b`` (same shape) that differ by <= ``atol``."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have one shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError("a and b must hold at least one value")
    if not isinstance(atol, numbers.Real) or isinstance(atol, bool) or atol < 0:
        raise ValueError(f"atol must be a non-negative number, got {atol!r}")
    return float(np.mean(np.abs(a - b) <= atol))


@dataclass(frozen=True)
class GapSizes:
    """How far ``f(shift(x))`` is from ``shift(f(x))``, next to the size of the
    output itself, with the same statistic on both sides of each comparison."""

    max_gap: float
    max_output: float
    mean_gap: float
    mean_output: float

    @property
    def relative_mean_gap(self) -> float:
        """Mean |gap| / mean |output|: 0 for an equivariant layer; about 1.4 for
        two unrelated outputs of the same spread (two independent normal values
        differ by 2/sqrt(pi) standard deviations on average, and one has
        sqrt(2/pi))."""
        return self.mean_gap / self.mean_output if self.mean_output else 0.0


def equivariance_gaps(
    f: Callable[[np.ndarray], np.ndarray],
    x: object,
    rows: int,
    cols: int,
    margin: int,
) -> GapSizes:
    """Largest and mean ``|f(shift(x)) - shift(f(x))|`` away from the borders,
    with the largest and mean ``|shift(f(x))|`` over the same values.

    Comparing a largest gap with a mean output (or the reverse) would make any
    gap look large or small at will; like is compared with like here.
    """
    if not callable(f):
        raise ValueError(f"f must be a function of a batch of maps, got {f!r}")
    x = _batch("x", x)
    shifted_first = np.asarray(f(shift(x, rows, cols)))
    shifted_after = shift(np.asarray(f(x)), rows, cols)
    if shifted_first.shape != shifted_after.shape:
        raise ValueError("f must return maps of one shape for every input")
    gap = interior(np.abs(shifted_first - shifted_after), margin)
    size = interior(np.abs(shifted_after), margin)
    return GapSizes(
        float(gap.max()), float(size.max()), float(gap.mean()), float(size.mean())
    )


@dataclass(frozen=True)
class InvarianceShares:
    """What a shift did to each value of a map, as shares of all values.

    ``zero_both``: zero before and after (an empty window stays empty whatever
    the layer; it says nothing about invariance). ``unchanged``: nonzero and
    unchanged. ``changed``: the rest. The three add up to 1.
    """

    zero_both: float
    unchanged: float
    changed: float
    count: int

    @property
    def unchanged_of_nonzero(self) -> float:
        """Unchanged share among the values that are not zero on both sides:
        the invariance a layer actually provides."""
        rest = self.unchanged + self.changed
        return self.unchanged / rest if rest else 0.0


def invariance_shares(
    before: object, after: object, atol: float = 1e-6
) -> InvarianceShares:
    """Split the values of ``before`` and ``after`` (one shape) into zero on both
    sides, nonzero and unchanged, and changed, each within ``atol``.

    The tolerance matters for "zero" too: a flat patch of an image gives an
    edge filter a response of exactly 0 in exact arithmetic, but a tiny
    positive or negative rest in floating point, which ReLU then keeps or not
    depending on the CPU's last bits.
    """
    before, after = np.asarray(before), np.asarray(after)
    if before.shape != after.shape:
        raise ValueError(
            "before and after must have one shape, "
            f"got {before.shape} and {after.shape}"
        )
    if before.size == 0:
        raise ValueError("before and after must hold at least one value")
    if not isinstance(atol, numbers.Real) or isinstance(atol, bool) or not atol >= 0:
        raise ValueError(f"atol must be a non-negative number, got {atol!r}")
    zero = (np.abs(before) <= atol) & (np.abs(after) <= atol)
    same = np.abs(before - after) <= atol
    n = before.size
    return InvarianceShares(
        float(np.count_nonzero(zero) / n),
        float(np.count_nonzero(same & ~zero) / n),
        float(np.count_nonzero(~same) / n),
        int(n),
    )
