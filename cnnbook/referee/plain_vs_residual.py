"""A small experiment: deep plain networks against the same networks with shortcuts.

He et al. (2016) found that a deeper plain network reaches a *higher training*
error than a shallower one (the degradation problem), and that identity
shortcuts remove the effect. This module trains the thin networks of
:func:`cnnbook.referee.architectures.thin_net` on scikit-learn's bundled 8 x 8
digits (nothing is downloaded) by full-batch SGD with momentum.

:func:`train_full_batch` trains one Keras model. :func:`train_networks` trains
several networks from several seeds at once, in float64: the weights of every
network of one depth and every seed are stacked on a leading axis, so one batched
matrix product does a layer for all of them, and the loss is the sum of theirs,
so each gets exactly its own gradient. The initial weights are the Keras models'
(:func:`initial_weights` draws them without building the models); the units run
in a loop whose gradients are written out, so the traced graph holds one unit
whatever the depth, and one traced function trains every group of members of one
depth. The tests check the losses against :func:`train_full_batch`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from cnnbook.referee.architectures import thin_net_kind
from cnnbook.runtime import keras_float64, perturbed
from cnnbook.validate import is_int, is_real, positive_int

__all__ = [
    "digits_split",
    "initial_weights",
    "thin_net_params",
    "train_full_batch",
    "train_networks",
    "train_seeds",
]


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


def thin_net_params(depth: int, width: int, input_dim: int = 64, classes: int = 10):
    """``thin_net(depth, width=width).count_params()``, by arithmetic: the Dense
    kernels, 4 numbers per batch-norm channel and the output layer's biases."""
    blocks = depth - 1  # the stem and two Dense layers per unit, each with batch norm
    kernels = input_dim * width + (blocks - 1) * width * width + width * classes
    return kernels + 4 * width * blocks + classes


def initial_weights(
    depth: int,
    width: int,
    seed: int,
    identity_init: bool = False,
    kernel_initializer: str = "glorot_uniform",
) -> list[np.ndarray]:
    """The trainable weights ``thin_net`` starts from after
    ``keras.utils.set_random_seed(seed)`` in float64 (then
    :func:`~cnnbook.runtime.perturb_weights`), without building the model.

    Keras draws each Dense kernel from an initializer whose seed comes from
    Python's ``random`` when the layer is made, so making the initializers in
    the order ``thin_net`` makes its layers gives the same numbers (a test
    checks it). Order: each block's kernel, gamma, beta, then the output
    kernel and bias.
    """
    keras.utils.set_random_seed(seed)
    inits = [keras.initializers.get(kernel_initializer) for _ in range(depth)]
    shapes = [(64, width)] + [(width, width)] * (depth - 2) + [(width, 10)]
    kernels = [
        np.asarray(init(shape, dtype="float64"))
        for init, shape in zip(inits, shapes, strict=True)
    ]
    weights, index = [], 0  # index: the weight's place in model.get_weights()
    for block, kernel in enumerate(kernels[:-1]):
        last_of_unit = block > 0 and block % 2 == 0
        gamma = np.full(width, 0.0 if identity_init and last_of_unit else 1.0)
        for value in (kernel, gamma, np.zeros(width)):
            weights.append(perturbed(value, seed + index))
            index += 1
        index += 2  # batch norm's moving mean and variance
    for value in (kernels[-1], np.zeros(10)):
        weights.append(perturbed(value, seed + index))
        index += 1
    return weights


def _stack(per_member: list[list[np.ndarray]], units: int) -> list[np.ndarray]:
    """Members' weights stacked for :func:`_trainer`: the stem's kernel (S, W, in),
    gamma and beta (S, W, 1); the units' six weights each stacked on a leading
    unit axis, (U, S, ...); the output kernel (S, 10, W) and bias (S, 10, 1).
    Kernels are transposed: the trainer computes ``kernel @ h`` on (S, W, N)."""

    def stacked(values):
        array = np.stack(values)
        return np.swapaxes(array, -1, -2) if array.ndim == 3 else array[..., None]

    columns = [stacked(values) for values in zip(*per_member, strict=True)]
    unit_parts = [np.stack(columns[3 + part :: 6][:units]) for part in range(6)]
    return [*columns[:3], *unit_parts, *columns[-2:]]


def _batch_norm(t, gamma, beta):
    """Batch norm in training mode over the examples (last axis): the output,
    and the normalised values and inverse deviation its gradient needs."""
    centred = t - tf.reduce_mean(t, -1, keepdims=True)
    inverse = tf.math.rsqrt(
        tf.reduce_mean(centred * centred, -1, keepdims=True) + _BN_EPSILON
    )
    normal = centred * inverse
    return normal * gamma + beta, normal, inverse


def _batch_norm_gradient(upstream, normal, inverse, gamma):
    """Gradients of :func:`_batch_norm` for its input, gamma and beta."""
    d_normal = upstream * gamma
    d_input = inverse * (
        d_normal
        - tf.reduce_mean(d_normal, -1, keepdims=True)
        - normal * tf.reduce_mean(d_normal * normal, -1, keepdims=True)
    )
    return (
        d_input,
        tf.reduce_sum(upstream * normal, -1, keepdims=True),
        tf.reduce_sum(upstream, -1, keepdims=True),
    )


