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

from cnnbook.runtime import keras_float64, perturb_weights, perturbed
from cnnbook.science import equivariance as eq
from cnnbook.science.pooling import max_pool_kernels
from cnnbook.science.seeds import Spread
from cnnbook.validate import non_negative_int, positive_int

__all__ = [
    "DOWNSAMPLERS",
    "ShiftResult",
    "max_pool_as_convs",
    "shift_experiment",
    "spread_of",
]

DOWNSAMPLERS = ("max pooling", "average pooling", "strided convolution + ReLU")
"""The three ways to halve a map that :func:`shift_experiment` compares."""


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
    ReLU (so that all three outputs are cut at zero alike).
    """
    photos = np.asarray(photos, dtype=np.float64)
    if photos.ndim != 4 or photos.shape[-1] != 1:
        raise ValueError(f"photos must be grey images (N, H, W, 1), got {photos.shape}")
    filters = positive_int("filters", filters)
    margin = non_negative_int("margin", margin)
    seeds = [non_negative_int("seeds", s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must name at least one seed")
    results = []
    for seed in seeds:
        x = perturbed(photos, seed)
        keras.utils.set_random_seed(seed)
        with keras_float64():
            first = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
            strided = keras.layers.Conv2D(
                filters, 3, strides=2, padding="same", activation="relu"
            )
            layers = {
                DOWNSAMPLERS[0]: keras.layers.MaxPooling2D(2),
                DOWNSAMPLERS[1]: keras.layers.AveragePooling2D(2),
                DOWNSAMPLERS[2]: strided,
            }
            first.build(x.shape)
            strided.build((None, None, None, filters))
        perturb_weights(first, seed)
        perturb_weights(strided, seed + 1)
        maps = np.asarray(first(x))
        moved = np.asarray(first(eq.shift(x, 0, 1)))
        for name, layer in layers.items():
            before = eq.interior(np.asarray(layer(maps)), margin)
            after = eq.interior(np.asarray(layer(moved)), margin)
            size = (np.abs(before).sum() + np.abs(after).sum()) / 2
            change = np.abs(after - before).sum() / size if size else 0.0
            results.append(
                ShiftResult(
                    name, seed, eq.invariance_shares(before, after), float(change)
                )
            )
    return results


def spread_of(results: Sequence[ShiftResult], downsampler: str, measure) -> Spread:
    """The spread over seeds of ``measure(result)`` for one downsampler."""
    chosen = [r for r in results if r.downsampler == downsampler]
    if not chosen:
        raise ValueError(
            f"downsampler must be one of {DOWNSAMPLERS}, got {downsampler!r}"
        )
    return Spread.of([measure(r) for r in chosen])
