"""Several seeds of one small network, trained at once in one TensorFlow graph.

One training run is an anecdote, and a chapter that reports ten seeds must not
take ten times as long to execute. :class:`SeedStack` trains a small Keras
``Sequential`` network (``Conv2D``, ``MaxPooling2D``, ``GlobalMaxPooling2D``,
``Flatten`` and ``Dense`` layers) from every seed's own initial weights and
order of examples, all seeds together. Every weight gets a leading seed axis;
each seed's gradient is that of its own loss (a network of Dense layers does
all seeds in one batched product per layer, a convolutional one goes seed by
seed inside the graph, so that one seed's activations are alive at a time);
and Adam, which updates every number on its own, is Keras' update, fused in
place. The steps are traced once and reused for every data set and budget.
Two rewrites keep the work small and change no number: a convolution followed
by max pooling is pooled *before* its bias and ReLU (both are non-decreasing,
so the largest value stays the largest), and the data and its perturbation are
held once for all seeds.

:class:`cnnbook.referee.digit_models.Trainer` trains one seed with Keras
itself; the tests check that both reach the same weights.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from cnnbook.runtime import keras_float64, perturb_weights, perturbed
from cnnbook.validate import non_negative_int, positive_int

__all__ = ["SeedStack", "batch_order", "checked_training", "increasing_budgets"]

_ADAM = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}  # Keras' defaults
_ROUNDED = {k: float(np.float32(_ADAM[k])) for k in ("beta_1", "beta_2")}
"""Keras raises beta_1 and beta_2 to the step's power after converting them to
float32 tensors, so its bias correction uses their float32 values; so does
:class:`SeedStack`, which then reaches Keras' weights to the last bits."""
_PREDICT_CHUNK = 100  # images per call when scoring: bounds the memory


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


def increasing_budgets(budgets) -> list[int]:
    """``budgets`` (images shown to a network) as positive, increasing ints."""
    budgets = [positive_int("budgets", b) for b in budgets]
    if not budgets or budgets != sorted(set(budgets)):
        raise ValueError(f"budgets must be increasing image counts, got {budgets!r}")
    return budgets


def checked_training(build: Callable, learning_rate, batch_size) -> int:
    """The batch size, once ``build`` is a function and ``learning_rate`` a
    positive number: what every trainer of the chapters' networks takes."""
    if not callable(build):
        raise ValueError(f"build must be a function returning a model, got {build!r}")
    if not isinstance(learning_rate, numbers.Real) or not learning_rate > 0:
        raise ValueError(
            f"learning_rate must be a positive number, got {learning_rate!r}"
        )
    return positive_int("batch_size", batch_size)


@dataclass(frozen=True)
class _Layer:
    """What the stacked forward pass does for one Keras layer."""

    kind: str  # "conv", "pool", "global", "flatten" or "dense"
    activation: str = "linear"  # "relu", "softmax" or "linear"
    pool: int = 0  # "conv" or "pool": the pooling size; -1 global; 0 none


def _activation(layer) -> str:
    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    if name not in ("relu", "softmax", "linear"):
        raise ValueError(f"build: activation {name!r} of {layer.name} not supported")
    return name


def _plan(model) -> list[_Layer]:
    """The layers of ``model`` as steps of the stacked forward pass."""
    plan: list[_Layer] = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            config = layer.get_config()
            if (
                tuple(config["strides"]) != (1, 1)
                or config["padding"] != "valid"
                or tuple(config["dilation_rate"]) != (1, 1)
                or config["groups"] != 1
                or not config["use_bias"]
            ):
                raise ValueError(
                    f"build: {layer.name} must be a Conv2D with stride 1, VALID "
                    "padding and a bias"
                )
            plan.append(_Layer("conv", _activation(layer)))
        elif kind == "MaxPooling2D":
            size = tuple(layer.pool_size)
            if size[0] != size[1] or tuple(layer.strides) != size:
                raise ValueError(
                    f"build: {layer.name} must pool square windows with a stride "
                    "of its size"
                )
            plan.append(_Layer("pool", pool=size[0]))
        elif kind == "GlobalMaxPooling2D":
            plan.append(_Layer("global"))
        elif kind == "Flatten":
            plan.append(_Layer("flatten"))
        elif kind == "Dense":
            plan.append(_Layer("dense", _activation(layer)))
        else:
            raise ValueError(f"build: layer {kind} ({layer.name}) not supported")
    if not plan or plan[-1].kind != "dense" or plan[-1].activation != "softmax":
        raise ValueError("build: the model must end with a Dense softmax layer")
    fused: list[_Layer] = []  # conv + max pooling: pool first, then bias and ReLU
    for step in plan:
        previous = fused[-1] if fused else None
        if (
            previous is not None
            and previous.kind == "conv"
            and not previous.pool
            and step.kind in ("pool", "global")
        ):
            fused[-1] = _Layer("conv", previous.activation, step.pool or -1)
        else:
            fused.append(step)
    return fused


