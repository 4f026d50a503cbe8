"""Max pooling, average pooling and strided convolution, in NumPy and measured.

The NumPy versions work on one 2-D grey image with VALID windows, the way Keras'
``MaxPooling2D``, ``AveragePooling2D`` and ``Conv2D`` do with ``padding="valid"``;
they are fast enough for a widget and checked against Keras in the tests.
:func:`max_pool_kernels` writes 2 x 2 max pooling as three convolutions (two
with ReLU), and :func:`fastest_interleaved` times Keras layers (chapter 4
stores comparisons only, never seconds).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from cnnbook.validate import positive_int

__all__ = [
    "average_kernel",
    "avg_pool",
    "downsample_all",
    "edge_kernel",
    "fastest_interleaved",
    "max_pool",
    "max_pool_kernels",
    "strided_conv",
    "windows",
]


def windows(image: object, size: int, strides: int) -> np.ndarray:
    """All ``size`` x ``size`` windows at steps of ``strides`` (VALID):
    shape ``(out_h, out_w, size, size)``."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 2:
        raise ValueError(f"image must be a 2-D grey image, got shape {image.shape}")
    size, strides = positive_int("pool_size", size), positive_int("strides", strides)
    if size > min(image.shape):
        raise ValueError(
            f"pool_size must be at most the image's smaller side "
            f"({min(image.shape)}), got {size}"
        )
    view = np.lib.stride_tricks.sliding_window_view(image, (size, size))
    return view[::strides, ::strides]


def max_pool(image: object, pool_size: int = 2, strides: int | None = None):
    """Largest value of each window (``strides`` defaults to ``pool_size``)."""
    strides = pool_size if strides is None else strides
    return windows(image, pool_size, strides).max(axis=(2, 3))


def avg_pool(image: object, pool_size: int = 2, strides: int | None = None):
    """Mean of each window (``strides`` defaults to ``pool_size``)."""
    strides = pool_size if strides is None else strides
    return windows(image, pool_size, strides).mean(axis=(2, 3))


def strided_conv(image: object, kernel: object, strides: int = 2) -> np.ndarray:
    """Cross-correlation with a square ``kernel`` at steps of ``strides`` (VALID),
    what Keras' Conv2D computes for one channel and one filter without bias."""
    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.ndim != 2 or kernel.shape[0] != kernel.shape[1]:
        raise ValueError(f"kernel must be a square 2-D array, got {kernel.shape}")
    return np.einsum("ijkl,kl->ij", windows(image, kernel.shape[0], strides), kernel)


def edge_kernel(size: int) -> np.ndarray:
    """A ``size`` x ``size`` vertical-edge filter: columns weighted from +1 to -1,
    divided by ``size`` (``size`` 1 is the identity: plain subsampling)."""
    size = positive_int("pool_size", size)
    if size == 1:
        return np.ones((1, 1), np.float32)
    column = np.linspace(1.0, -1.0, size, dtype=np.float32)
    return np.tile(column, (size, 1)) / size


def downsample_all(image: object, pool_size: int = 2, strides: int = 2):
    """The image after max pooling, average pooling and a strided convolution
    (with :func:`edge_kernel` of the pool size), as a dict of 2-D arrays."""
    return {
        "max pooling": max_pool(image, pool_size, strides),
        "average pooling": avg_pool(image, pool_size, strides),
        "strided convolution": strided_conv(image, edge_kernel(pool_size), strides),
    }


def average_kernel(pool_size: int, channels: int) -> np.ndarray:
    """A Keras Conv2D kernel ``(k, k, C, C)`` that averages each channel over a
    k x k window: with ``strides=k`` and no bias it *is* ``AveragePooling2D(k)``."""
    pool_size = positive_int("pool_size", pool_size)
    channels = positive_int("channels", channels)
    eye = np.eye(channels, dtype=np.float32) / pool_size**2
    return np.broadcast_to(eye, (pool_size, pool_size, channels, channels)).copy()


