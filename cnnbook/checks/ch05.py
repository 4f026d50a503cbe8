"""Chapter 5's questions: LRN's constants in TensorFlow, one value by hand, a
student's LRN function, lateral inhibition and a model with an LRN layer.

Each student gets their own LRN constants, Caffe layer, activities, inhibited
maps and model (:func:`variant`); the default differs from AlexNet's constants
and the chapter's Caffe example (alpha 1e-4, local_size 5), whose TensorFlow
alpha the chapter prints. Expected values come from :mod:`cnnbook.science.lrn`
(its ``tf_arguments`` and ``lrn``, the float64 reference equal to
TensorFlow's); the usual slips (alpha divided by n, the window wrapped around,
the power beta forgotten...) are recognised and named.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from cnnbook.checks import variants
from cnnbook.checks.apart import clashes
from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec, Options
from cnnbook.checks.functions import FunctionSpec
from cnnbook.checks.models import ModelSpec, conv_before, softmax_output
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.science import lrn

__all__ = ["Constants", "centre_value_spec", "lrn_function_spec", "variant"]

_CASES = (
    # (shape, constants): AlexNet's first, then others that expose other slips
    ((3, 4, 12), lrn.ALEXNET),
    ((2, 9), {"k": 1.0, "n": 3, "alpha": 0.01, "beta": 0.5}),
    ((5, 7), {"k": 0.5, "n": 5, "alpha": 0.05, "beta": 1.0}),
    ((4, 2), {"k": 1.0, "n": 5, "alpha": 0.1, "beta": 0.75}),
)


def _window_sum(values: np.ndarray, n: int) -> np.ndarray:
    radius, channels = n // 2, values.shape[-1]
    padded = np.pad(values, [(0, 0)] * (values.ndim - 1) + [(radius, radius)])
    return sum(padded[..., j : j + channels] for j in range(n))


def _wrap_around(x, k, n, alpha, beta):
    """The window wraps from the last map to the first (np.roll)."""
    shifts = range(-(n // 2), n // 2 + 1)
    window = sum(np.roll(x**2, shift, axis=-1) for shift in shifts)
    return x / (k + alpha * window) ** beta


def _slips() -> tuple[tuple, ...]:
    """Functions f(x, k, n, alpha, beta) that make a typical slip, with its hint."""
    slips = [
        (
            lambda x, k, n, alpha, beta: lrn.lrn(
                x, k, n, alpha, beta, alpha_per_n=True
            ),
            "Your function divides alpha by n (Caffe's and PyTorch's convention); the "
            "paper's formula, like TensorFlow, multiplies the sum by alpha as it is.",
        ),
        (
            _wrap_around,
            "The first and last maps are off: the window must stop at the edges of the "
            "channel axis (fewer maps there), not wrap around to the other end.",
        ),
        (
            lambda x, k, n, alpha, beta: (
                x / (k + alpha * _window_sum(np.abs(x), n)) ** beta
            ),
            "The sum is of squared activities, (a^j)^2, not of their sizes.",
        ),
        (
            lambda x, k, n, alpha, beta: (
                x / np.abs(k + alpha * _window_sum(x, n)) ** beta
            ),
            "The sum is of squared activities, (a^j)^2, not of the activities.",
        ),
        (
            lambda x, k, n, alpha, beta: x / (k + alpha * _window_sum(x**2, n)),
            "The whole denominator is raised to the power beta.",
        ),
        (
            lambda x, k, n, alpha, beta: x / (k + alpha * x**2) ** beta,
            "Each value is divided using only its own square: sum the squares of the "
            "n adjacent maps (itself included).",
        ),
    ]
    for change in (-2, 2):
        slips.append(
            (
                lambda x, k, n, alpha, beta, change=change: (
                    lrn.lrn(x, k, n + change, alpha, beta)
                    if n + change >= 1
                    else np.full_like(x, np.nan)
                ),
                f"Your window spans {'2 maps fewer' if change < 0 else '2 maps more'} "
                "than n: it runs from n // 2 maps below to n // 2 maps above, itself "
                "included.",
            )
        )
    return tuple(slips)


def _describe(args: tuple) -> str:
    x, k, n, alpha, beta = args
    return (
        f"an input of shape {x.shape} with k={k:g}, n={n}, alpha={alpha:g}, "
        f"beta={beta:g}"
    )


def lrn_function_spec(
    rel_tol: float = 1e-6, constants: dict | None = None
) -> FunctionSpec:
    """A function ``f(x, k, n, alpha, beta)`` normalising across the last axis
    as in AlexNet's paper, compared with :func:`cnnbook.science.lrn.lrn` on a few
    inputs (edges and other constants included); ``constants`` replace
    AlexNet's in the first case."""
    rng = np.random.default_rng(5)
    (first_shape, _), *others = _CASES
    chosen = [(first_shape, constants or lrn.ALEXNET), *others]
    cases = tuple(
        (rng.normal(scale=10.0, size=shape), c["k"], c["n"], c["alpha"], c["beta"])
        for shape, c in chosen
    )
    return FunctionSpec(
        lambda x, k, n, alpha, beta: lrn.lrn(x, k, n, alpha, beta),
        cases,
        _slips(),
        signature="f(x, k, n, alpha, beta)",
        describe=_describe,
        rel_tol=rel_tol,
    )


