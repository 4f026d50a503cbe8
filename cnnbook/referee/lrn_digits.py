"""Does LRN help a small CNN on 8 x 8 digits, and what does it do there?

Chapter 5 trains the same small network three ways: without normalisation,
with AlexNet's LRN after each convolution's ReLU, and with that LRN's
neighbour sum removed (a constant division by ``k ** beta``, which is all LRN
does while activities stay below its crossover). Each runs over several seeds,
in float64, on scikit-learn's bundled digits, and reports test accuracy, how
far the activities reach into LRN's range (:func:`cnnbook.science.lrn.reach`)
and how alike the first layer's feature maps respond
(:func:`cnnbook.science.lrn.map_correlations`: the "LRN makes maps specialise"
claim, measured).

:func:`train_grid` trains every seed and setting of one normalisation together:
the networks are slices of one stack of weights, each with its own data, order
of examples and learning rate, and the loss is the sum of theirs, so each gets
its own gradient; one traced function serves every group of them. Keras'
``small_cnn`` stays the referee: the tests check the stacked forward pass, its
gradients and the written-out Adam against Keras network by network (they agree
to rounding; training amplifies rounding differences, as it amplifies
``make outputs-check``'s perturbation).
"""

from __future__ import annotations

import math
import numbers

import keras
import numpy as np
import tensorflow as tf

from cnnbook.referee.lrn_layer import LocalResponseNormalization
from cnnbook.referee.plain_vs_residual import digits_split
from cnnbook.runtime import keras_float64, perturbed
from cnnbook.science import lrn
from cnnbook.science.seeds import Spread
from cnnbook.validate import positive_int

__all__ = [
    "NORMS",
    "digit_images",
    "initial_weights",
    "small_cnn",
    "small_cnn_params",
    "summary",
    "train_grid",
    "train_seeds",
]

NORMS = ("none", "lrn", "constant")
"""No normalisation; AlexNet's LRN; LRN without its neighbour sum (``k ** -beta``)."""


def digit_images(pixel_max: float = 16.0):
    """The digits as ``(N, 8, 8, 1)`` float64 images with pixels from 0 to
    ``pixel_max`` (16 as scikit-learn stores them, 255 for 8-bit pixels), split
    as :func:`cnnbook.referee.plain_vs_residual.digits_split` splits them.

    Returns ``x_train, y_train, x_test, y_test``.
    """
    ok = isinstance(pixel_max, numbers.Real) and not isinstance(pixel_max, bool)
    if not ok or not math.isfinite(pixel_max) or pixel_max <= 0:
        raise ValueError(f"pixel_max must be a positive number, got {pixel_max!r}")
    x_train, y_train, x_test, y_test = digits_split()

    def images(x):
        return x.astype("float64").reshape(-1, 8, 8, 1) * float(pixel_max)

    return images(x_train), y_train, images(x_test), y_test


def small_cnn(norm: str = "lrn", maps: tuple[int, int] = (16, 32)) -> keras.Model:
    """Conv(maps[0], 3x3) + ReLU, ``norm``, 2x2 max pooling, Conv(maps[1], 3x3)
    + ReLU, ``norm``, global average pooling, softmax over 10 digits: the same
    parameters whatever ``norm`` is (one of :data:`NORMS`; 5,130 with the
    default maps), with AlexNet's constants."""
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    first, second = _maps(maps)

    def normalise(name):
        if norm == "lrn":
            return [LocalResponseNormalization(name=name)]
        if norm == "constant":
            k, beta = lrn.ALEXNET["k"], lrn.ALEXNET["beta"]
            return [keras.layers.Rescaling(k**-beta, name=name)]
        return []

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(first, 3, padding="same", activation="relu", name="conv1"),
            *normalise("norm1"),
            layers.MaxPooling2D(2),
            layers.Conv2D(second, 3, padding="same", activation="relu", name="conv2"),
            *normalise("norm2"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(10, activation="softmax"),
        ],
        name=f"digits_{norm}",
    )


def _maps(maps) -> tuple[int, int]:
    if not isinstance(maps, tuple) or len(maps) != 2:
        raise ValueError(f"maps must be a pair of positive integers, got {maps!r}")
    return positive_int("maps[0]", maps[0]), positive_int("maps[1]", maps[1])


