"""Chapter 1's shifted-digits experiment: a small CNN and dense networks, over seeds.

:func:`small_cnn` (two 3 x 3 convolutions, global max pooling) and
:func:`dense_net` (one hidden Dense layer, as wide as asked) classify the
digits of :mod:`cnnbook.science.shifted_digits` placed on a larger canvas.
:func:`run_grid` trains each model from every seed of the chapter on each
setting of a plan, all seeds of a model at once
(:class:`cnnbook.referee.seed_stack.SeedStack`), and keeps, per run, which
test images it classified right; :func:`spread` and :func:`difference` turn
those into a result over seeds and a paired comparison. :class:`Trainer`
trains one seed with Keras itself: the referee the tests hold the stacked
training to.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from cnnbook.referee.seed_stack import (
    SeedStack,
    batch_order,
    checked_training,
    increasing_budgets,
)
from cnnbook.runtime import keras_float64, perturb_weights, perturbed
from cnnbook.science.seeds import Difference, Spread
from cnnbook.science.shifted_digits import ShiftedDigits, canvas_size
from cnnbook.validate import non_negative_int, positive_int

__all__ = [
    "Run",
    "Trainer",
    "accuracies",
    "batch_order",
    "correct",
    "dense_net",
    "difference",
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
    units = positive_int("units", units)
    return keras.Sequential(
        [
            keras.Input((canvas, canvas, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ],
        name="dense_net",
    )


class Trainer:
    """One model, trained afresh from each seed's start by :meth:`train`, with
    Keras' own layers, loss and Adam: the referee for
    :class:`~cnnbook.referee.seed_stack.SeedStack`, which trains every seed at
    once and must reach the same weights.

    ``build()`` makes the model; it is built once (in float64) and its training
    step traced once. Each :meth:`train` loads the initial weights that
    ``build()`` draws for that seed, zeroes Adam's state, and runs every step of
    a budget inside one TensorFlow graph call.
    """

    def __init__(
        self, build: Callable, learning_rate: float = 0.01, batch_size: int = 64
    ):
        self.batch_size = checked_training(build, learning_rate, batch_size)
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
        """
        x = np.asarray(x)
        y = np.asarray(y)
        if x.ndim != 4 or len(x) != len(y) or len(x) == 0:
            raise ValueError(
                f"x must be a batch of images (N, H, W, 1) and y hold one label per "
                f"image (N > 0), got shapes {x.shape} and {y.shape}"
            )
        budgets = increasing_budgets(budgets)
        seed = non_negative_int("seed", seed)
        self.model.set_weights(self.initial_weights(seed))
        for variable in self.optimizer.variables:
            if not variable.path.endswith("learning_rate"):
                variable.assign(np.zeros(variable.shape, variable.dtype))
        steps = [math.ceil(b / self.batch_size) for b in budgets]
        order = batch_order(len(x), steps[-1], self.batch_size, seed)
        x64 = tf.constant(perturbed(x.astype(np.float64)))
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
    models: Mapping[str, Callable],
    data: ShiftedDigits,
    plan: Sequence[tuple],
    seeds: Sequence[int],
    tests: Mapping,
    learning_rate: float = 0.01,
    batch_size: int = 64,
) -> list[Run]:
    """Every model of ``models`` (name -> build function), every setting of
    ``plan`` and every seed, the seeds of one model trained together.

    A setting is ``(training, examples, budgets, scored)``: ``training`` is
    ``"centred"`` or ``"shifted"`` digits, ``examples`` the first that many
    training digits (None: all), ``budgets`` the images seen after which the
    test sets named in ``scored`` (keys of ``tests``, each ``(x, y)``) are
    scored. A large model's seeds are trained in groups (:data:`STATE_BYTES`);
    one group is held in memory at a time.
    """
    settings = []
    for setting in plan:
        if not isinstance(setting, tuple) or len(setting) != 4:
            raise ValueError(
                "plan must hold (training, examples, budgets, scored) settings, "
                f"got {setting!r}"
            )
        training, examples, budgets, scored = setting
        if training not in ("centred", "shifted"):
            raise ValueError(
                f"training must be 'centred' or 'shifted', got {training!r}"
            )
        unknown = [n for n in scored if n not in tests]
        if unknown:
            raise ValueError(f"scored must name tests, got unknown {unknown}")
        x, y = data.train(examples, shifted=training == "shifted")
        settings.append((training, x, y, budgets, scored))
    runs = []
    sizes = {name: build().count_params() for name, build in models.items()}
    # the largest first: the memory it frees then serves the smaller ones
    for name in sorted(models, key=lambda n: -sizes[n]):
        build = models[name]
        for group in _groups(sizes[name], list(seeds)):
            stack = SeedStack(build, group, learning_rate, batch_size)
            for training, x, y, budgets, scored in settings:
                scores = stack.train(x, y, budgets, {t: tests[t] for t in scored})
                for images, right in scores.items():
                    runs += [
                        Run(
                            name,
                            training,
                            len(x),
                            images,
                            seed,
                            {test: hits[i] for test, hits in right.items()},
                        )
                        for i, seed in enumerate(stack.seeds)
                    ]
            del stack
            gc.collect()  # its variables and traced steps, before the next ones
    return runs