def centre_value_spec(
    activities,
    channel: int,
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    beta: float = 0.75,
    digits: int = 4,
) -> NumberSpec:
    """The LRN output of map ``channel`` for one position's ``activities``, to
    ``digits`` significant digits, with the usual slips."""
    x = np.asarray(activities, dtype=np.float64)
    if x.ndim != 1 or not 0 <= channel < x.size:
        raise ValueError(
            f"channel must index the 1-D activities (0 to {x.size - 1}), "
            f"got {channel!r}"
        )
    a = float(x[channel])
    mistakes = [
        Mistake(
            float(lrn.lrn(x, k, n, alpha, beta, alpha_per_n=True)[channel]),
            "That divides alpha by n; the paper multiplies the sum by alpha.",
        ),
        Mistake(
            a / (k + alpha * _window_sum(x**2, n)[channel]),
            "Raise the denominator to the power beta.",
        ),
        Mistake(
            a / (k + alpha * _window_sum(np.abs(x), n)[channel]) ** beta,
            "Sum the squares of the activities, not the activities.",
        ),
        Mistake(
            a / (k + alpha * a**2) ** beta,
            "Sum the squares over the n adjacent maps, not only this map.",
        ),
        Mistake(a / k**beta, "The sum of squares is missing from the denominator."),
    ]
    return NumberSpec(
        float(lrn.lrn(x, k, n, alpha, beta)[channel]),
        mistakes=tuple(mistakes),
        what="the normalised value",
        hint="Compute k + alpha x (sum of squares of the maps within n // 2 of this "
        "one), raise it to beta, divide.",
        digits=digits,
    )