def initial_weights(seed: int, maps: tuple[int, int] = (16, 32)) -> list[np.ndarray]:
    """``small_cnn(norm, maps).get_weights()`` after ``keras.utils.set_random_seed
    (seed)``, in float64, then :func:`~cnnbook.runtime.perturb_weights`: the
    same for every ``norm``, drawn without building the model. Keras seeds each
    layer's initializer from Python's ``random`` when the layer is made, so
    making the three initializers in the model's order gives the same numbers
    (a test checks it). Order: conv1 kernel and bias, conv2's, the dense layer's.
    """
    first, second = _maps(maps)
    keras.utils.set_random_seed(seed)
    inits = [keras.initializers.get("glorot_uniform") for _ in range(3)]
    shapes = [(3, 3, 1, first), (3, 3, first, second), (second, 10)]
    weights = []
    for init, shape in zip(inits, shapes, strict=True):
        weights += [np.asarray(init(shape, dtype="float64")), np.zeros(shape[-1])]
    return [perturbed(w, seed + i) for i, w in enumerate(weights)]


def _patches(images):
    """(N, H, W, C) to the inputs of a 3x3 SAME convolution at every position,
    (N, H, W, 9C), ordered as a Keras kernel's (row, column, channel)."""
    return tf.image.extract_patches(images, [1, 3, 3, 1], [1] * 4, [1] * 4, "SAME")


def _normalise(a, norm: str, band):
    """What ``norm`` does to ReLU outputs ``a`` (..., C), as ``small_cnn``'s
    layers do: nothing, a rescaling by ``k ** -beta``, or LRN (written as
    :meth:`~cnnbook.referee.lrn_layer.LocalResponseNormalization.call_with_ops`)."""
    k, alpha, beta = lrn.ALEXNET["k"], lrn.ALEXNET["alpha"], lrn.ALEXNET["beta"]
    if norm == "constant":  # Keras' Rescaling holds its scale in float32
        return a * float(np.float32(k**-beta))
    if norm == "lrn":
        return a * tf.exp(-beta * tf.math.log(k + alpha * tf.matmul(a * a, band)))
    return a


def _network(x, weights, norm, bands):
    """``small_cnn`` for every member at once: x (S, N, 8, 8, 1), kernels
    stacked on the leading axis. Returns the logits (S, N, 10) and both
    convolutions' ReLU outputs (before ``norm``), (S, N, positions, maps)."""
    k1, b1, k2, b2, k3, b3 = weights
    members, count = tf.shape(x)[0], tf.shape(x)[1]
    flat = tf.reshape(x, [-1, 8, 8, 1])
    a1 = tf.nn.relu(tf.matmul(tf.reshape(_patches(flat), [members, -1, 9]), k1) + b1)
    h = tf.reshape(_normalise(a1, norm, bands[0]), [-1, 8, 8, k1.shape[-1]])
    h = _patches(tf.nn.max_pool2d(h, 2, 2, "VALID"))
    h = tf.reshape(h, [members, -1, k2.shape[1]])
    a2 = tf.nn.relu(tf.matmul(h, k2) + b2)
    h = tf.reshape(_normalise(a2, norm, bands[1]), [members, count, 16, k2.shape[-1]])
    logits = tf.matmul(tf.reduce_mean(h, axis=2), k3) + b3
    return logits, (
        tf.reshape(a1, [members, count, 64, -1]),
        tf.reshape(a2, [members, count, 16, -1]),
    )


def _keras_cross_entropy(labels, logits):
    """Keras' sparse cross-entropy of a softmax output in float64, as a traced
    training step computes it: from the logits behind the softmax."""
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)


def _adam_step(weights, gradients, slots, step, rates):
    """Keras' Adam, written out (``epsilon=1e-7``), with one learning rate per
    member (``rates``, shape (S, 1, 1)): every update is elementwise, so each
    member's weights move exactly as its own optimizer would move them. Keras
    raises float32 betas to the step's power (it casts the Python floats
    through float32), so these do too."""
    beta_1, beta_2, epsilon = 0.9, 0.999, 1e-7
    step = tf.cast(step + 1, tf.float64)
    powers = [
        tf.pow(tf.constant(float(np.float32(b)), tf.float64), step)
        for b in (beta_1, beta_2)
    ]
    alpha = rates * tf.sqrt(1 - powers[1]) / (1 - powers[0])
    for weight, gradient, (m, v) in zip(weights, gradients, slots, strict=True):
        m.assign_add((gradient - m) * (1 - beta_1))
        v.assign_add((tf.square(gradient) - v) * (1 - beta_2))
        scale = tf.reshape(alpha, [-1] + [1] * (len(weight.shape) - 1))
        weight.assign_sub(m * scale / (tf.sqrt(v) + epsilon))