def _trainer(arrays, x, y, steps, rates):
    """Variables for one group of members and one traced training function;
    ``load`` puts another group's initial weights in the same variables, so
    every group of the same size and depth reuses the traced function.

    The units run in a loop (the graph holds one unit, whatever the depth) and
    their gradients are written out, unit by unit in reverse, from what the
    forward loop kept: automatic differentiation of the loop would trace and
    keep far more. Only the softmax and loss go through ``tf.GradientTape``.
    """
    weights = [tf.Variable(a, dtype=tf.float64) for a in arrays[:-1]]
    shortcuts = tf.Variable(arrays[-1], dtype=tf.float64)
    velocities = [tf.Variable(tf.zeros_like(w)) for w in weights]
    one_hot = tf.transpose(tf.one_hot(y, 10, dtype=tf.float64))  # (classes, N)
    x = tf.transpose(x)  # (features, N)
    units = weights[3].shape[0]

    def forward_and_gradients():
        stem_k, stem_g, stem_b, k1, g1, b1, k2, g2, b2, out_k, out_b = weights
        inputs = tf.broadcast_to(x, [stem_k.shape[0], *x.shape])
        t, stem_normal, stem_inverse = _batch_norm(
            tf.matmul(stem_k, inputs), stem_g, stem_b
        )
        h = tf.nn.relu(t)

        def unit_forward(u, h, hs, kept):
            a, normal1, inverse1 = _batch_norm(tf.matmul(k1[u], h), g1[u], b1[u])
            a = tf.nn.relu(a)
            z, normal2, inverse2 = _batch_norm(tf.matmul(k2[u], a), g2[u], b2[u])
            h = tf.nn.relu(h * shortcuts + z)
            values = (a, normal1, inverse1, normal2, inverse2)
            kept = tuple(k.write(u, v) for k, v in zip(kept, values, strict=True))
            return u + 1, h, hs.write(u + 1, h), kept

        arrays = tuple(tf.TensorArray(tf.float64, size=units) for _ in range(5))
        hs = tf.TensorArray(tf.float64, size=units + 1).write(0, h)
        _, h, hs, kept = tf.while_loop(
            lambda u, *_: u < units, unit_forward, (tf.constant(0), h, hs, arrays)
        )
        with tf.GradientTape() as tape:
            tape.watch(h)
            logits = tf.matmul(out_k, h) + out_b
            # Keras' cross-entropy of a softmax output, in a traced step, is
            # computed from the logits (it finds them behind the softmax)
            chosen = tf.reduce_sum(tf.nn.log_softmax(logits, 1) * one_hot, axis=1)
            loss = -tf.reduce_mean(chosen, axis=1)  # per member
            total = tf.reduce_sum(loss)  # each member's gradient is its own loss's
        d_h, d_out_k, d_out_b = tape.gradient(total, [h, out_k, out_b])

        def unit_backward(u, d_h, grads):
            a, normal1, inverse1, normal2, inverse2 = (k.read(u) for k in kept)
            d_z = tf.where(hs.read(u + 1) > 0, d_h, tf.zeros_like(d_h))
            d_t2, d_g2, d_b2 = _batch_norm_gradient(d_z, normal2, inverse2, g2[u])
            d_a = tf.matmul(k2[u], d_t2, transpose_a=True)
            d_a = tf.where(a > 0, d_a, tf.zeros_like(d_a))
            d_t1, d_g1, d_b1 = _batch_norm_gradient(d_a, normal1, inverse1, g1[u])
            d_h = d_z * shortcuts + tf.matmul(k1[u], d_t1, transpose_a=True)
            parts = (
                tf.matmul(d_t1, hs.read(u), transpose_b=True),
                d_g1,
                d_b1,
                tf.matmul(d_t2, a, transpose_b=True),
                d_g2,
                d_b2,
            )
            grads = tuple(g.write(u, v) for g, v in zip(grads, parts, strict=True))
            return u - 1, d_h, grads

        arrays = tuple(tf.TensorArray(tf.float64, size=units) for _ in range(6))
        _, d_h, grads = tf.while_loop(
            lambda u, *_: u >= 0, unit_backward, (tf.constant(units - 1), d_h, arrays)
        )
        d_h = tf.where(hs.read(0) > 0, d_h, tf.zeros_like(d_h))
        d_t, d_stem_g, d_stem_b = _batch_norm_gradient(
            d_h, stem_normal, stem_inverse, stem_g
        )
        d_stem_k = tf.matmul(d_t, inputs, transpose_b=True)
        gradients = [
            d_stem_k,
            d_stem_g,
            d_stem_b,
            *(g.stack() for g in grads),
            d_out_k,
            d_out_b,
        ]
        return loss, logits, gradients

    @tf.function
    def train():
        losses = tf.TensorArray(tf.float64, size=steps)
        hits = tf.TensorArray(tf.float64, size=steps)
        for step in tf.range(steps):
            loss, logits, gradients = forward_and_gradients()
            _momentum_step(weights, gradients, velocities, **rates)
            right = tf.equal(tf.argmax(logits, axis=1, output_type=tf.int32), y)
            losses = losses.write(step, loss)
            hits = hits.write(step, tf.reduce_mean(tf.cast(right, tf.float64), 1))
        return losses.stack(), hits.stack()

    def load(new):
        for variable, value in zip([*weights, shortcuts], new, strict=True):
            variable.assign(value)
        for velocity in velocities:
            velocity.assign(tf.zeros_like(velocity))

    return train, load


