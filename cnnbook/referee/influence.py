"""Which input pixels reach one output unit, measured by Keras: a gradient.

The receptive fields of :mod:`cnnbook.calc` are arithmetic. This module measures
them instead: it builds a stack as a Keras model whose weights are all 1 and
whose biases are off, feeds a positive input, and takes the gradient of one
output unit with respect to the input. Nothing can cancel, so the pixels with
a non-zero gradient are exactly those the unit can see, and for a linear stack
the gradient counts the paths from each pixel to the unit. Max pooling routes
a gradient to one input only, so it is measured as average pooling with the
same window (the same field).
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from cnnbook import calc
from cnnbook.validate import is_int

__all__ = ["influence", "ones", "skeleton"]

kl = keras.layers


def _twin(spec: calc.Layer, activation: str | None):
    """The all-ones Keras twin of one calc layer (one filter, float64)."""
    common = {"dtype": "float64"}
    if isinstance(spec, (calc.Conv2D, calc.DepthwiseConv2D, calc.SeparableConv2D)):
        sliding = {
            "kernel_size": spec.kernel_size,
            "strides": spec.strides,
            "padding": spec.padding,
            "dilation_rate": spec.dilation_rate,
            "use_bias": False,
            "activation": activation,
            **common,
        }
        if isinstance(spec, calc.DepthwiseConv2D):
            return kl.DepthwiseConv2D(**sliding)
        if isinstance(spec, calc.SeparableConv2D):
            return kl.SeparableConv2D(1, **sliding)
        return kl.Conv2D(1, **sliding)
    if isinstance(spec, (calc.MaxPooling2D, calc.AveragePooling2D)):
        return kl.AveragePooling2D(
            spec.pool_size, strides=spec.strides, padding=spec.padding, **common
        )
    if isinstance(spec, calc.ZeroPadding2D):
        return kl.ZeroPadding2D(spec.padding, **common)
    raise ValueError(
        "layers may hold calc.Conv2D, DepthwiseConv2D, SeparableConv2D, "
        f"MaxPooling2D, AveragePooling2D or ZeroPadding2D, got {spec!r}"
    )


def skeleton(
    input_shape: Sequence[int], layers: Sequence[calc.Layer], activation=None
) -> keras.Model:
    """A one-channel Keras stack with the geometry of ``layers`` and all
    weights 1: kernels, strides, dilations and padding kept, filters and
    biases dropped, max pooling averaged. ``activation`` ("relu" or None) is
    applied after every convolution; with positive inputs it changes nothing
    but the values."""
    if activation not in (None, "relu"):
        raise ValueError(f"activation must be None or 'relu', got {activation!r}")
    height, width = calc.analyze(input_shape, layers).input_shape[:2]
    twins = [_twin(spec, activation) for spec in layers]
    inputs = keras.Input((height, width, 1), dtype="float64")
    x = inputs
    for twin in twins:
        x = twin(x)
    return ones(keras.Model(inputs, x))


def ones(model: keras.Model) -> keras.Model:
    """``model`` with every weight set to 1 (biases too: build without them)."""
    for weight in model.weights:
        weight.assign(np.ones(weight.shape, dtype=weight.dtype))
    return model


def influence(model: keras.Model, index: Sequence[int]) -> np.ndarray:
    """The gradient of output unit ``index`` = (row, column), summed over the
    output channels, with respect to an all-ones input: an (H, W) array,
    summed over the input channels, that is non-zero exactly where the unit
    can see when the model's weights are positive."""
    if (
        not isinstance(index, Sequence)
        or len(index) != 2
        or not all(is_int(i) and i >= 0 for i in index)
    ):
        raise ValueError(f"index must be (row, column) of integers >= 0, got {index!r}")
    rows, cols = model.outputs[0].shape[1:3]
    if index[0] >= rows or index[1] >= cols:
        raise ValueError(
            f"index must lie in the {rows} x {cols} output, got {tuple(index)}"
        )
    x = tf.ones((1, *model.inputs[0].shape[1:]), dtype=model.inputs[0].dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        unit = tf.reduce_sum(model(x)[0, index[0], index[1], :])
    return tape.gradient(unit, x).numpy()[0].sum(axis=-1)
