"""A small experiment: deep plain networks against the same networks with shortcuts.

He et al. (2016) found that a deeper plain network reaches a *higher training*
error than a shallower one (the degradation problem), and that identity
shortcuts remove the effect. This module trains the thin networks of
:func:`cnnbook.referee.architectures.thin_net` on scikit-learn's bundled 8 x 8
digits (nothing is downloaded) by full-batch SGD with momentum.

:func:`train_full_batch` trains one Keras model. :func:`train_networks` trains
several networks from several seeds at once, in float64: the weights of every
network of one depth and every seed are stacked on a leading axis, so one batched
matrix product does a layer for all of them, and the loss it differentiates is
the sum of their losses, so each gets exactly its own gradient. Their initial
weights are those of the Keras models, and the tests check the losses against
:func:`train_full_batch`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from cnnbook.referee.architectures import thin_net
from cnnbook.runtime import keras_float64, perturb_weights, perturbed
from cnnbook.validate import positive_int

__all__ = ["digits_split", "train_full_batch", "train_networks", "train_seeds"]


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


def _momentum_step(weights, gradients, velocities, learning_rate, momentum):
    """Keras' SGD with momentum, written out: ``v = momentum * v - lr * g`` and
    ``w = w + v`` (it traces several times faster than a Keras optimizer)."""
    for weight, gradient, velocity in zip(weights, gradients, velocities, strict=True):
        velocity.assign(momentum * velocity - learning_rate * gradient)
        weight.assign_add(velocity)


def train_full_batch(
    model, x, y, steps: int = 30, learning_rate: float = 0.1, momentum: float = 0.9
) -> dict[str, list[float]]:
    """Train ``model`` on all of ``x, y`` at once for ``steps`` SGD steps.

    The update is Keras' SGD with momentum: ``v = momentum * v - lr * g`` and
    ``w = w + v`` for every trainable weight ``w`` with gradient ``g``.

    Returns the training ``loss`` (cross-entropy) and ``accuracy`` measured on
    each step's batch, before the step's update, as lists of floats.
    """
    steps = positive_int("steps", steps)
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
    velocities = [tf.Variable(tf.zeros_like(w), trainable=False) for w in weights]
    rates = {"learning_rate": learning_rate, "momentum": momentum}

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            probs = model(x, training=True)
            loss = loss_fn(y, probs)
        _momentum_step(weights, tape.gradient(loss, weights), velocities, **rates)
        hits = tf.equal(tf.argmax(probs, axis=1, output_type=tf.int32), y)
        return loss, tf.reduce_mean(tf.cast(hits, tf.float32))

    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    for _ in range(steps):
        loss, accuracy = step()
        history["loss"].append(float(loss))
        history["accuracy"].append(float(accuracy))
    return history


_BN_EPSILON = 1e-3  # Keras' BatchNormalization default
_CLIP = 1e-7  # Keras clips probabilities to [1e-7, 1 - 1e-7] in its cross-entropy


def _stacked_weights(depth: int, width: int, members):
    """Each member's initial trainable weights of ``thin_net``, in float64,
    stacked on a new leading axis: kernels (S, in, out), batch norm (S, 1, width).
    A member is ``(seed, residual, identity_init)``."""
    per_member, params = [], 0
    with keras_float64():
        for seed, residual, identity_init in members:
            keras.utils.set_random_seed(seed)
            model = thin_net(
                depth, width=width, residual=residual, identity_init=identity_init
            )
            perturb_weights(model, seed)
            per_member.append([np.asarray(w) for w in model.trainable_weights])
            params = model.count_params()
            del model
    stacked = []
    for values in zip(*per_member, strict=True):
        array = np.stack(values)
        stacked.append(array[:, None, :] if array.ndim == 2 else array)
    return [tf.Variable(a, dtype=tf.float64) for a in stacked], params


def _forward(x, weights, shortcuts):
    """Logits of every member's network, (S, N, classes), batch norm in training
    mode (each member's own batch statistics), as ``thin_net`` computes them.
    ``shortcuts`` (S, 1, 1) is 1 for a residual member, 0 for a plain one (its
    units then add exactly 0 to their output)."""
    parts = iter(weights)

    def dense_bn(t, relu=True):
        kernel, gamma, beta = next(parts), next(parts), next(parts)
        t = tf.matmul(t, kernel)
        mean, variance = tf.nn.moments(t, axes=[1], keepdims=True)
        t = (t - mean) * tf.math.rsqrt(variance + _BN_EPSILON) * gamma + beta
        return tf.nn.relu(t) if relu else t

    members = weights[0].shape[0]
    h = dense_bn(tf.broadcast_to(x, [members, *x.shape]))
    for _ in range((len(weights) - 5) // 6):
        y = dense_bn(dense_bn(h), relu=False)
        h = tf.nn.relu(h * shortcuts + y)
    kernel, bias = next(parts), next(parts)
    return tf.matmul(h, kernel) + bias


def _train_stacked(depth, width, members, x, y, steps, rates):
    """Train every member (same depth and width) in one graph; returns the
    losses and accuracies, (steps, members), and one network's parameters."""
    weights, params = _stacked_weights(depth, width, members)
    shortcuts = tf.constant(
        [[[1.0 if residual else 0.0]] for _, residual, _ in members], tf.float64
    )
    one_hot = tf.one_hot(y, 10, dtype=tf.float64)
    velocities = [tf.Variable(tf.zeros_like(w)) for w in weights]

    @tf.function
    def train():
        losses = tf.TensorArray(tf.float64, size=steps)
        hits = tf.TensorArray(tf.float64, size=steps)
        for step in tf.range(steps):
            with tf.GradientTape() as tape:
                logits = _forward(x, weights, shortcuts)
                probs = tf.clip_by_value(tf.nn.softmax(logits), _CLIP, 1 - _CLIP)
                chosen = tf.reduce_sum(probs * one_hot, axis=2)  # (members, examples)
                loss = -tf.reduce_mean(tf.math.log(chosen), axis=1)  # per member
                total = tf.reduce_sum(loss)
            _momentum_step(weights, tape.gradient(total, weights), velocities, **rates)
            right = tf.equal(tf.argmax(logits, axis=2, output_type=tf.int32), y)
            losses = losses.write(step, loss)
            hits = hits.write(step, tf.reduce_mean(tf.cast(right, tf.float64), 1))
        return losses.stack(), hits.stack()

    loss, accuracy = train()
    return loss.numpy(), accuracy.numpy(), params


def train_networks(
    networks: dict,
    seeds=(0, 1, 2, 3),
    steps: int = 300,
    width: int = 16,
    examples: int = 256,
    learning_rate: float = 0.1,
    momentum: float = 0.9,
) -> dict:
    """Train each of ``networks`` from every seed, in float64, on the first
    ``examples`` training digits, by full-batch SGD with momentum (as
    :func:`train_full_batch`).

    ``networks`` maps a name to ``(depth, residual)`` or ``(depth, residual,
    identity_init)`` (see :func:`~cnnbook.referee.architectures.thin_net`);
    networks of the same depth train together, in one graph. Returns, for each
    name, ``loss`` and ``accuracy``, arrays of shape (steps, seeds) measured on
    each step's batch before its update, and ``params``, one network's parameters.
    """
    steps, examples = positive_int("steps", steps), positive_int("examples", examples)
    seeds = list(seeds)
    if not seeds or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds
    ):
        raise ValueError(f"seeds must be non-negative integers, got {seeds!r}")
    for arg, value in (("learning_rate", learning_rate), ("momentum", momentum)):
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{arg} must be a non-negative number, got {value!r}")
    specs = {}
    for name, spec in dict(networks).items():
        if not isinstance(spec, tuple) or len(spec) not in (2, 3):
            raise ValueError(
                "networks must map names to (depth, residual) or (depth, residual, "
                f"identity_init), got {name!r}: {spec!r}"
            )
        specs[name] = (*spec, False)[:3]
    if not specs:
        raise ValueError("networks must name at least one network")
    x_train, y_train, _, _ = digits_split()
    if examples > len(x_train):
        raise ValueError(
            f"examples must be at most {len(x_train)} (the training digits), "
            f"got {examples}"
        )
    x = tf.constant(perturbed(x_train[:examples].astype("float64")))
    y = tf.constant(y_train[:examples])
    rates = {"learning_rate": learning_rate, "momentum": momentum}
    results = {}
    for depth in dict.fromkeys(spec[0] for spec in specs.values()):
        names = [name for name, spec in specs.items() if spec[0] == depth]
        members = [(seed, *specs[name][1:]) for name in names for seed in seeds]
        loss, accuracy, params = _train_stacked(
            depth, width, members, x, y, steps, rates
        )
        for number, name in enumerate(names):
            columns = slice(number * len(seeds), (number + 1) * len(seeds))
            results[name] = {
                "loss": loss[:, columns],
                "accuracy": accuracy[:, columns],
                "params": params,
            }
    return {name: results[name] for name in specs}


def train_seeds(
    depth: int,
    residual: bool,
    seeds=(0, 1, 2, 3),
    steps: int = 300,
    identity_init: bool = False,
    **train,
) -> dict:
    """:func:`train_networks` for one network: ``thin_net(depth, residual=residual,
    identity_init=identity_init)`` from every seed; keyword arguments ``train``
    (``width``, ``examples``, ``learning_rate``, ``momentum``) pass through."""
    network = {"network": (depth, residual, identity_init)}
    return train_networks(network, seeds, steps, **train)["network"]