# --------------------------------------------------------------------------- variants
@dataclass(frozen=True, repr=False)
class Constants(variants.Variant):
    """One student's LRN constants and the numbers of questions 1 to 4 and 6."""

    k: float
    n: int
    alpha: float
    beta: float
    caffe_size: int
    caffe_alpha: float
    activities: tuple[float, ...]
    channel: int
    maps: int
    strong: int
    weak: float
    raised: float
    image: int
    classes: int
    budget: int

    @property
    def constants(self) -> dict:
        return {"k": self.k, "n": self.n, "alpha": self.alpha, "beta": self.beta}

    def lines(self) -> list[str]:
        return [
            f"k = {self.k:g}, n = {self.n}, alpha = {self.alpha:g}, beta = "
            f"{self.beta:g}: your layer's constants in the paper's formula",
            f"caffe_size = {self.caffe_size}, caffe_alpha = {self.caffe_alpha:g}: "
            "question 1c's Caffe layer (local_size and alpha)",
            f"activities = {list(self.activities)}, channel = {self.channel}: "
            f"question 2's maps 0 to {len(self.activities) - 1} at one position, "
            f"and the map to normalise",
            f"maps = {self.maps}, strong = {self.strong}, weak = {self.weak:g}, "
            f"raised = {self.raised:g}: question 4's {self.maps} maps (0 to "
            f"{self.maps - 1}) at {self.weak:g}; map {self.strong} rises to "
            f"{self.raised:g}",
            f"image = {self.image}, classes = {self.classes}, budget = "
            f"{self.budget:,}: question 6's {self.image} x {self.image} grey images, "
            f"its classes and its largest parameter count",
        ]

    def choices(self) -> dict:
        s, r = self.strong, self.n // 2
        near = ", ".join(str(i) for i in range(s - r, s + r + 1) if i != s)
        return {
            "inhibited": Options(
                (
                    f"only map {s}",
                    f"maps {s - r} to {s + r}",
                    f"maps {near}",
                    f"all {self.maps} maps",
                ),
                right=_inhibited_option(self),
                hints=_inhibition_hints(_inhibited_option(self)),
            )
        }


def _inhibited(v: Constants) -> frozenset[int]:
    """The maps whose output at the position drops when the strong map rises."""
    before = np.full(v.maps, float(v.weak))
    after = before.copy()
    after[v.strong] = v.raised
    drops = lrn.lrn(after, **v.constants) < lrn.lrn(before, **v.constants)
    return frozenset(int(i) for i in np.flatnonzero(drops))


def _inhibited_option(v: Constants) -> int:
    """Which option (0 to 3) names the maps that drop; -1 if none does."""
    s, r = v.strong, v.n // 2
    window = frozenset(range(s - r, s + r + 1))
    named = [frozenset({s}), window, window - {s}, frozenset(range(v.maps))]
    truth = _inhibited(v)
    return named.index(truth) if truth in named else -1


def _inhibition_hints(right: int) -> dict[int, str]:
    hints = {
        0: "The raised map's square is in the sum of every map within n // 2 of "
        "it, and each of those is divided by that larger sum.",
        1: "Check the raised map itself: compute its output before and after the "
        "rise, and compare.",
        2: "Check the raised map itself: compute its output before and after the "
        "rise, and compare.",
        3: "The sum runs over the n adjacent maps only: maps farther than n // 2 "
        "from the raised one do not see it.",
    }
    return {i: hint for i, hint in hints.items() if i != right}


DEFAULT = Constants(
    1.0,
    7,
    2e-4,
    0.6,
    3,
    5e-4,
    (12.0, 35.0, 28.0, 50.0, 17.0, 41.0),
    3,
    11,
    6,
    20.0,
    80.0,
    12,
    6,
    6_000,
)
"""What Binder, Colab and the published solutions show: not the chapter's."""


