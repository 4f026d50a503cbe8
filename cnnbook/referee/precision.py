"""Run a Keras experiment in float64, then put the float32 defaults back.

The book's training results are computed in float64 where that is cheap: a
relative 1e-16 rounding difference between two CPUs then stays far below the
precision at which the results are printed, where in float32 a short training
run amplifies it into the second decimal. Keras 3 needs two settings for it:
the dtype *policy* decides the layers' weights and computations, and
``floatx`` decides everything else, the losses' dtype included. Setting only
one gives a model that computes in float64 and a loss that rounds to float32.
"""

from __future__ import annotations

from contextlib import contextmanager

import keras

__all__ = ["float64"]


@contextmanager
def float64():
    """Within the ``with`` block, new Keras layers, weights and losses are
    float64; on leaving it the previous floatx and dtype policy come back
    (also when the block raises)."""
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        yield
    finally:
        keras.config.set_dtype_policy(policy)
        keras.config.set_floatx(floatx)