def _trainer(norm, members, data, y, maps, batch_size):
    """One traced training function for ``members`` networks with ``norm``;
    ``load`` gives the same variables another group's initial weights."""
    shapes = [
        (9, maps[0]),
        (1, maps[0]),
        (9 * maps[0], maps[1]),
        (1, maps[1]),
        (maps[1], 10),
        (1, 10),
    ]
    weights = [tf.Variable(tf.zeros((members, *s), tf.float64)) for s in shapes]
    slots = [
        (tf.Variable(tf.zeros_like(w)), tf.Variable(tf.zeros_like(w))) for w in weights
    ]
    bands = [
        tf.constant(
            np.abs(np.subtract.outer(np.arange(c), np.arange(c)))
            <= lrn.ALEXNET["n"] // 2,
            tf.float64,
        )
        for c in maps
    ]
    batches = -(-data.shape[1] // batch_size)

    @tf.function
    def train(order, regime, rates):  # order (S, epochs, N); regime (S,); rates
        step = 0
        for epoch in tf.range(tf.shape(order)[1]):
            for batch in tf.range(batches):
                rows = order[:, epoch, batch * batch_size : (batch + 1) * batch_size]
                pick = tf.stack(
                    [tf.broadcast_to(regime[:, None], tf.shape(rows)), rows], axis=-1
                )
                with tf.GradientTape() as tape:
                    logits, _ = _network(tf.gather_nd(data, pick), weights, norm, bands)
                    loss = tf.reduce_sum(
                        tf.reduce_mean(
                            _keras_cross_entropy(tf.gather(y, rows), logits), axis=1
                        )
                    )
                _adam_step(weights, tape.gradient(loss, weights), slots, step, rates)
                step += 1

    def load(per_member):
        for number, variable in enumerate(weights):
            values = np.stack([w[number] for w in per_member])
            variable.assign(values.reshape(variable.shape))
        for slot in (s for pair in slots for s in pair):
            slot.assign(tf.zeros_like(slot))

    return train, load, weights, bands


def _seeds(seeds) -> list[int]:
    seeds = list(seeds) if not isinstance(seeds, int | str) else [seeds]
    if not seeds or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds
    ):
        raise ValueError(f"seeds must be non-negative integers, got {seeds!r}")
    return seeds


def _settings(settings) -> dict[str, tuple[float, float]]:
    checked = {}
    for name, value in dict(settings).items():
        ok = isinstance(value, tuple) and len(value) == 2
        if ok:
            pixel_max, rate = value
            digit_images(pixel_max)  # checks pixel_max
            ok = isinstance(rate, int | float) and not isinstance(rate, bool)
            ok = ok and math.isfinite(rate) and rate > 0
        if not ok:
            raise ValueError(
                "settings must map names to (pixel_max, learning_rate) with a "
                f"positive learning_rate, got {name!r}: {value!r}"
            )
        checked[name] = (float(value[0]), float(value[1]))
    if not checked:
        raise ValueError("settings must name at least one setting")
    return checked


def _measure(weights, norm, bands, x_tests, y_test):
    """Test accuracy, reach and map correlations of each member, one at a time
    (a whole group's test activations at once would cost a hundred MB)."""
    found = []
    for member, x_test in enumerate(x_tests):
        own = [w[member : member + 1] for w in weights]
        logits, (conv1, conv2) = _network(x_test[None], own, norm, bands)
        right = np.asarray(logits[0]).argmax(axis=-1) == y_test
        a1, a2 = np.asarray(conv1[0]), np.asarray(conv2[0])
        found.append(
            {
                "accuracy": float(right.mean()),
                "reach": float(max(lrn.reach(a1).max(), lrn.reach(a2).max())),
                "correlations": lrn.map_correlations(a1),
            }
        )
    return found


