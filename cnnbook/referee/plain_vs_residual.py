"""A small experiment: a deep plain network trains worse than the same residual one.

He et al. (2015) found that a deeper plain network reaches a *higher training*
error than a shallower one (the degradation problem), and that identity
shortcuts remove the effect. This module reproduces it in seconds on a CPU with
scikit-learn's bundled 8 x 8 digits (nothing is downloaded) and the thin
networks of :func:`cnnbook.referee.architectures.thin_net`.

Training is full batch with one compiled step, so the cost is one trace per
model plus a few milliseconds per step.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from cnnbook.referee.architectures import thin_net
from cnnbook.runtime import perturb_weights, perturbed

__all__ = ["digits_split", "train_full_batch", "compare"]


def digits_split(test_fraction: float = 0.2, seed: int = 0):
    """The 1,797 digits as flat 64-pixel vectors in [0, 1], shuffled and split.

    Returns ``x_train, y_train, x_test, y_test`` (float32 and int32 arrays).
    """
    from sklearn.datasets import load_digits

    if not isinstance(test_fraction, float) or not 0.0 < test_fraction < 1.0:
        raise ValueError(
            f"test_fraction must be a float between 0 and 1, got {test_fraction!r}"
        )
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    digits = load_digits()
    x = (digits.images.reshape(len(digits.images), -1) / 16.0).astype("float32")
    y = digits.target.astype("int32")
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    cut = len(x) - round(test_fraction * len(x))
    return x[:cut], y[:cut], x[cut:], y[cut:]


def train_full_batch(
    model, x, y, steps: int = 30, learning_rate: float = 0.1, momentum: float = 0.9
) -> dict[str, list[float]]:
    """Train ``model`` on all of ``x, y`` at once for ``steps`` SGD steps.

    The update is Keras' SGD with momentum: ``v = momentum * v - lr * g`` and
    ``w = w + v`` for every trainable weight ``w`` with gradient ``g``.

    Returns the training ``loss`` (cross-entropy) and ``accuracy`` measured on
    each step's batch, before the step's update, as lists of floats.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    for arg, value in (("learning_rate", learning_rate), ("momentum", momentum)):
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{arg} must be a non-negative number, got {value!r}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(
            f"x and y must hold the same number (> 0) of examples, got "
            f"{len(x)} and {len(y)}"
        )
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    x, y = tf.constant(x), tf.constant(y)
    weights = model.trainable_variables
    # SGD with momentum written out (as Keras' SGD does it): one velocity per
    # weight; it traces several times faster than a Keras optimizer.
    velocities = [tf.Variable(tf.zeros_like(w), trainable=False) for w in weights]

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            loss = loss_fn(y, probs)
        gradients = tape.gradient(loss, weights)
        for weight, gradient, velocity in zip(
            weights, gradients, velocities, strict=True
        ):
            velocity.assign(momentum * velocity - learning_rate * gradient)
            weight.assign_add(velocity)
        hits = tf.equal(tf.argmax(probs, axis=1, output_type=tf.int32), y)
        return loss, tf.reduce_mean(tf.cast(hits, tf.float32))

    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    for _ in range(steps):
        loss, accuracy = step()
        history["loss"].append(float(loss))
        history["accuracy"].append(float(accuracy))
    return history


def compare(configs, steps: int = 30, seed: int = 0, width: int = 32, **train):
    """Train one thin network per ``(depth, residual)`` in ``configs``.

    Each starts from the same seed; returns ``{(depth, residual): result}`` where
    a result holds the training history and the model's ``params``. Only the
    training error is measured: the degradation problem is about training.
    """
    x_train, y_train, _, _ = digits_split()
    x_train = perturbed(x_train)  # make outputs-check moves the last bits
    results = {}
    for depth, residual in configs:
        keras.utils.set_random_seed(seed)
        model = thin_net(depth, width=width, residual=residual)
        perturb_weights(model, seed)
        result = train_full_batch(model, x_train, y_train, steps=steps, **train)
        result["params"] = model.count_params()
        results[(depth, residual)] = result
        del model
    return results