def _draw(generator: random.Random) -> Constants:
    n = generator.choice((3, 5, 7, 9, 11))
    maps = generator.randint(n + 2, n + 6)
    count = generator.randint(5, 8)
    return Constants(
        generator.choice((0.5, 1.0, 1.5, 2.0)),
        n,
        generator.choice((5e-5, 1e-4, 2e-4, 3e-4, 5e-4)),
        generator.choice((0.5, 0.6, 0.75, 0.9)),
        generator.choice((3, 5, 7, 9, 11)),
        generator.choice((1e-4, 2e-4, 3e-4, 5e-4, 1e-3)),
        tuple(float(generator.randint(5, 60)) for _ in range(count)),
        generator.randrange(count),
        maps,
        generator.randint(n // 2, maps - 1 - n // 2),
        float(generator.choice((5, 10, 15, 20))),
        float(generator.choice((60, 80, 100, 150))),
        generator.choice((8, 10, 12, 14, 16)),
        generator.randint(4, 12),
        generator.randrange(3_000, 8_500, 500),
        orders=variants.shuffled(generator, {"inhibited": 4}),
    )


def _valid(v: Constants) -> bool:
    chapter = v.constants == lrn.ALEXNET or (v.caffe_size, v.caffe_alpha) == (5, 1e-4)
    return (
        not chapter
        and _inhibited_option(v) >= 0
        and not any(clashes(q._make_spec(v)) for q in NUMERIC)
    )


def variant() -> Constants:
    """The numbers of the student in force (:mod:`cnnbook.checks.variants`)."""
    return variants.draw("ch05", _draw, DEFAULT, _valid)


# --------------------------------------------------------------------------- the bank
@question()
def depth_radius(v: Constants | None = None) -> NumberSpec:
    """1a: TensorFlow's depth_radius for your window of n maps."""
    v = v or variant()
    return NumberSpec(
        lrn.tf_arguments(**v.constants)["depth_radius"],
        mistakes=(
            Mistake(
                v.n,
                "TensorFlow's depth_radius counts the maps on one side: the window "
                "is 2 * depth_radius + 1 maps wide.",
            ),
            Mistake(
                v.n / 2,
                "The window is centred on a map, so its half-width is a whole number.",
            ),
        ),
        what="TensorFlow's depth_radius",
    )


@question()
def tf_alpha(v: Constants | None = None) -> NumberSpec:
    """1b: TensorFlow's alpha for your alpha in the paper's formula."""
    v = v or variant()
    caffe = lrn.tf_arguments(**v.constants, alpha_per_n=True)["alpha"]
    return NumberSpec(
        lrn.tf_arguments(**v.constants)["alpha"],
        rel_tol=1e-6,
        mistakes=(
            Mistake(
                caffe,
                "Dividing by n is Caffe's and PyTorch's convention. TensorFlow, like "
                "the paper's formula, multiplies the sum by alpha as it is.",
            ),
        ),
        what="alpha",
    )


@question()
def caffe_tf_alpha(v: Constants | None = None) -> NumberSpec:
    """1c: TensorFlow's alpha for the Caffe layer."""
    v = v or variant()
    caffe = {**v.constants, "n": v.caffe_size, "alpha": v.caffe_alpha}
    return NumberSpec(
        lrn.tf_arguments(**caffe, alpha_per_n=True)["alpha"],
        rel_tol=1e-6,
        mistakes=(
            Mistake(
                v.caffe_alpha,
                "Caffe divides its alpha by local_size before multiplying the sum; "
                "TensorFlow does not, so divide it yourself.",
            ),
            Mistake(
                v.caffe_alpha * v.caffe_size, "Divide by local_size, do not multiply."
            ),
        ),
        what="alpha",
    )


@question(points=2)
def b2(v: Constants | None = None) -> NumberSpec:
    """2: the normalised value of the chosen map, to 4 significant digits."""
    v = v or variant()
    return centre_value_spec(v.activities, v.channel, **v.constants, digits=4)


@question(points=3)
def my_lrn(v: Constants | None = None) -> FunctionSpec:
    """3: the student's own LRN in NumPy."""
    return lrn_function_spec(constants=(v or variant()).constants)


@question()
def inhibited(v: Constants | None = None) -> ChoiceSpec:
    """4: which maps have a smaller output when the strong map rises."""
    return (v or variant())._choice_spec("inhibited")


@question(points=3)
def model(v: Constants | None = None) -> ModelSpec:
    """6: a Keras model for small grey images with Conv2D then LRN and a softmax,
    within a parameter budget."""
    v = v or variant()
    return ModelSpec(
        (v.image, v.image, 1),
        (v.classes,),
        max_params=v.budget,
        must_contain=("Conv2D", "LocalResponseNormalization"),
        rules=(conv_before("LocalResponseNormalization"), softmax_output),
    )


NUMERIC = (depth_radius, tf_alpha, caffe_tf_alpha, b2)
"""The questions whose named slips a variant must keep apart."""