class SeedStack:
    """The network ``build()`` makes, once per seed of ``seeds``, trained
    together by :meth:`train` (Adam, batches of ``batch_size``, float64).

    Each seed starts from the weights ``build()`` draws after
    ``keras.utils.set_random_seed(seed)`` (perturbed when ``make outputs-check``
    asks) and sees the examples in the order :func:`batch_order` gives it.
    """

    def __init__(
        self,
        build: Callable,
        seeds: Sequence[int],
        learning_rate: float = 0.01,
        batch_size: int = 64,
    ):
        self.batch_size = checked_training(build, learning_rate, batch_size)
        self.seeds = tuple(non_negative_int("seeds", s) for s in seeds)
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds must be distinct seeds, at least one: {seeds!r}")
        self.learning_rate = float(learning_rate)
        starts = []
        for seed in self.seeds:
            keras.utils.set_random_seed(seed)
            with keras_float64():
                model = build()
            perturb_weights(model, seed)
            starts.append(model.get_weights())
        self.name = model.name
        self.input_shape = tuple(model.inputs[0].shape[1:])
        self.params = model.count_params()
        self._plan = _plan(model)
        self._dense_only = all(step.kind in ("flatten", "dense") for step in self._plan)
        del model
        self._start = [np.stack(w) for w in zip(*starts, strict=True)]
        self.weights = [tf.Variable(w, dtype=tf.float64) for w in self._start]
        self._m = [tf.Variable(tf.zeros_like(w)) for w in self.weights]
        self._v = [tf.Variable(tf.zeros_like(w)) for w in self.weights]
        self._step = tf.Variable(0.0, dtype=tf.float64)
        self._train_steps = self._trace_steps()
        self._predict = self._trace_predict()

    def _forward(self, x, weights):
        """Logits (N, classes) of one seed's network with ``weights``."""
        weights = iter(weights)
        h = x
        for step in self._plan:
            if step.kind in ("conv", "dense"):
                kernel, bias = next(weights), next(weights)
                if step.kind == "dense":
                    h = tf.matmul(h, kernel)
                else:
                    h = tf.nn.conv2d(h, kernel, 1, "VALID")
                if step.pool > 0:
                    h = tf.nn.max_pool2d(h, step.pool, step.pool, "VALID")
                elif step.pool < 0:
                    h = tf.reduce_max(h, axis=[1, 2])
                h = h + bias
            elif step.kind == "pool":
                h = tf.nn.max_pool2d(h, step.pool, step.pool, "VALID")
            elif step.kind == "global":
                h = tf.reduce_max(h, axis=[1, 2])
            else:
                h = tf.reshape(h, [tf.shape(h)[0], -1])
            if step.activation == "relu":
                h = tf.nn.relu(h)
        return h  # the final softmax is left to the loss and to argmax

    def _forward_stacked(self, x, shared: bool):
        """Logits (seeds, N, classes) of every seed at once, for a network of
        ``Flatten`` and ``Dense`` layers: one batched matrix product per layer,
        on ``x`` (seeds, N, ...) or, when ``shared``, one (N, ...) for all."""
        weights, h = iter(self.weights), x
        for step in self._plan:
            if step.kind == "flatten":
                rows = [tf.shape(h)[0]] if shared else [len(self.seeds), tf.shape(h)[1]]
                h = tf.reshape(h, [*rows, -1])
                continue
            kernel, bias = next(weights), next(weights)
            h = tf.einsum("ni,sio->sno", h, kernel) if shared else tf.matmul(h, kernel)
            h, shared = h + bias[:, None], False
            if step.activation == "relu":
                h = tf.nn.relu(h)
        return h

    def _batch_gradients(self, x, y):
        """The gradients of every seed's loss on its batch, (seeds, ...) each."""
        if not self._dense_only:  # seed by seed: one seed's activations at a time
            return tf.map_fn(
                self._gradients,
                (x, y, *[w.read_value() for w in self.weights]),
                fn_output_signature=[tf.float64] * len(self.weights),
                parallel_iterations=1,
            )
        with tf.GradientTape() as tape:
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(
                y, self._forward_stacked(x, shared=False)
            )
            total = tf.reduce_sum(tf.reduce_mean(losses, axis=1))
        return tape.gradient(total, self.weights)

    def _gradients(self, args):
        """One seed's batch ``x, y`` and weights -> the gradients of its loss."""
        x, y, *weights = args
        with tf.GradientTape() as tape:
            tape.watch(weights)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    y, self._forward(x, weights)
                )
            )
        return tape.gradient(loss, weights)

    def _trace_steps(self):
        signature = [
            tf.TensorSpec((None, *self.input_shape), tf.float64),
            tf.TensorSpec((None,), tf.int64),
            tf.TensorSpec((None, len(self.seeds), self.batch_size), tf.int32),
        ]
        rate, (beta_1, beta_2) = self.learning_rate, _ROUNDED.values()

        @tf.function(input_signature=signature)
        def steps(x, y, order):
            for i in tf.range(tf.shape(order)[0]):
                grads = self._batch_gradients(
                    tf.gather(x, order[i]), tf.gather(y, order[i])
                )
                self._step.assign_add(1.0)
                powers = [tf.pow(_constant(b), self._step) for b in (beta_1, beta_2)]
                for w, g, m, v in zip(
                    self.weights, grads, self._m, self._v, strict=True
                ):
                    tf.raw_ops.ResourceApplyAdam(  # Keras' update, fused in place
                        var=w.handle,
                        m=m.handle,
                        v=v.handle,
                        beta1_power=powers[0],
                        beta2_power=powers[1],
                        lr=_constant(rate),
                        beta1=_constant(_ADAM["beta_1"]),
                        beta2=_constant(_ADAM["beta_2"]),
                        epsilon=_constant(_ADAM["epsilon"]),
                        grad=g,
                    )
            return tf.constant(0)

        return steps

    def _trace_predict(self):
        spec = tf.TensorSpec((None, *self.input_shape), tf.float64)

        @tf.function(input_signature=[spec])
        def predict(x):
            if self._dense_only:
                return tf.argmax(self._forward_stacked(x, shared=True), axis=-1)
            return tf.map_fn(
                lambda weights: tf.argmax(self._forward(x, weights), axis=-1),
                [w.read_value() for w in self.weights],
                fn_output_signature=tf.int64,
                parallel_iterations=1,
            )

        return predict

    def predict(self, x) -> np.ndarray:
        """Every seed's class for each image of ``x``: (seeds, N) integers."""
        x = self._images(x, "x")
        x = perturbed(x, seed=len(x))
        chunks = [
            self._predict(tf.constant(x[i : i + _PREDICT_CHUNK])).numpy()
            for i in range(0, len(x), _PREDICT_CHUNK)
        ]
        return np.concatenate(chunks, axis=1)

    def correct(self, x, y) -> np.ndarray:
        """Which images of ``x`` each seed classifies as ``y``: (seeds, N) bools."""
        return self.predict(x) == np.asarray(y)[None]

    def _images(self, x, name) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 4 or x.shape[1:] != self.input_shape or len(x) == 0:
            raise ValueError(
                f"{name} must be a batch of images of shape (N, "
                f"{', '.join(map(str, self.input_shape))}), got {x.shape}"
            )
        return x

    def restart(self) -> None:
        """Every seed back to its initial weights, Adam's state to zero."""
        for w, start, m, v in zip(
            self.weights, self._start, self._m, self._v, strict=True
        ):
            w.assign(start)
            m.assign_sub(m)  # zero in place: no second copy of a large state
            v.assign_sub(v)
        self._step.assign(0.0)

    def train(
        self, x, y, budgets: Sequence[int] = (6000,), tests: Mapping = ()
    ) -> dict[int, dict[str, np.ndarray]]:
        """Train every seed afresh on ``(x, y)``; after each budget of images
        seen (rounded up to full batches), which images of each
        ``tests[name] = (x, y)`` each seed classifies right, (seeds, N) bools.

        Fewer examples means more passes over each of them for the same budget.
        """
        x = self._images(x, "x")
        y = np.asarray(y)
        if y.shape != (len(x),):
            raise ValueError(
                f"y must hold one label per image of x, got shapes {x.shape} "
                f"and {y.shape}"
            )
        budgets = increasing_budgets(budgets)
        steps = [math.ceil(b / self.batch_size) for b in budgets]
        order = np.stack(
            [batch_order(len(x), steps[-1], self.batch_size, s) for s in self.seeds],
            axis=1,
        )
        self.restart()
        x64, y64 = tf.constant(perturbed(x)), tf.constant(y.astype(np.int64))
        scores, done = {}, 0
        for budget, until in zip(budgets, steps, strict=True):
            self._train_steps(x64, y64, tf.constant(order[done:until]))
            done = until
            scores[budget] = {
                name: self.correct(tx, ty) for name, (tx, ty) in dict(tests).items()
            }
        return scores


def _constant(value: float):
    return tf.constant(value, tf.float64)
