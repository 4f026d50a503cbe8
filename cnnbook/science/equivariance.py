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

import numpy as np

__all__ = [
    "EDGE_FILTERS",
    "edge_kernel",
    "equivariance_gap",
    "fraction_unchanged",
    "interior",
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


def equivariance_gap(
    f: Callable[[np.ndarray], np.ndarray],
    x: object,
    rows: int,
    cols: int,
    margin: int,
) -> float:
    """Largest ``|f(shift(x)) - shift(f(x))|`` away from the borders.

    ``f`` maps a batch to a batch of the same height and width (a convolution
    with SAME padding, say). Zero means ``f`` commutes with the shift there.
    """
    if not callable(f):
        raise ValueError(f"f must be a function of a batch of maps, got {f!r}")
    x = _batch("x", x)
    shifted_first = np.asarray(f(shift(x, rows, cols)))
    shifted_after = shift(np.asarray(f(x)), rows, cols)
    if shifted_first.shape != shifted_after.shape:
        raise ValueError("f must return maps of one shape for every input")
    diff = np.abs(shifted_first - shifted_after)
    return float(interior(diff, margin).max())


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
