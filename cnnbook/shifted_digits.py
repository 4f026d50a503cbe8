"""Scikit-learn's 8 x 8 digits placed on a larger canvas, centred or shifted.

Chapter 1 asks whether a convolutional network copes better than a dense one
when the same digit can appear anywhere. The data for that experiment ships with
scikit-learn (no download): each 8 x 8 digit is pasted into an empty square
canvas, either in the middle or at a random position. Pixel values are scaled to
[0, 1]. The two small models the chapter compares are built here too (Keras is
imported only by those functions).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["DIGIT_SIZE", "ShiftedDigits", "centred_offsets", "dense_net",
           "Trainer", "accuracy", "load", "place", "random_offsets",
           "small_cnn"]

DIGIT_SIZE = 8
"""Height and width of scikit-learn's digits, in pixels."""


def _canvas(canvas: object) -> int:
    if (
        not isinstance(canvas, numbers.Integral)
        or isinstance(canvas, bool)
        or canvas < DIGIT_SIZE
    ):
        raise ValueError(
            f"canvas must be an integer of at least {DIGIT_SIZE} (pixels), "
            f"got {canvas!r}"
        )
    return int(canvas)


def centred_offsets(count: int, canvas: int) -> np.ndarray:
    """``(count, 2)`` top-left corners that put a digit in the middle."""
    canvas = _canvas(canvas)
    if not isinstance(count, numbers.Integral) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    middle = (canvas - DIGIT_SIZE) // 2
    return np.full((int(count), 2), middle, dtype=np.int64)


def random_offsets(count: int, canvas: int, rng: np.random.Generator) -> np.ndarray:
    """``(count, 2)`` top-left corners drawn uniformly over every position."""
    canvas = _canvas(canvas)
    if not isinstance(count, numbers.Integral) or count < 0:
        raise ValueError(f"count must be a non-negative integer, got {count!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {rng!r}"
        )
    return rng.integers(0, canvas - DIGIT_SIZE + 1, size=(int(count), 2))


def place(digits: np.ndarray, offsets: np.ndarray, canvas: int) -> np.ndarray:
    """Paste ``(n, 8, 8)`` digits into ``(n, canvas, canvas, 1)`` empty canvases.

    ``offsets[i]`` is the (row, column) of digit i's top-left pixel.
    """
    canvas = _canvas(canvas)
    digits = np.asarray(digits, dtype=np.float32)
    offsets = np.asarray(offsets)
    if digits.ndim != 3 or digits.shape[1:] != (DIGIT_SIZE, DIGIT_SIZE):
        raise ValueError(f"digits must have shape (n, 8, 8), got {digits.shape}")
    if offsets.shape != (len(digits), 2):
        raise ValueError(
            f"offsets must have shape ({len(digits)}, 2), one (row, column) per "
            f"digit, got {offsets.shape}"
        )
    if offsets.size and (offsets.min() < 0 or offsets.max() > canvas - DIGIT_SIZE):
        raise ValueError(
            f"offsets must lie in [0, {canvas - DIGIT_SIZE}] for a canvas of "
            f"{canvas}, got values from {offsets.min()} to {offsets.max()}"
        )
    out = np.zeros((len(digits), canvas, canvas, 1), dtype=np.float32)
    for i, (row, col) in enumerate(offsets):
        out[i, row:row + DIGIT_SIZE, col:col + DIGIT_SIZE, 0] = digits[i]
    return out


