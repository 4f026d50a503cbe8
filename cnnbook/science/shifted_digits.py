"""Scikit-learn's 8 x 8 digits placed on a larger canvas, centred or shifted.

Chapter 1 asks whether a convolutional network copes better than a dense one
when the same digit can appear anywhere. The data for that experiment ships with
scikit-learn (no download): each 8 x 8 digit is pasted into an empty square
canvas, either in the middle, at a random position or all at one chosen place.
Pixel values are scaled to [0, 1]. :func:`windows_kept` counts, for a digit at a
given place, the windows of the CNN's last convolution that still see it: what
a shift costs that network before any training. The models the chapter
compares, and their training, are in :mod:`cnnbook.referee.digit_models` (they
need Keras; this module does not).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = [
    "CNN_LAYERS",
    "DIGIT_SIZE",
    "ShiftedDigits",
    "axis_windows",
    "canvas_size",
    "centred_offsets",
    "load",
    "place",
    "random_offsets",
    "windows_kept",
]

DIGIT_SIZE = 8
"""Height and width of scikit-learn's digits, in pixels."""


CNN_LAYERS = (("conv", 3), ("pool", 2), ("conv", 3))
"""The chapter's CNN up to its global pooling: 3 x 3 VALID convolution, 2 x 2
max pooling with stride 2, 3 x 3 VALID convolution."""


def canvas_size(canvas: object) -> int:
    if (
        not isinstance(canvas, numbers.Integral)
        or isinstance(canvas, bool)
        or canvas < DIGIT_SIZE
    ):
        raise ValueError(
            f"canvas must be an integer of at least {DIGIT_SIZE} (pixels), "
            f"got {canvas!r}"
        )
    return int(canvas)


def centred_offsets(count: int, canvas: int) -> np.ndarray:
    """``(count, 2)`` top-left corners that put a digit in the middle."""
    canvas = canvas_size(canvas)
    if not isinstance(count, numbers.Integral) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    middle = (canvas - DIGIT_SIZE) // 2
    return np.full((int(count), 2), middle, dtype=np.int64)


def random_offsets(count: int, canvas: int, rng: np.random.Generator) -> np.ndarray:
    """``(count, 2)`` top-left corners drawn uniformly over every position."""
    canvas = canvas_size(canvas)
    if not isinstance(count, numbers.Integral) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {rng!r}"
        )
    return rng.integers(0, canvas - DIGIT_SIZE + 1, size=(int(count), 2))


def place(digits: np.ndarray, offsets: np.ndarray, canvas: int) -> np.ndarray:
    """Paste ``(n, 8, 8)`` digits into ``(n, canvas, canvas, 1)`` empty canvases.

    ``offsets[i]`` is the (row, column) of digit i's top-left pixel.
    """
    canvas = canvas_size(canvas)
    digits = np.asarray(digits, dtype=np.float32)
    offsets = np.asarray(offsets)
    if digits.ndim != 3 or digits.shape[1:] != (DIGIT_SIZE, DIGIT_SIZE):
        raise ValueError(f"digits must have shape (n, 8, 8), got {digits.shape}")
    if offsets.shape != (len(digits), 2):
        raise ValueError(
            f"offsets must have shape ({len(digits)}, 2), one (row, column) per "
            f"digit, got {offsets.shape}"
        )
    if offsets.size and (offsets.min() < 0 or offsets.max() > canvas - DIGIT_SIZE):
        raise ValueError(
            f"offsets must lie in [0, {canvas - DIGIT_SIZE}] for a canvas of "
            f"{canvas}, got values from {offsets.min()} to {offsets.max()}"
        )
    out = np.zeros((len(digits), canvas, canvas, 1), dtype=np.float32)
    for i, (row, col) in enumerate(offsets):
        out[i, row : row + DIGIT_SIZE, col : col + DIGIT_SIZE, 0] = digits[i]
    return out


def _layers(layers) -> list[tuple[str, int]]:
    checked = []
    for layer in layers:
        if (
            not isinstance(layer, tuple)
            or len(layer) != 2
            or layer[0] not in ("conv", "pool")
            or not isinstance(layer[1], numbers.Integral)
            or isinstance(layer[1], bool)
            or layer[1] < 1
        ):
            raise ValueError(
                "layers must be ('conv', kernel size) or ('pool', pool size) "
                f"pairs with positive sizes, got {layer!r}"
            )
        checked.append((layer[0], int(layer[1])))
    if not checked:
        raise ValueError("layers must hold at least one layer")
    return checked