def _train_depth(depth, width, members, x, y, steps, rates, group):
    """Train every member (same depth and width), ``group`` at a time through
    one traced function; returns the losses and accuracies, (steps, members).
    A member is ``(seed, residual, identity_init, kernel_initializer)``."""
    rounds = -(-len(members) // group)
    size = -(-len(members) // rounds)  # groups as even as possible
    train, load, losses, hits = None, None, [], []
    for first in range(0, len(members), size):
        chosen = members[first : first + size]
        padded = chosen + [chosen[0]] * (size - len(chosen))  # same shapes: no retrace
        per_member = [
            initial_weights(depth, width, seed, identity, init)
            for seed, _, identity, init in padded
        ]
        arrays = _stack(per_member, (depth - 2) // 2)
        arrays.append(np.array([[[float(m[1])]] for m in padded]))  # shortcuts
        if train is None:
            train, load = _trainer(arrays, x, y, steps, rates)
        else:
            load(arrays)
        loss, accuracy = train()
        losses.append(loss.numpy()[:, : len(chosen)])
        hits.append(accuracy.numpy()[:, : len(chosen)])
    return np.concatenate(losses, axis=1), np.concatenate(hits, axis=1)


def _spec(name, spec) -> tuple[int, bool, bool]:
    """``(depth, residual, identity_init)`` checked as ``thin_net`` checks them."""
    if not isinstance(spec, tuple) or len(spec) not in (2, 3):
        raise ValueError(
            "networks must map names to (depth, residual) or (depth, residual, "
            f"identity_init), got {name!r}: {spec!r}"
        )
    return thin_net_kind(*(*spec, False)[:3])


def train_networks(
    networks: dict,
    seeds=(0, 1, 2, 3),
    steps: int = 300,
    width: int = 16,
    examples: int = 256,
    learning_rate: float = 0.1,
    momentum: float = 0.9,
    kernel_initializer: str = "glorot_uniform",
    group: int = 12,
) -> dict:
    """Train each of ``networks`` from every seed, in float64, on the first
    ``examples`` training digits, by full-batch SGD with momentum (as
    :func:`train_full_batch`).

    ``networks`` maps a name to ``(depth, residual)`` or ``(depth, residual,
    identity_init)`` (see :func:`~cnnbook.referee.architectures.thin_net`;
    ``kernel_initializer`` applies to all). The networks of one depth train
    together, ``group`` members (network and seed) at a time through one traced
    function: more members per group is not faster, only larger. Returns, for
    each name, ``loss`` and ``accuracy``, arrays of shape (steps, seeds)
    measured on each step's batch before its update, and ``params``, one
    network's parameters.
    """
    steps, examples = positive_int("steps", steps), positive_int("examples", examples)
    width, group = positive_int("width", width), positive_int("group", group)
    seeds = list(seeds)
    if not seeds or not all(is_int(s) and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be non-negative integers, got {seeds!r}")
    for arg, value in (("learning_rate", learning_rate), ("momentum", momentum)):
        if not is_real(value) or value < 0:
            raise ValueError(f"{arg} must be a non-negative number, got {value!r}")
    if kernel_initializer not in ("glorot_uniform", "he_normal"):
        raise ValueError(
            "kernel_initializer must be one of glorot_uniform, he_normal, "
            f"got {kernel_initializer!r}"
        )
    specs = {name: _spec(name, spec) for name, spec in dict(networks).items()}
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
    with keras_float64():
        for depth in dict.fromkeys(spec[0] for spec in specs.values()):
            names = [name for name, spec in specs.items() if spec[0] == depth]
            members = [
                (seed, *specs[name][1:], kernel_initializer)
                for name in names
                for seed in seeds
            ]
            loss, accuracy = _train_depth(
                depth, width, members, x, y, steps, rates, group
            )
            for number, name in enumerate(names):
                columns = slice(number * len(seeds), (number + 1) * len(seeds))
                results[name] = {
                    "loss": loss[:, columns],
                    "accuracy": accuracy[:, columns],
                    "params": thin_net_params(depth, width),
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
    (``width``, ``examples``, ``learning_rate``, ``momentum``,
    ``kernel_initializer``, ``group``) pass through."""
    network = {"network": (depth, residual, identity_init)}
    return train_networks(network, seeds, steps, **train)["network"]