@dataclass(frozen=True)
class ShiftedDigits:
    """A train/test split of the digits, as 8 x 8 images in [0, 1] and labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    canvas: int

    def train(self, count: int | None = None, shifted: bool = False, seed: int = 0):
        """The first ``count`` training digits on canvases, and their labels."""
        return self._make(self.x_train, self.y_train, count, shifted, seed)

    def test(self, shifted: bool = False, seed: int = 1):
        """All test digits on canvases (centred, or at seeded random places)."""
        return self._make(self.x_test, self.y_test, None, shifted, seed)

    def test_offsets(self, shifted: bool = False, seed: int = 1) -> np.ndarray:
        """The (row, column) corners :meth:`test` uses with the same arguments."""
        return self._offsets(len(self.x_test), shifted, seed)

    def _offsets(self, count, shifted, seed):
        if shifted:
            return random_offsets(count, self.canvas, np.random.default_rng(seed))
        return centred_offsets(count, self.canvas)

    def _make(self, x, y, count, shifted, seed):
        if count is None:
            count = len(x)
        if not isinstance(count, numbers.Integral) or not 1 <= count <= len(x):
            raise ValueError(
                f"count must be an integer from 1 to {len(x)}, got {count!r}"
            )
        offsets = self._offsets(count, shifted, seed)
        return place(x[:count], offsets, self.canvas), y[:count]


def load(canvas: int = 20, test_size: int = 500, seed: int = 0) -> ShiftedDigits:
    """scikit-learn's 1,797 digits, shuffled with ``seed``, split into train/test."""
    canvas = _canvas(canvas)
    from sklearn.datasets import load_digits

    digits = load_digits()
    if not isinstance(test_size, numbers.Integral) or not 1 <= test_size < len(
        digits.images
    ):
        raise ValueError(
            f"test_size must be an integer from 1 to {len(digits.images) - 1}, "
            f"got {test_size!r}"
        )
    order = np.random.default_rng(seed).permutation(len(digits.images))
    images = (digits.images[order] / 16.0).astype(np.float32)
    labels = digits.target[order].astype(np.int64)
    split = len(images) - int(test_size)
    return ShiftedDigits(images[:split], labels[:split], images[split:],
                         labels[split:], canvas)


def small_cnn(canvas: int = 20, filters: tuple[int, int] = (12, 24)):
    """Conv(3x3) -> max pool 2 -> Conv(3x3) -> global max pool -> 10 classes."""
    canvas = _canvas(canvas)
    import keras

    layers = keras.layers
    return keras.Sequential([
        keras.Input((canvas, canvas, 1)),
        layers.Conv2D(filters[0], 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(filters[1], 3, activation="relu"),
        layers.GlobalMaxPooling2D(),
        layers.Dense(10, activation="softmax"),
    ], name="small_cnn")


def dense_net(canvas: int = 20, units: int = 16):
    """Flatten -> Dense(units, relu) -> 10 classes."""
    canvas = _canvas(canvas)
    if not isinstance(units, numbers.Integral) or units < 1:
        raise ValueError(f"units must be a positive integer, got {units!r}")
    import keras

    return keras.Sequential([
        keras.Input((canvas, canvas, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(int(units), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ], name="dense_net")


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
        import keras

        self._keras = keras
        self.seed = int(seed)
        keras.utils.set_random_seed(self.seed)
        self.model = build()
        self.model.compile(keras.optimizers.Adam(learning_rate),
                           "sparse_categorical_crossentropy")
        self._initial = self.model.get_weights()

    def fit(self, x, y, samples_seen: int = 6000, batch_size: int = 64):
        """Train from the initial weights on about ``samples_seen`` images.

        ``(x, y)`` is repeated to that many examples and run through once in a
        shuffled order, so fewer examples means more passes over each of them.
        """
        x, y = np.asarray(x), np.asarray(y)
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
        self._keras.utils.set_random_seed(self.seed)
        repeats = max(1, round(samples_seen / len(x)))
        model.fit(np.concatenate([x] * repeats), np.concatenate([y] * repeats),
                  epochs=1, batch_size=batch_size, shuffle=True, verbose=0)
        return model

    def fit_and_score(self, x, y, tests: dict, samples_seen: int = 6000,
                      batch_size: int = 64) -> dict[str, float]:
        """:meth:`fit`, then the accuracy on each ``tests[name] = (x, y)``."""
        self.fit(x, y, samples_seen, batch_size)
        return {name: accuracy(self.model, tx, ty) for name, (tx, ty) in tests.items()}


def accuracy(model, x, y) -> float:
    """Share of ``x`` that ``model`` classifies as ``y`` (one eager call, which
    costs less than tracing ``model.evaluate`` for a few hundred images)."""
    predicted = np.asarray(model(np.asarray(x), training=False)).argmax(axis=-1)
    return float(np.mean(predicted == np.asarray(y)))
