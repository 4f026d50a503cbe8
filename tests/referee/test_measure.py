"""Measuring a real training step's memory (only where a GPU reports it)."""

import pytest
import tensorflow as tf

from cnnbook.referee.measure import measure_peak_bytes


def test_measure_peak_bytes_is_none_without_a_gpu():
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("a GPU is present")
    assert measure_peak_bytes(object(), 8) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, "batch_size must be"),
        ({"batch_size": 8, "optimizer": "lamb"}, "optimizer must be one of"),
        ({"batch_size": 8, "optimizer": ["adam"]}, "optimizer must be one of"),
    ],
)
def test_bad_arguments_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        measure_peak_bytes(None, **kwargs)