def train_grid(
    norms=NORMS,
    seeds=(0, 1, 2, 3),
    settings=None,
    epochs: int = 8,
    batch_size: int = 100,
    maps: tuple[int, int] = (16, 32),
    group: int = 20,
) -> dict[tuple[str, str], list[dict]]:
    """Train :func:`small_cnn` for every norm, setting and seed, in float64 with
    Adam, as :func:`train_seeds` does for one norm and one setting.

    ``settings`` maps a name to ``(pixel_max, learning_rate)`` (default
    ``{"px16": (16.0, 0.01)}``). The networks of one norm, every setting and
    seed, train together, ``group`` at a time, through one traced function:
    each is a slice of stacked weights with its own data, order of examples and
    learning rate, and the loss is the sum of theirs, so each gets exactly its
    own gradient (a test checks them against Keras). Returns
    ``{(setting, norm): [one dict per seed]}`` (see :func:`train_seeds`).
    """
    if isinstance(norms, str) or not norms or any(n not in NORMS for n in norms):
        raise ValueError(f"norm must be one of {NORMS}, got {norms!r}")
    seeds, maps = _seeds(seeds), _maps(maps)
    settings = _settings({"px16": (16.0, 0.01)} if settings is None else settings)
    epochs, batch_size = (
        positive_int("epochs", epochs),
        positive_int("batch_size", batch_size),
    )
    group = positive_int("group", group)
    names = list(settings)
    train_sets, tests = [], []
    for pixel_max, _ in settings.values():
        x_train, y_train, x_test, y_test = digit_images(pixel_max)
        train_sets.append(perturbed(x_train))  # make outputs-check moves the last bits
        tests.append(x_test)
    data, y = tf.constant(np.stack(train_sets)), tf.constant(y_train)
    members = [(name, seed) for name in names for seed in seeds]
    orders = {
        seed: np.stack(
            [
                np.random.default_rng(seed).permutation(len(y_train))
                for _ in range(epochs)
            ]
        )
        for seed in seeds
    }
    rounds = -(-len(members) // group)
    size = -(-len(members) // rounds)  # groups as even as possible
    results: dict[tuple[str, str], list[dict]] = {}
    with keras_float64():
        for norm in norms:
            train = None
            for first in range(0, len(members), size):
                chosen = members[first : first + size]
                padded = chosen + [chosen[0]] * (size - len(chosen))  # no retrace
                if train is None:
                    train, load, weights, bands = _trainer(
                        norm, size, data, y, maps, batch_size
                    )
                load([initial_weights(seed, maps) for _, seed in padded])
                regime = [names.index(name) for name, _ in padded]
                rates = [[[settings[name][1]]] for name, _ in padded]
                train(
                    tf.constant(np.stack([orders[seed] for _, seed in padded])),
                    tf.constant(regime, tf.int64),
                    tf.constant(rates, tf.float64),
                )
                x_tests = [tests[r] for r in regime[: len(chosen)]]
                found = _measure(weights, norm, bands, x_tests, y_test)
                for (name, seed), result in zip(chosen, found, strict=True):
                    result.update(seed=seed, params=small_cnn_params(maps))
                    results.setdefault((name, norm), []).append(result)
    return results


def small_cnn_params(maps: tuple[int, int] = (16, 32)) -> int:
    """``small_cnn(norm, maps).count_params()``, by arithmetic (LRN adds none)."""
    first, second = _maps(maps)
    return (9 * first + first) + (9 * first * second + second) + (10 * second + 10)


def train_seeds(
    norm: str,
    seeds=(0, 1, 2, 3),
    pixel_max: float = 16.0,
    epochs: int = 8,
    batch_size: int = 100,
    learning_rate: float = 0.01,
    maps: tuple[int, int] = (16, 32),
) -> list[dict]:
    """Train :func:`small_cnn` (``norm``) once per seed in float64, with Adam, on
    the training digits scaled to 0 to ``pixel_max``, ``epochs`` passes in
    batches of ``batch_size`` in an order drawn from the seed.

    Returns one dict per seed: ``seed``, ``params``, test ``accuracy`` (a
    fraction), ``reach`` (the largest :func:`cnnbook.science.lrn.reach` of
    either convolution's ReLU output over the test images, what LRN sees or
    would see with AlexNet's constants) and ``correlations``
    (:func:`cnnbook.science.lrn.map_correlations` of the first convolution's
    ReLU output on the test images).
    """
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    if not isinstance(learning_rate, int | float) or not learning_rate > 0:
        raise ValueError(
            f"learning_rate must be a positive number, got {learning_rate!r}"
        )
    found = train_grid(
        (norm,), seeds, {"run": (pixel_max, learning_rate)}, epochs, batch_size, maps
    )
    return found[("run", norm)]


def summary(results: list[dict]) -> dict:
    """What :func:`train_seeds` found over its seeds: the
    :class:`~cnnbook.science.seeds.Spread` of the test ``accuracy`` (in %) and of the
    mean absolute correlation of ``neighbours`` and ``others`` (maps further
    apart), the largest ``reach``
    and the number of ``dead`` maps, summed over the seeds."""
    if not results:
        raise ValueError("results must hold at least one seed's result")
    correlations = [r["correlations"] for r in results]
    return {
        "accuracy": Spread.of([100 * r["accuracy"] for r in results]),
        "reach": max(r["reach"] for r in results),
        "neighbours": Spread.of([c["neighbours"] for c in correlations]),
        "others": Spread.of([c["others"] for c in correlations]),
        "dead": sum(c["dead"] for c in correlations),
    }