STATE_BYTES = 25e6
"""Weights, Adam's two moments, the initial weights and a gradient: five
float64 copies of every seed's parameters; seeds are trained together as long
as these stay under this size (a large dense network is split into groups)."""


def _groups(params: int, seeds: list[int]) -> list[list[int]]:
    """``seeds`` cut into as few groups as keep each group's state (of a model
    with ``params`` parameters) under :data:`STATE_BYTES`, as even as possible."""
    count = max(1, math.ceil(5 * 8 * params * len(seeds) / STATE_BYTES))
    count = min(count, len(seeds))
    return [[int(s) for s in part] for part in np.array_split(seeds, count)]


def accuracies(runs: Sequence[Run], test: str, **where) -> dict[int, float]:
    """Seed -> accuracy on ``test`` of the runs that match ``where`` (for
    example ``model="CNN", training="centred"``), as a share."""
    chosen = [r for r in runs if all(getattr(r, k) == v for k, v in where.items())]
    if not chosen:
        raise ValueError(f"no run matches {where!r}")
    seeds = [r.seed for r in chosen]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"the runs matching {where!r} repeat a seed: narrow it down")
    missing = [r.seed for r in chosen if test not in r.correct]
    if missing:
        raise ValueError(f"test {test!r} was not scored on the runs matching {where!r}")
    return {r.seed: r.accuracy(test) for r in chosen}


def spread(runs: Sequence[Run], test: str, **where) -> Spread:
    """The accuracy on ``test`` over the seeds of the runs that match ``where``,
    as a share."""
    return Spread.of(list(accuracies(runs, test, **where).values()))


def difference(runs: Sequence[Run], first: Mapping, second: Mapping) -> Difference:
    """Paired per-seed difference of two accuracies, ``first - second``, as
    shares: each a mapping with the ``test`` and the run's fields to match,
    ``dict(test="shifted", model="CNN", training="centred")``. Only seeds
    present in both are paired; there must be at least two."""
    sides = []
    for arg, side in (("first", first), ("second", second)):
        where = dict(side)
        if "test" not in where:
            raise ValueError(f"{arg} must name its test, got {side!r}")
        sides.append(accuracies(runs, where.pop("test"), **where))
    a, b = sides
    seeds = sorted(set(a) & set(b))
    if len(seeds) < 2:
        raise ValueError(
            f"first and second must share at least 2 seeds, got {sorted(a)} and "
            f"{sorted(b)}"
        )
    return Difference.paired([a[s] for s in seeds], [b[s] for s in seeds])
