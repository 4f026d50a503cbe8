"""Chapter 4's experiments: how a one-pixel shift moves three ways to downsample,
over several seeds, and max pooling written as convolutions with ReLU.

Everything runs in float64 (:func:`cnnbook.runtime.keras_float64`), and the
inputs and random weights go through :func:`cnnbook.runtime.perturbed`, so that
``make outputs-check`` can show that no printed figure rests on the last bits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from cnnbook.runtime import keras_float64, perturb_weights, perturbed
from cnnbook.science import equivariance as eq
from cnnbook.science.pooling import max_pool_kernels
from cnnbook.science.seeds import Difference, Spread
from cnnbook.validate import non_negative_int, positive_int

__all__ = [
    "DOWNSAMPLERS",
    "ATOL",
    "ShiftResult",
    "difference_of",
    "max_pool_as_convs",
    "shift_experiment",
    "spread_of",
]

DOWNSAMPLERS = ("max pooling", "average pooling", "strided convolution + ReLU")
"""The three ways to halve a map that :func:`shift_experiment` compares."""
ATOL = 1e-6
"""Values within this of each other are equal, within it of 0 are zero (as in
:func:`cnnbook.science.equivariance.invariance_shares`)."""


def max_pool_as_convs(channels: int):
    """A Keras model of three convolutions (the first two with ReLU) that
    computes ``MaxPooling2D(2)`` (the weights are explained in
    :func:`cnnbook.science.pooling.max_pool_kernels`)."""
    channels = positive_int("channels", channels)
    kernels = max_pool_kernels(channels)
    with keras_float64():
        model = keras.Sequential(
            [
                keras.Input((None, None, channels)),
                keras.layers.Conv2D(6 * channels, 2, strides=2, activation="relu"),
                keras.layers.Conv2D(3 * channels, 1, activation="relu"),
                keras.layers.Conv2D(channels, 1),
            ],
            name="max_pool_as_convs",
        )
    for layer, weights in zip(model.layers, kernels, strict=True):
        layer.set_weights(list(weights))
    return model


@dataclass(frozen=True)
class ShiftResult:
    """One downsampler, one seed: what a one-pixel shift of the input did to
    its outputs (:class:`cnnbook.science.equivariance.InvarianceShares`) and the
    mean change relative to the mean output (before and after the shift; 0 when
    every output is zero on both sides)."""

    downsampler: str
    seed: int
    shares: eq.InvarianceShares
    relative_change: float


def shift_experiment(
    photos, seeds: Sequence[int], filters: int = 16, margin: int = 4
) -> list[ShiftResult]:
    """Shift grey ``photos`` (N, H, W, 1) right by one pixel and compare each
    downsampler's output before and after, away from the borders.

    For each seed a random 3 x 3 convolution with ``filters`` filters and ReLU
    stands in for a first layer; its maps are halved by max pooling, average
    pooling, and a random 3 x 3 convolution with stride 2 followed by the same
    ReLU (so that all three outputs are cut at zero alike). The filters are the
    ones Keras draws for that seed; one traced function measures every seed,
    one photo at a time, and returns only counts and sums, so that no seed's
    maps outlive its measurement.
    """
    photos = np.asarray(photos, dtype=np.float64)
    if photos.ndim != 4 or photos.shape[-1] != 1:
        raise ValueError(f"photos must be grey images (N, H, W, 1), got {photos.shape}")
    filters = positive_int("filters", filters)
    margin = non_negative_int("margin", margin)
    seeds = [non_negative_int("seeds", s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    measure = _measure(margin)
    results = []
    for seed in seeds:
        x = perturbed(photos, seed)
        weights = [tf.constant(w) for w in _random_filters(seed, filters)]
        totals = sum(
            measure(
                tf.constant(x[i : i + 1]),
                tf.constant(eq.shift(x[i : i + 1], 0, 1)),
                *weights,
            ).numpy()
            for i in range(len(x))
        )
        for name, (zero, same, changed, before, after, moved) in zip(
            DOWNSAMPLERS, totals, strict=True
        ):
            count = zero + same + changed
            shares = eq.InvarianceShares(
                zero / count, same / count, changed / count, int(count)
            )
            size = (before + after) / 2
            results.append(
                ShiftResult(name, seed, shares, float(moved / size if size else 0.0))
            )
    return results


def _random_filters(seed: int, filters: int) -> list[np.ndarray]:
    """The first layer's and the strided convolution's kernels and biases, as
    Keras draws them in float64 after ``keras.utils.set_random_seed(seed)``."""
    keras.utils.set_random_seed(seed)
    with keras_float64():
        first = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        strided = keras.layers.Conv2D(
            filters, 3, strides=2, padding="same", activation="relu"
        )
        first.build((None, None, None, 1))
        strided.build((None, None, None, filters))
    perturb_weights(first, seed)
    perturb_weights(strided, seed + 1)
    return first.get_weights() + strided.get_weights()


def _measure(margin: int):
    """A traced function of one photo before and after the shift and the
    filters, returning for each downsampler (rows, in :data:`DOWNSAMPLERS`'
    order) the counts of outputs zero on both sides, nonzero and unchanged, and
    changed (within :data:`ATOL`), and the sums of |before|, |after| and
    |after - before|, over the outputs ``margin`` away from the borders."""

    def inner(maps):
        return maps[
            :, margin : tf.shape(maps)[1] - margin, margin : tf.shape(maps)[2] - margin
        ]

    @tf.function(reduce_retracing=True)
    def measure(x, moved, kernel, bias, strided_kernel, strided_bias):
        rows = []
        sides = [
            tf.nn.relu(tf.nn.conv2d(side, kernel, 1, "SAME") + bias)
            for side in (x, moved)
        ]
        for downsample in (
            lambda m: tf.nn.max_pool2d(m, 2, 2, "VALID"),
            lambda m: tf.nn.avg_pool2d(m, 2, 2, "VALID"),
            lambda m: tf.nn.relu(
                tf.nn.conv2d(m, strided_kernel, 2, "SAME") + strided_bias
            ),
        ):
            before, after = (inner(downsample(m)) for m in sides)
            zero = (tf.abs(before) <= ATOL) & (tf.abs(after) <= ATOL)
            same = tf.abs(before - after) <= ATOL
            rows.append(
                tf.stack(
                    [
                        tf.reduce_sum(tf.cast(zero, tf.float64)),
                        tf.reduce_sum(tf.cast(same & ~zero, tf.float64)),
                        tf.reduce_sum(tf.cast(~same, tf.float64)),
                        tf.reduce_sum(tf.abs(before)),
                        tf.reduce_sum(tf.abs(after)),
                        tf.reduce_sum(tf.abs(after - before)),
                    ]
                )
            )
        return tf.stack(rows)

    return measure


def spread_of(results: Sequence[ShiftResult], downsampler: str, measure) -> Spread:
    """The spread over seeds of ``measure(result)`` for one downsampler."""
    return Spread.of(list(_by_seed(results, downsampler, measure).values()))


def difference_of(
    results: Sequence[ShiftResult], first: str, second: str, measure
) -> Difference:
    """Paired per-seed difference ``measure(first) - measure(second)`` of two
    downsamplers measured on the same seeds (the same filters and photos)."""
    a, b = (_by_seed(results, name, measure) for name in (first, second))
    if sorted(a) != sorted(b):
        raise ValueError(
            f"first and second must be measured on the same seeds, got {sorted(a)} "
            f"and {sorted(b)}"
        )
    return Difference.paired([a[s] for s in sorted(a)], [b[s] for s in sorted(a)])


def _by_seed(results, downsampler, measure) -> dict[int, float]:
    chosen = [r for r in results if r.downsampler == downsampler]
    if not chosen:
        raise ValueError(
            f"downsampler must be one of {DOWNSAMPLERS}, got {downsampler!r}"
        )
    return {r.seed: float(measure(r)) for r in chosen}
