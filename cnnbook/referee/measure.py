"""Measured memory of a real training step, to set against the memory plans.

The plans of :mod:`cnnbook.science.memory_plan` add up what a step must keep;
this module asks TensorFlow what it keeps and what it allocated:

* :func:`saved_for_backward` traces one training step's graph and lists the
  forward tensors its gradient operations read: what autodiff must keep,
  deterministic (the same on every machine for one TensorFlow and Keras);
* :func:`cpu_step_peaks` runs training steps on the CPU at several batch sizes
  in a fresh process whose allocator keeps statistics, and returns the peak
  bytes above what was resident before each step: a measurement, which
  differs between machines and runs, so keep it out of stored outputs;
* :func:`measure_peak_bytes` does the same on a GPU, when there is one.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import tensorflow as tf

from cnnbook import calc
from cnnbook.validate import positive_int

__all__ = ["cpu_step_peaks", "measure_peak_bytes", "saved_for_backward"]


def _optimizer_name(optimizer: object) -> str:
    if not isinstance(optimizer, str) or optimizer not in calc.OPTIMIZER_SLOTS:
        raise ValueError(
            f"optimizer must be one of {sorted(calc.OPTIMIZER_SLOTS)}, "
            f"got {optimizer!r}"
        )
    return optimizer


def measure_peak_bytes(model, batch_size: int, optimizer: str = "adam"):
    """Peak GPU memory of one training step of ``model`` on random data, in bytes,
    from ``tf.config.experimental.get_memory_info``; None when there is no GPU
    (nothing is run then)."""
    batch_size = positive_int("batch_size", batch_size)
    _optimizer_name(optimizer)

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


# ------------------------------------------------------------ what autodiff keeps
def _gradient_graph(model, batch_size: int):
    import keras

    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    shape = (batch_size, *model.inputs[0].shape[1:])

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        return [loss, *tape.gradient(loss, model.trainable_variables)]

    concrete = step.get_concrete_function(
        tf.TensorSpec(shape, tf.float32), tf.TensorSpec((batch_size,), tf.int32)
    )
    return concrete.graph, concrete.outputs[0]


def _scope(op_name: str, layers: set[str]) -> str:
    """The Keras layer an operation belongs to, or "loss" for the loss's."""
    for part in op_name.split("/"):
        base = re.sub(r"_\d+$", "", part)
        for name in (part, base):
            if name in layers:
                return name
    return "loss"


def saved_for_backward(model, batch_size: int = 2) -> dict[str, int]:
    """Values per instance that one training step's gradient reads from its
    forward pass, by the Keras layer that computed them ("loss" for the
    loss's own tensors).

    The step is traced, not run: the forward operations are those the loss
    depends on; every tensor with a batch axis that a gradient operation
    reads from them must be kept until the backward pass has used it. The
    model must output class probabilities (sparse categorical cross-entropy).
    """
    batch_size = positive_int("batch_size", batch_size)
    if batch_size < 2:
        raise ValueError(f"batch_size must be at least 2, got {batch_size}")
    graph, loss = _gradient_graph(model, batch_size)
    forward, stack = set(), [loss.op]
    while stack:
        op = stack.pop()
        if op.name not in forward:
            forward.add(op.name)
            stack += [t.op for t in op.inputs] + list(op.control_inputs)
    read: dict[str, tf.Tensor] = {}
    for op in graph.get_operations():
        if op.name in forward:
            continue
        for tensor in op.inputs:
            shape = tensor.shape
            if (
                tensor.op.name in forward
                and shape.rank
                and shape[0] == batch_size
                and tensor.op.type != "Placeholder"
            ):
                read[tensor.name] = tensor
    layers = {layer.name for layer in model.layers}
    kept: dict[str, int] = {}
    for name, tensor in read.items():
        scope = _scope(name, layers)
        kept[scope] = kept.get(scope, 0) + math.prod(tensor.shape[1:])
    return kept


# ------------------------------------------------------------- measured on a CPU
_CHILD = "from cnnbook.referee.measure import _cpu_child; _cpu_child()"


def cpu_step_peaks(
    input_size: int = 32,
    batch_sizes=(8, 16, 32, 64),
    optimizer: str = "adam",
    timeout: float = 900,
) -> dict[int, int]:
    """Peak bytes TensorFlow's CPU allocator held above what was resident,
    during one training step of ``keras.applications.ResNet50`` on
    ``input_size`` x ``input_size`` images, for each batch size.

    Runs in a fresh Python process, because the allocator that keeps
    statistics on a CPU (``TF_CPU_ALLOCATOR_USE_BFC=true``) must be chosen
    before TensorFlow is imported; one inter-op thread, so operations run one
    at a time. Each batch size is run once to warm up, then measured.
    """
    input_size = positive_int("input_size", input_size)
    if input_size < 32:
        raise ValueError(f"input_size must be at least 32, got {input_size}")
    sizes = [positive_int("batch_sizes[]", b) for b in batch_sizes]
    if len(set(sizes)) < 2:
        raise ValueError(f"batch_sizes must hold two different sizes, got {sizes}")
    request = {"input_size": input_size, "batch_sizes": sizes}
    request["optimizer"] = _optimizer_name(optimizer)
    env = {
        **os.environ,
        "TF_CPU_ALLOCATOR_USE_BFC": "true",
        "TF_CPP_MIN_LOG_LEVEL": "3",
    }
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{done.stderr[-2000:]}")
    peaks = json.loads(done.stdout.strip().splitlines()[-1])
    return {int(b): int(p) for b, p in peaks.items()}


def _cpu_child() -> None:
    """The measuring process of :func:`cpu_step_peaks` (request on stdin)."""
    import keras

    request = json.loads(sys.stdin.read())
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(0)
    size = request["input_size"]
    model = keras.applications.ResNet50(weights=None, input_shape=(size, size, 3))
    optimizer = keras.optimizers.get(request["optimizer"])
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    spec = tf.TensorSpec((None, size, size, 3), tf.float32)

    @tf.function(input_signature=[spec, tf.TensorSpec((None,), tf.int32)])
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    peaks = {}
    for batch in request["batch_sizes"]:
        x = tf.constant(np.random.default_rng(0).random((batch, size, size, 3), "f4"))
        y = tf.zeros((batch,), tf.int32)
        step(x, y)  # warm up: optimizer slots, kernels
        resident = tf.config.experimental.get_memory_info("CPU:0")["current"]
        tf.config.experimental.reset_memory_stats("CPU:0")
        step(x, y)
        peaks[batch] = (
            tf.config.experimental.get_memory_info("CPU:0")["peak"] - resident
        )
    print(json.dumps(peaks))
