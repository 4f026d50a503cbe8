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

The training loop is traced once per network and reused for every seed (new
initial weights, optimizer state reset, a new shuffle), so several seeds cost
little more than one.
"""

from __future__ import annotations

import math
import numbers

import keras
import numpy as np
import tensorflow as tf

from cnnbook.referee.lrn_layer import LocalResponseNormalization
from cnnbook.referee.plain_vs_residual import digits_split
from cnnbook.runtime import keras_float64, perturb_weights, perturbed
from cnnbook.science import lrn
from cnnbook.science.seeds import Spread
from cnnbook.validate import positive_int

__all__ = ["NORMS", "digit_images", "small_cnn", "summary", "train_seeds"]

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


def small_cnn(norm: str = "lrn") -> keras.Model:
    """Conv(16, 3x3) + ReLU, ``norm``, 2x2 max pooling, Conv(32, 3x3) + ReLU,
    ``norm``, global average pooling, softmax over 10 digits: 5,130 parameters
    whatever ``norm`` is (one of :data:`NORMS`), with AlexNet's constants."""
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")

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
            layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1"),
            *normalise("norm1"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2"),
            *normalise("norm2"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(10, activation="softmax"),
        ],
        name=f"digits_{norm}",
    )


def _trainer(model, x, y, batch_size: int, learning_rate: float):
    """One traced function that trains ``model`` with Adam over a given order
    of examples (epochs x examples), and a function that resets Adam."""
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    x, y = tf.constant(x), tf.constant(y)
    batches = -(-len(x) // batch_size)

    @tf.function
    def train(order):
        for epoch in tf.range(tf.shape(order)[0]):
            for batch in tf.range(batches):
                rows = order[epoch, batch * batch_size : (batch + 1) * batch_size]
                with tf.GradientTape() as tape:
                    probs = model(tf.gather(x, rows), training=True)
                    loss = loss_fn(tf.gather(y, rows), probs)
                grads = tape.gradient(loss, model.trainable_variables)
                pairs = zip(grads, model.trainable_variables, strict=True)
                optimizer.apply_gradients(pairs)

    def reset():
        for variable in optimizer.variables:
            if "learning_rate" not in variable.path:
                variable.assign(tf.zeros_like(variable))

    return train, reset


def train_seeds(
    norm: str,
    seeds=(0, 1, 2, 3),
    pixel_max: float = 16.0,
    epochs: int = 8,
    batch_size: int = 100,
    learning_rate: float = 0.01,
) -> list[dict]:
    """Train :func:`small_cnn` (``norm``) once per seed in float64, with Adam.

    Returns one dict per seed: ``seed``, ``params``, test ``accuracy`` (a
    fraction), ``reach`` (the largest :func:`cnnbook.science.lrn.reach` of
    either convolution's ReLU output over the test images, what LRN sees or
    would see with AlexNet's constants) and ``correlations``
    (:func:`cnnbook.science.lrn.map_correlations` of the first convolution's
    ReLU output on the test images).
    """
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    seeds = list(seeds) if not isinstance(seeds, int | str) else [seeds]
    if not seeds or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds
    ):
        raise ValueError(f"seeds must be non-negative integers, got {seeds!r}")
    epochs, batch_size = (
        positive_int("epochs", epochs),
        positive_int("batch_size", batch_size),
    )
    if not isinstance(learning_rate, int | float) or not learning_rate > 0:
        raise ValueError(
            f"learning_rate must be a positive number, got {learning_rate!r}"
        )
    x_train, y_train, x_test, y_test = digit_images(pixel_max)
    x_train = perturbed(x_train)  # make outputs-check moves the last bits
    results = []
    with keras_float64():
        model = small_cnn(norm)
        train, reset = _trainer(model, x_train, y_train, batch_size, learning_rate)
        probe = keras.Model(
            model.inputs[0], [model.get_layer(n).output for n in ("conv1", "conv2")]
        )
        for seed in seeds:
            keras.utils.set_random_seed(seed)
            model.set_weights(small_cnn(norm).get_weights())
            perturb_weights(model, seed)
            reset()
            shuffle = np.random.default_rng(seed)
            order = np.stack([shuffle.permutation(len(x_train)) for _ in range(epochs)])
            train(tf.constant(order))
            probs = np.asarray(model(x_test))
            conv1, conv2 = (np.asarray(a) for a in probe(x_test))
            results.append(
                {
                    "seed": seed,
                    "params": model.count_params(),
                    "accuracy": float(np.mean(probs.argmax(axis=1) == y_test)),
                    "reach": float(max(lrn.reach(conv1).max(), lrn.reach(conv2).max())),
                    "correlations": lrn.map_correlations(conv1),
                }
            )
    return results


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