def axis_windows(offset: int, canvas: int = 20, layers=CNN_LAYERS) -> tuple[int, int]:
    """Along one axis, for a digit whose first pixel is at ``offset``: how many
    outputs of the last of ``layers`` (VALID convolutions of stride 1, max
    pooling with a stride of its size) see part of the digit on this canvas,
    and how many would on a canvas extended without end (with the pooling
    grid where it is on this one). Windows that reach past the canvas's edge
    do not exist here: what they would have seen of the digit is lost."""
    canvas, layers = canvas_size(canvas), _layers(layers)
    if not isinstance(offset, numbers.Integral) or not (
        0 <= offset <= canvas - DIGIT_SIZE
    ):
        raise ValueError(
            f"offset must be an integer from 0 to {canvas - DIGIT_SIZE}, got {offset!r}"
        )
    grid = math.prod(size for kind, size in layers if kind == "pool")
    reach = sum(size for _, size in layers) * grid  # more than any window spans
    margin = grid * math.ceil(reach / grid)  # keeps the pooling grid in place
    sees = np.zeros(canvas + 2 * margin, bool)
    sees[margin + offset : margin + offset + DIGIT_SIZE] = True
    here = np.zeros_like(sees)
    here[margin : margin + canvas] = True
    for kind, size in layers:
        if kind == "conv":
            count, starts = len(sees) - size + 1, range(len(sees) - size + 1)
        else:
            count = len(sees) // size
            starts = range(0, count * size, size)
        sees = np.array([sees[i : i + size].any() for i in starts], bool)
        here = np.array([here[i : i + size].all() for i in starts], bool)
        if count == 0:
            break
    return int(np.count_nonzero(sees & here)), int(np.count_nonzero(sees))


def windows_kept(
    row: int, col: int, canvas: int = 20, layers=CNN_LAYERS
) -> tuple[int, int]:
    """:func:`axis_windows` in two dimensions, for a digit with its top-left
    pixel at (``row``, ``col``): outputs of the last layer that see part of it
    on this canvas, and on an unbounded one."""
    (rows_kept, rows), (cols_kept, cols) = (
        axis_windows(row, canvas, layers),
        axis_windows(col, canvas, layers),
    )
    return rows_kept * cols_kept, rows * cols


@dataclass(frozen=True)
class ShiftedDigits:
    """A train/test split of the digits, as 8 x 8 images in [0, 1] and labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    canvas: int

    def train(self, count: int | None = None, shifted: bool = False, seed: int = 0):
        """The first ``count`` training digits on canvases, and their labels."""
        return self._make(self.x_train, self.y_train, count, shifted, seed)

    def test(self, shifted: bool = False, seed: int = 1):
        """All test digits on canvases (centred, or at seeded random places)."""
        return self._make(self.x_test, self.y_test, None, shifted, seed)

    def test_at(self, row: int, col: int):
        """All test digits with their top-left pixel at (``row``, ``col``)."""
        offsets = np.tile(np.array([[row, col]], dtype=np.int64), (len(self.x_test), 1))
        return place(self.x_test, offsets, self.canvas), self.y_test

    def test_offsets(self, shifted: bool = False, seed: int = 1) -> np.ndarray:
        """The (row, column) corners :meth:`test` uses with the same arguments."""
        return self._offsets(len(self.x_test), shifted, seed)

    def _offsets(self, count, shifted, seed):
        if shifted:
            return random_offsets(count, self.canvas, np.random.default_rng(seed))
        return centred_offsets(count, self.canvas)

    def _make(self, x, y, count, shifted, seed):
        if count is None:
            count = len(x)
        if not isinstance(count, numbers.Integral) or not 1 <= count <= len(x):
            raise ValueError(
                f"count must be an integer from 1 to {len(x)}, got {count!r}"
            )
        offsets = self._offsets(count, shifted, seed)
        return place(x[:count], offsets, self.canvas), y[:count]


def load(canvas: int = 20, test_size: int = 500, seed: int = 0) -> ShiftedDigits:
    """scikit-learn's 1,797 digits, shuffled with ``seed``, split into train/test."""
    canvas = canvas_size(canvas)
    from sklearn.datasets import load_digits

    digits = load_digits()
    if not isinstance(test_size, numbers.Integral) or not 1 <= test_size < len(
        digits.images
    ):
        raise ValueError(
            f"test_size must be an integer from 1 to {len(digits.images) - 1}, "
            f"got {test_size!r}"
        )
    order = np.random.default_rng(seed).permutation(len(digits.images))
    images = (digits.images[order] / 16.0).astype(np.float32)
    labels = digits.target[order].astype(np.int64)
    split = len(images) - int(test_size)
    return ShiftedDigits(
        images[:split], labels[:split], images[split:], labels[split:], canvas
    )
