"""Measuring a real training step's memory: what TensorFlow's gradients read,
what its CPU allocator holds, and (only where there is one) a GPU's peak."""

import gc

import keras
import pytest
import tensorflow as tf

from cnnbook.referee.measure import (
    cpu_step_peaks,
    measure_peak_bytes,
    saved_for_backward,
)
from cnnbook.science import backprop_memory as bm
from cnnbook.science import memory_plan as mp


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


# ------------------------------------------------------------ what autodiff keeps
def _free(model):
    del model
    keras.backend.clear_session()
    gc.collect()


def test_tensorflow_keeps_what_memory_plan_says_on_resnet50():
    """TensorFlow's traced gradient graph reads, layer by layer, exactly the
    tensors cnnbook.science.backprop_memory names, plus the loss's own."""
    model = keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3))
    try:
        traced = saved_for_backward(model)
    finally:
        _free(model)
    loss = traced.pop("loss")
    ours = bm.kept_for_backward(mp.resnet_graph(50, input_size=32))
    assert traced == ours
    assert 0 < loss <= 2 * 1000 + 8  # the cross-entropy's few values per image


def test_tensorflow_frees_pre_activation_maps_of_separate_relus():
    model = keras.Sequential(
        [
            keras.Input((10, 10, 3)),
            keras.layers.Conv2D(8, 3, name="c1"),
            keras.layers.ReLU(name="r1"),
            keras.layers.Conv2D(8, 3, name="c2"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.ReLU(name="r2"),
            keras.layers.GlobalAveragePooling2D(name="gap"),
            keras.layers.Dense(4, activation="softmax", name="out"),
        ]
    )
    try:
        traced = saved_for_backward(model)
    finally:
        _free(model)
    traced.pop("loss")
    # c1's output is read by no gradient (ReLU reads its own output); c2's is,
    # by batch norm; the input is not (the first conv's input gradient is
    # not needed, but its weight gradient reads the input: a placeholder)
    assert traced == {"r1": 512, "c2": 288, "r2": 288, "gap": 8, "out": 4}


def test_cpu_step_peaks_bad_arguments():
    with pytest.raises(ValueError, match="batch_sizes must hold two"):
        cpu_step_peaks(32, (8, 8))
    with pytest.raises(ValueError, match="input_size must be at least 32"):
        cpu_step_peaks(16)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        cpu_step_peaks(32, (8, 16), optimizer="lamb")
    with pytest.raises(ValueError, match="batch_size must be at least 2"):
        saved_for_backward(None, batch_size=1)
