"""The two small models of chapter 1's shifted-digits experiment, and their training.

:func:`small_cnn` (two 3 x 3 convolutions, global max pooling) and
:func:`dense_net` (one hidden Dense layer) classify the digits of
:mod:`cnnbook.science.shifted_digits` placed on a larger canvas;
:class:`Trainer` trains one of them afresh from the same start for each run.
"""

from __future__ import annotations

import numbers

import keras
import numpy as np

from cnnbook.runtime import perturb_weights, perturbed
from cnnbook.science.shifted_digits import canvas_size

__all__ = ["Trainer", "accuracy", "dense_net", "small_cnn"]


def small_cnn(canvas: int = 20, filters: tuple[int, int] = (12, 24)):
    """Conv(3x3) -> max pool 2 -> Conv(3x3) -> global max pool -> 10 classes."""
    canvas = canvas_size(canvas)
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((canvas, canvas, 1)),
            layers.Conv2D(filters[0], 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(filters[1], 3, activation="relu"),
            layers.GlobalMaxPooling2D(),
            layers.Dense(10, activation="softmax"),
        ],
        name="small_cnn",
    )


def dense_net(canvas: int = 20, units: int = 16):
    """Flatten -> Dense(units, relu) -> 10 classes."""
    canvas = canvas_size(canvas)
    if not isinstance(units, numbers.Integral) or units < 1:
        raise ValueError(f"units must be a positive integer, got {units!r}")

    return keras.Sequential(
        [
            keras.Input((canvas, canvas, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(int(units), activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="dense_net",
    )


class Trainer:
    """One compiled model, trained afresh from the same start by each :meth:`fit`.

    ``build()`` makes the model (seeded with ``seed``); it is compiled once with
    Adam. Each :meth:`fit` restores the initial weights, zeroes the optimizer's
    state and reseeds, so every run starts from the same point, as a freshly
    built model would, but reuses Keras' traced training step (building and
    tracing a new model costs more than a short training run).
    """

    def __init__(self, build, seed: int = 0, learning_rate: float = 0.01):
        if not callable(build):
            raise ValueError(
                f"build must be a function returning a model, got {build!r}"
            )
        if not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        keras.utils.set_random_seed(self.seed)
        self.model = build()
        perturb_weights(self.model, self.seed)  # make outputs-check moves last bits
        self.model.compile(
            keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy"
        )
        self._initial = self.model.get_weights()

    def fit(self, x, y, samples_seen: int = 6000, batch_size: int = 64):
        """Train from the initial weights on about ``samples_seen`` images.

        ``(x, y)`` is repeated to that many examples and run through once in a
        shuffled order, so fewer examples means more passes over each of them.
        """
        x, y = perturbed(np.asarray(x)), np.asarray(y)
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(
                f"x and y must hold as many examples (>0), got {len(x)} and {len(y)}"
            )
        if not isinstance(samples_seen, numbers.Integral) or samples_seen < 1:
            raise ValueError(
                f"samples_seen must be a positive integer, got {samples_seen!r}"
            )
        model = self.model
        model.set_weights(self._initial)
        for variable in model.optimizer.variables:
            if not variable.path.endswith("learning_rate"):
                variable.assign(np.zeros(variable.shape, variable.dtype))
        keras.utils.set_random_seed(self.seed)
        repeats = max(1, round(samples_seen / len(x)))
        model.fit(
            np.concatenate([x] * repeats),
            np.concatenate([y] * repeats),
            epochs=1,
            batch_size=batch_size,
            shuffle=True,
            verbose=0,
        )
        return model

    def fit_and_score(
        self, x, y, tests: dict, samples_seen: int = 6000, batch_size: int = 64
    ) -> dict[str, float]:
        """:meth:`fit`, then the accuracy on each ``tests[name] = (x, y)``."""
        self.fit(x, y, samples_seen, batch_size)
        return {name: accuracy(self.model, tx, ty) for name, (tx, ty) in tests.items()}


def accuracy(model, x, y) -> float:
    """Share of ``x`` that ``model`` classifies as ``y`` (one eager call, which
    costs less than tracing ``model.evaluate`` for a few hundred images)."""
    predicted = np.asarray(model(np.asarray(x), training=False)).argmax(axis=-1)
    return float(np.mean(predicted == np.asarray(y)))
