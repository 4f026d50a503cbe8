"""Measured memory of a real training step, to set against the memory plans.

The plans of :mod:`cnnbook.science.memory_plan` add up what a step must keep;
this module asks the framework what it actually allocated.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from cnnbook import calc
from cnnbook.validate import positive_int

__all__ = ["measure_peak_bytes"]


def measure_peak_bytes(model, batch_size: int, optimizer: str = "adam"):
    """Peak GPU memory of one training step of ``model`` on random data, in bytes,
    from ``tf.config.experimental.get_memory_info``; None when there is no GPU
    (nothing is run then)."""
    batch_size = positive_int("batch_size", batch_size)
    if not isinstance(optimizer, str) or optimizer not in calc.OPTIMIZER_SLOTS:
        raise ValueError(
            f"optimizer must be one of {sorted(calc.OPTIMIZER_SLOTS)}, "
            f"got {optimizer!r}"
        )

    if not tf.config.list_physical_devices("GPU"):
        return None
    shape = (batch_size, *model.inputs[0].shape[1:])
    classes = model.outputs[0].shape[-1]
    x = np.random.default_rng(0).random(shape, dtype=np.float32)
    y = np.zeros(batch_size, dtype=np.int64)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    tf.config.experimental.reset_memory_stats("GPU:0")
    model.fit(x, y % classes, batch_size=batch_size, epochs=1, verbose=0)
    return tf.config.experimental.get_memory_info("GPU:0")["peak"]
