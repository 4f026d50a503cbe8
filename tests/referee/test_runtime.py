"""cnnbook.runtime.keras_float64: a model and its loss in float64, then restored."""

import keras
import numpy as np
import pytest

from cnnbook.runtime import keras_float64


def dtype(tensor) -> str:
    return keras.backend.standardize_dtype(tensor.dtype)


def test_layers_weights_and_losses_are_float64_inside_and_restored_after():
    before = keras.config.floatx(), keras.config.dtype_policy().name
    with keras_float64():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        logits = model(np.ones((4, 3)))
        value = loss(np.array([0, 1, 0, 1]), logits)
        assert dtype(model.layers[0].kernel) == "float64"
        assert dtype(logits) == "float64" and dtype(value) == "float64"
    assert (keras.config.floatx(), keras.config.dtype_policy().name) == before
    assert keras.layers.Dense(2).dtype_policy.name == before[1]


def test_a_float32_loss_would_round_what_float64_keeps():
    # Why both switches matter: with only the policy set, the loss follows
    # floatx and casts the float64 predictions down to float32.
    keras.config.set_dtype_policy("float64")
    try:
        value = keras.losses.MeanSquaredError()(
            np.array([0.0]), np.array([1 + 1e-12], dtype="float64")
        )
    finally:
        keras.config.set_dtype_policy(keras.config.floatx())
    assert dtype(value) == "float32"
    with keras_float64():
        value = keras.losses.MeanSquaredError()(
            np.array([0.0]), np.array([1 + 1e-12], dtype="float64")
        )
    assert dtype(value) == "float64" and float(value) != 1.0


def test_the_settings_come_back_after_an_error():
    before = keras.config.floatx(), keras.config.dtype_policy().name
    with pytest.raises(RuntimeError, match="inside"), keras_float64():
        raise RuntimeError("inside")
    assert (keras.config.floatx(), keras.config.dtype_policy().name) == before