def fastest_interleaved(
    functions: dict[str, Callable[[], object]],
    repeats: int = 9,
    warmup: int = 2,
    clock: Callable[[], float] = time.process_time,
) -> dict[str, float]:
    """Shortest time of each function by ``clock``, calling them in turn
    ``repeats`` times (after ``warmup`` rounds).

    The default clock is the processor time of this process (all its threads):
    other programs on a busy machine stretch the wall time of a call, not the
    processor time it uses. Taking turns spreads what disturbance remains (a
    clock change, the caches) over every function instead of landing on one.
    Even so the seconds vary from run to run and machine to machine: report the
    comparison, not the seconds.
    """
    if not isinstance(functions, dict) or not functions:
        raise ValueError(
            f"functions must be a non-empty dict of name: function, got {functions!r}"
        )
    for name, f in functions.items():
        if not callable(f):
            raise ValueError(
                f"functions[{name!r}] must be a function without arguments"
            )
    if not callable(clock):
        raise ValueError(f"clock must be a function returning seconds, got {clock!r}")
    repeats, warmup = positive_int("repeats", repeats), int(warmup)
    if warmup < 0:
        raise ValueError(f"warmup must be a non-negative integer, got {warmup!r}")
    for _ in range(warmup):
        for f in functions.values():
            f()
    best = dict.fromkeys(functions, math.inf)
    for _ in range(repeats):
        for name, f in functions.items():
            start = clock()
            f()
            best[name] = min(best[name], clock() - start)
    return best


def max_pool_kernels(channels: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Keras Conv2D ``(kernel, bias)`` pairs for three layers that compute
    ``MaxPooling2D(2)`` of ``channels`` maps, whatever the signs of the values:

    1. a 2 x 2 convolution with stride 2 and ReLU: for each channel and each
       window (a b / c d), ``relu(a)``, ``relu(-a)``, ``relu(b - a)``,
       ``relu(c)``, ``relu(-c)``, ``relu(d - c)`` (6 maps per channel);
    2. a 1 x 1 convolution with ReLU: with m1 = relu(a) - relu(-a) + relu(b - a)
       = max(a, b) and m2 = max(c, d), ``relu(m1)``, ``relu(-m1)``,
       ``relu(m2 - m1)`` (3 maps per channel);
    3. a linear 1 x 1 convolution: ``relu(m1) - relu(-m1) + relu(m2 - m1)`` =
       max(m1, m2) = max(a, b, c, d). A network can fold this sum into the
       weights of the convolution that follows.

    It rests on max(u, v) = u + relu(v - u) and u = relu(u) - relu(-u).
    """
    c = positive_int("channels", channels)
    first = np.zeros((2, 2, c, 6 * c), np.float64)
    # (row, col) taps of the window: a = (0, 0), b = (0, 1), c = (1, 0), d = (1, 1)
    taps = [
        {(0, 0): 1},  # relu(a)
        {(0, 0): -1},  # relu(-a)
        {(0, 1): 1, (0, 0): -1},  # relu(b - a)
        {(1, 0): 1},  # relu(c)
        {(1, 0): -1},  # relu(-c)
        {(1, 1): 1, (1, 0): -1},  # relu(d - c)
    ]
    for ch in range(c):
        for k, weights in enumerate(taps):
            for (row, col), w in weights.items():
                first[row, col, ch, 6 * ch + k] = w
    second = np.zeros((1, 1, 6 * c, 3 * c), np.float64)
    m1 = np.array([1, -1, 1, 0, 0, 0])  # max(a, b) from the six maps
    m2 = np.array([0, 0, 0, 1, -1, 1])  # max(c, d)
    for ch in range(c):
        block = slice(6 * ch, 6 * ch + 6)
        second[0, 0, block, 3 * ch] = m1
        second[0, 0, block, 3 * ch + 1] = -m1
        second[0, 0, block, 3 * ch + 2] = m2 - m1
    third = np.zeros((1, 1, 3 * c, c), np.float64)
    for ch in range(c):
        third[0, 0, 3 * ch : 3 * ch + 3, ch] = [1, -1, 1]
    return [
        (first, np.zeros(6 * c)),
        (second, np.zeros(3 * c)),
        (third, np.zeros(c)),
    ]
