"""The float64 context: layers, weights and losses in float64, defaults restored."""

import keras
import numpy as np
import pytest

from cnnbook.referee.precision import float64
from tests.conftest import REPO  # noqa: F401  (sets the quiet TF environment)


def test_inside_everything_is_float64_and_outside_float32():
    with float64():
        layer = keras.layers.Dense(3)
        y = layer(np.ones((2, 4)))
        loss = keras.losses.SparseCategoricalCrossentropy()(
            np.array([0, 1]), keras.ops.softmax(y)
        )
        assert layer.kernel.dtype == "float64"
        assert y.dtype == "float64"
        assert loss.dtype == "float64"  # floatx decides the loss: both are set
    assert keras.config.floatx() == "float32"
    assert keras.config.dtype_policy().name == "float32"
    assert keras.layers.Dense(3)(np.ones((2, 4), "float32")).dtype == "float32"


def test_defaults_come_back_when_the_block_raises():
    with pytest.raises(RuntimeError, match="inside"):
        with float64():
            raise RuntimeError("inside")
    assert keras.config.floatx() == "float32"
    assert keras.config.dtype_policy().name == "float32"
