"""Chapter 1's shifted-digits experiment: two small models, trained over seeds.

:func:`small_cnn` (two 3 x 3 convolutions, global max pooling) and
:func:`dense_net` (one hidden Dense layer) classify the digits of
:mod:`cnnbook.science.shifted_digits` placed on a larger canvas. A
:class:`Trainer` trains one of them from each seed's own initial weights and
order of examples, in float64 (so a CPU's last bits stay far below the printed
precision), and :func:`run_grid` runs the chapter's settings over several seeds:
one seed is an anecdote.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from cnnbook.runtime import keras_float64, perturb_weights, perturbed
from cnnbook.science.seeds import Spread
from cnnbook.science.shifted_digits import ShiftedDigits, canvas_size
from cnnbook.validate import non_negative_int, positive_int

__all__ = [
    "Run",
    "Trainer",
    "accuracy",
    "batch_order",
    "dense_net",
    "run_grid",
    "small_cnn",
    "spread",
]


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


def batch_order(count: int, steps: int, batch_size: int, seed: int) -> np.ndarray:
    """``(steps, batch_size)`` indices into ``count`` examples: one shuffled pass
    after another (each pass a fresh permutation from ``seed``), cut into full
    batches, so a run of N steps is the start of a run of more steps."""
    count, batch_size = (
        positive_int("count", count),
        positive_int("batch_size", batch_size),
    )
    steps, seed = non_negative_int("steps", steps), non_negative_int("seed", seed)
    rng = np.random.default_rng(seed)
    passes = math.ceil(steps * batch_size / count)
    order = [rng.permutation(count) for _ in range(passes)]
    flat = np.concatenate(order) if order else np.zeros(0, np.int64)
    return flat[: steps * batch_size].reshape(steps, batch_size).astype(np.int32)


class Trainer:
    """One model, trained afresh from each seed's start by :meth:`train`.

    ``build()`` makes the model; it is built once (in float64) and its training
    step traced once, because tracing costs more than a short run. Each
    :meth:`train` loads the initial weights that ``build()`` draws for that seed
    (as a freshly built model would have), zeroes Adam's state, and runs every
    step of a budget inside one TensorFlow graph call.
    """

    def __init__(
        self, build: Callable, learning_rate: float = 0.01, batch_size: int = 64
    ):
        if not callable(build):
            raise ValueError(
                f"build must be a function returning a model, got {build!r}"
            )
        if not isinstance(learning_rate, numbers.Real) or not learning_rate > 0:
            raise ValueError(
                f"learning_rate must be a positive number, got {learning_rate!r}"
            )
        self.batch_size = positive_int("batch_size", batch_size)
        self._build = build
        with keras_float64():
            self.model = build()
            self.optimizer = keras.optimizers.Adam(learning_rate)
            self.optimizer.build(self.model.trainable_variables)
        self._steps = self._trace_steps()
        self._starts: dict[int, list[np.ndarray]] = {}

    def initial_weights(self, seed: int) -> list[np.ndarray]:
        """The weights ``build()`` starts from with ``seed`` (perturbed when
        ``make outputs-check`` asks; see :func:`cnnbook.runtime.perturbed`)."""
        seed = non_negative_int("seed", seed)
        if seed not in self._starts:
            keras.utils.set_random_seed(seed)
            with keras_float64():
                fresh = self._build()
            perturb_weights(fresh, seed)
            self._starts[seed] = fresh.get_weights()
        return self._starts[seed]

    def _trace_steps(self):
        model, optimizer = self.model, self.optimizer
        shape = tuple(model.inputs[0].shape[1:])
        signature = [
            tf.TensorSpec((None, *shape), tf.float64),
            tf.TensorSpec((None,), tf.int64),
            tf.TensorSpec((None, None), tf.int32),
        ]

        @tf.function(input_signature=signature)
        def steps(x, y, order):
            for i in tf.range(tf.shape(order)[0]):
                batch = order[i]
                with tf.GradientTape() as tape:
                    p = model(tf.gather(x, batch), training=True)
                    loss = tf.reduce_mean(
                        keras.losses.sparse_categorical_crossentropy(
                            tf.gather(y, batch), p
                        )
                    )
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply(grads, model.trainable_variables)
            return tf.constant(0)

        return steps

    def train(
        self, x, y, seed: int, budgets: Sequence[int] = (6000,), tests: Mapping = ()
    ) -> dict[int, dict[str, np.ndarray]]:
        """Train on ``(x, y)`` from ``seed``'s start; after each budget of images
        seen (rounded up to full batches), which images of each
        ``tests[name] = (x, y)`` the model classifies right.

        Fewer examples means more passes over each of them for the same budget.
        """
        x = np.asarray(x)
        y = np.asarray(y)
        if x.ndim != 4 or len(x) != len(y) or len(x) == 0:
            raise ValueError(
                f"x must be a batch of images (N, H, W, 1) and y hold one label per "
                f"image (N > 0), got shapes {x.shape} and {y.shape}"
            )
        budgets = [positive_int("budgets", b) for b in budgets]
        if not budgets or budgets != sorted(set(budgets)):
            raise ValueError(
                f"budgets must be increasing image counts, got {budgets!r}"
            )
        seed = non_negative_int("seed", seed)
        self.model.set_weights(self.initial_weights(seed))
        for variable in self.optimizer.variables:
            if not variable.path.endswith("learning_rate"):
                variable.assign(np.zeros(variable.shape, variable.dtype))
        steps = [math.ceil(b / self.batch_size) for b in budgets]
        order = batch_order(len(x), steps[-1], self.batch_size, seed)
        x64 = tf.constant(perturbed(x.astype(np.float64), seed))
        y64 = tf.constant(y.astype(np.int64))
        scores, done = {}, 0
        for budget, until in zip(budgets, steps, strict=True):
            self._steps(x64, y64, tf.constant(order[done:until]))
            done = until
            scores[budget] = {
                name: correct(self.model, tx, ty)
                for name, (tx, ty) in dict(tests).items()
            }
        return scores


def correct(model, x, y) -> np.ndarray:
    """Which images of ``x`` ``model`` classifies as ``y`` (True/False each), in
    float64 when the model is, on the perturbed images when asked for."""
    x = np.asarray(x)
    dtype = keras.backend.standardize_dtype(model.inputs[0].dtype)
    x = perturbed(x.astype(dtype), seed=len(x))
    predicted = np.asarray(model(x, training=False)).argmax(axis=-1)
    return predicted == np.asarray(y)


def accuracy(model, x, y) -> float:
    """Share of ``x`` that ``model`` classifies as ``y``."""
    return float(np.mean(correct(model, x, y)))


@dataclass(frozen=True)
class Run:
    """One trained model: what it was trained on, its seed, and per test set
    which images it classified right."""

    model: str
    training: str
    examples: int
    images: int
    seed: int
    correct: dict[str, np.ndarray] = field(repr=False)

    def accuracy(self, test: str) -> float:
        return float(np.mean(self.correct[test]))


def run_grid(
    trainers: Mapping[str, Trainer],
    data: ShiftedDigits,
    plan: Sequence[tuple[str, int | None, Sequence[int]]],
    seeds: Sequence[int],
    tests: Mapping,
) -> list[Run]:
    """Every trainer, every ``(training, examples, budgets)`` of ``plan`` and
    every seed: ``training`` is ``"centred"`` or ``"shifted"`` digits,
    ``examples`` the first that many training digits (None: all), ``budgets``
    the images seen after which the ``tests`` are scored."""
    runs = []
    for training, examples, budgets in plan:
        if training not in ("centred", "shifted"):
            raise ValueError(
                f"training must be 'centred' or 'shifted', got {training!r}"
            )
        x, y = data.train(examples, shifted=training == "shifted")
        for name, trainer in trainers.items():
            for seed in seeds:
                scores = trainer.train(x, y, seed, budgets, tests)
                runs += [
                    Run(name, training, len(x), images, seed, right)
                    for images, right in scores.items()
                ]
    return runs


def spread(runs: Sequence[Run], test: str, **where) -> Spread:
    """The accuracy on ``test`` over the seeds of the runs that match ``where``
    (for example ``model="CNN", training="centred"``), as a share."""
    chosen = [r for r in runs if all(getattr(r, k) == v for k, v in where.items())]
    if not chosen:
        raise ValueError(f"no run matches {where!r}")
    seeds = [r.seed for r in chosen]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"the runs matching {where!r} repeat a seed: narrow it down")
    return Spread.of([r.accuracy(test) for r in chosen])
