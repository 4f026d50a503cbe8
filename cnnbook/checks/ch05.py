"""Chapter 5's questions: LRN's constants in TensorFlow, one value by hand, a
student's LRN function, lateral inhibition and a model with an LRN layer.

Expected values come from :mod:`cnnbook.science.lrn` (its ``tf_arguments``
and ``lrn``, the float64 reference equal to TensorFlow's); the usual slips
(alpha divided by n, the window wrapped around, the power beta forgotten...)
are recognised and named.
"""

from __future__ import annotations

import numpy as np

from cnnbook.checks.bank import question
from cnnbook.checks.choices import ChoiceSpec
from cnnbook.checks.functions import FunctionSpec
from cnnbook.checks.models import ModelSpec, conv_before
from cnnbook.checks.specs import Mistake, NumberSpec
from cnnbook.science import lrn

__all__ = ["centre_value_spec", "lrn_function_spec"]

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


def lrn_function_spec(rel_tol: float = 1e-6) -> FunctionSpec:
    """A function ``f(x, k, n, alpha, beta)`` normalising across the last axis
    as in AlexNet's paper, compared with :func:`cnnbook.science.lrn.lrn` on a few
    inputs (edges and other constants included)."""
    rng = np.random.default_rng(5)
    cases = tuple(
        (rng.normal(scale=10.0, size=shape), c["k"], c["n"], c["alpha"], c["beta"])
        for shape, c in _CASES
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


# --------------------------------------------------------------------------- the bank
CAFFE = {"k": 2.0, "n": 5, "alpha": 1e-4, "beta": 0.75}
"""Question 1c: the constants of the Caffe model file (Caffe divides alpha by n)."""
ACTIVITIES = (10.0, 20.0, 30.0, 40.0, 50.0)
"""Question 2: the activities of maps 0 to 4 at one position."""
CHANNEL = 2
MAPS, STRONG, WEAK, RAISED = 9, 4, 10.0, 100.0
"""Question 4: nine maps at 10; map 4 rises to 100."""
INHIBITION_OPTIONS = {
    "a": frozenset({STRONG}),
    "b": frozenset(range(STRONG - 2, STRONG + 3)),
    "c": frozenset({STRONG - 2, STRONG - 1, STRONG + 1, STRONG + 2}),
    "d": frozenset(range(MAPS)),
}
"""Question 4's options: the maps each one names."""


@question()
def depth_radius() -> NumberSpec:
    """1a: TensorFlow's depth_radius for AlexNet's window of n = 5 maps."""
    n = lrn.ALEXNET["n"]
    return NumberSpec(
        lrn.tf_arguments(**lrn.ALEXNET)["depth_radius"],
        mistakes=(
            Mistake(
                n,
                "TensorFlow's depth_radius counts the maps on one side: the window "
                "is 2 * depth_radius + 1 maps wide.",
            ),
            Mistake(
                n / 2,
                "The window is centred on a map, so its half-width is a whole number.",
            ),
        ),
        what="TensorFlow's depth_radius",
    )


@question()
def tf_alpha() -> NumberSpec:
    """1b: TensorFlow's alpha for the paper's alpha = 1e-4."""
    caffe = lrn.tf_arguments(**lrn.ALEXNET, alpha_per_n=True)["alpha"]
    return NumberSpec(
        lrn.tf_arguments(**lrn.ALEXNET)["alpha"],
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
def caffe_tf_alpha() -> NumberSpec:
    """1c: TensorFlow's alpha for a Caffe layer with alpha 1e-4 and local_size 5."""
    return NumberSpec(
        lrn.tf_arguments(**CAFFE, alpha_per_n=True)["alpha"],
        rel_tol=1e-6,
        mistakes=(
            Mistake(
                CAFFE["alpha"],
                "Caffe divides its alpha by local_size before multiplying the sum; "
                "TensorFlow does not, so divide it yourself.",
            ),
            Mistake(
                CAFFE["alpha"] * CAFFE["n"], "Divide by local_size, do not multiply."
            ),
        ),
        what="alpha",
    )


@question(points=2)
def b2() -> NumberSpec:
    """2: the normalised value of map 2, to 4 significant digits or more."""
    return centre_value_spec(ACTIVITIES, CHANNEL, **lrn.ALEXNET, digits=4)


@question(points=3)
def my_lrn() -> FunctionSpec:
    """3: the student's own LRN in NumPy."""
    return lrn_function_spec()


def _inhibited() -> frozenset[int]:
    """The maps whose output at the position drops when map STRONG rises."""
    before = np.full(MAPS, WEAK)
    after = before.copy()
    after[STRONG] = RAISED
    return frozenset(int(i) for i in np.flatnonzero(lrn.lrn(after) < lrn.lrn(before)))


@question()
def inhibited() -> ChoiceSpec:
    """4: which maps have a smaller output when map 4 rises from 10 to 100."""
    truth = _inhibited()
    (right,) = [label for label, maps in INHIBITION_OPTIONS.items() if maps == truth]
    unseen = sorted(set(range(MAPS)) - INHIBITION_OPTIONS["b"])
    return ChoiceSpec(
        right,
        "abcd",
        {
            "a": "Map 4's square is in the sum of every map within n // 2 = 2 of it, "
            "and each of those is divided by that larger sum.",
            "b": "Check map 4 itself: compute its output b^4 before and after the "
            "rise, and compare.",
            "d": f"The sum runs over n = 5 adjacent maps only: maps "
            f"{', '.join(map(str, unseen[:-1]))} and {unseen[-1]} do not see map 4.",
        },
    )


@question(points=3)
def model() -> ModelSpec:
    """6: a Keras model for 8 x 8 grey images with Conv2D then LRN, at most 5,000
    parameters."""
    return ModelSpec(
        (8, 8, 1),
        (10,),
        max_params=5_000,
        must_contain=("Conv2D", "LocalResponseNormalization"),
        rules=(conv_before("LocalResponseNormalization"),),
    )
