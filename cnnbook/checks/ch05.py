"""Exercise checks for chapter 5: a student's LRN function, and LRN arithmetic.

Built on :class:`cnnbook.checks.feedback.Feedback` and its conventions: an answer
left as ``...`` or ``None`` is "Not answered yet"; a wrong answer gets a hint about what
to revisit, recognised from the usual slips; only the instructor's arguments
raise ValueError.
"""

from __future__ import annotations

import numpy as np

from cnnbook.checks.feedback import Feedback, is_unanswered, right, unanswered, wrong
from cnnbook.checks.specs import Mistake, NumberSpec, check_rel_tol
from cnnbook.science import lrn

__all__ = ["centre_value", "centre_value_spec", "lrn_function"]

_CASES = (
    # (shape, constants): AlexNet's first, then others that expose other slips
    ((3, 4, 12), lrn.ALEXNET),
    ((2, 9), {"k": 1.0, "n": 3, "alpha": 0.01, "beta": 0.5}),
    ((5, 7), {"k": 0.5, "n": 5, "alpha": 0.05, "beta": 1.0}),
    ((4, 2), {"k": 1.0, "n": 5, "alpha": 0.1, "beta": 0.75}),
)


def _wrap_around(x, k, n, alpha, beta):
    """The window wraps from the last map to the first (np.roll)."""
    shifts = range(-(n // 2), n // 2 + 1)
    window = sum(np.roll(x**2, shift, axis=-1) for shift in shifts)
    return x / (k + alpha * window) ** beta


def _slips(x, k, n, alpha, beta) -> list[tuple[np.ndarray, str]]:
    return [
        (
            lrn.lrn(x, k, n, alpha, beta, alpha_per_n=True),
            "Your function divides alpha by n (Caffe's and PyTorch's convention); the "
            "paper's formula, like TensorFlow, multiplies the sum by alpha as it is.",
        ),
        (
            _wrap_around(x, k, n, alpha, beta),
            "The first and last maps are off: the window must stop at the edges of the "
            "channel axis (fewer maps there), not wrap around to the other end.",
        ),
        (
            x / (k + alpha * _window_sum(np.abs(x), n)) ** beta,
            "The sum is of squared activities, (a^j)^2, not of their sizes.",
        ),
        (
            x / np.abs(k + alpha * _window_sum(x, n)) ** beta,
            "The sum is of squared activities, (a^j)^2, not of the activities.",
        ),
        (
            x / (k + alpha * _window_sum(x**2, n)),
            "The whole denominator is raised to the power beta.",
        ),
        (
            x / (k + alpha * x**2) ** beta,
            "Each value is divided using only its own square: sum the squares of the "
            "n adjacent maps (itself included).",
        ),
    ] + [
        (
            lrn.lrn(x, k, m, alpha, beta),
            f"Your window spans {m} maps instead of n: it runs from n // 2 maps below "
            "to n // 2 maps above, itself included.",
        )
        for m in (n - 2, n + 2)
        if m >= 1
    ]


def _window_sum(values: np.ndarray, n: int) -> np.ndarray:
    radius, channels = n // 2, values.shape[-1]
    padded = np.pad(values, [(0, 0)] * (values.ndim - 1) + [(radius, radius)])
    return sum(padded[..., j : j + channels] for j in range(n))


def lrn_function(answer: object, rel_tol: float = 1e-6) -> Feedback:
    """A function ``f(x, k, n, alpha, beta)`` normalising across the last axis
    as in AlexNet's paper, compared with :func:`cnnbook.science.lrn.lrn` on a few
    inputs."""
    rel_tol = check_rel_tol(rel_tol)
    if is_unanswered(answer):
        return unanswered()
    if not callable(answer):
        return wrong(
            f"give a function f(x, k, n, alpha, beta), got {type(answer).__name__}."
        )
    rng = np.random.default_rng(5)
    for shape, constants in _CASES:
        x = rng.normal(scale=10.0, size=shape)
        c = dict(constants)
        expected = lrn.lrn(x, **c)
        try:
            result = answer(x.copy(), c["k"], c["n"], c["alpha"], c["beta"])
            if is_unanswered(result):
                return unanswered(
                    "your function returns nothing yet: write its body and return "
                    "the normalised array."
                )
            got = np.asarray(result, dtype=np.float64)
        except Exception as err:  # the student's code: report, never raise
            return wrong(
                f"calling your function on an input of shape {shape} raised "
                f"{type(err).__name__}: {err}"
            )
        if got.shape != expected.shape:
            return wrong(
                f"for an input of shape {shape} your function returned shape "
                f"{got.shape}; LRN keeps the shape."
            )
        if np.allclose(got, expected, rtol=rel_tol, atol=rel_tol):
            continue
        for slipped, hint in _slips(x, **c):
            if np.allclose(got, slipped, rtol=1e-6, atol=1e-9):
                return wrong(hint)
        return wrong(
            f"on an input of shape {shape} with k={c['k']:g}, n={c['n']}, "
            f"alpha={c['alpha']:g}, beta={c['beta']:g} your output differs. Check "
            "the formula term by term against the chapter."
        )
    return right(
        f"your function matches the reference on {len(_CASES)} inputs, edges included."
    )


def centre_value(
    answer: object,
    activities,
    channel: int,
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    beta: float = 0.75,
    rel_tol: float = 1e-4,
) -> Feedback:
    """The LRN output of map ``channel`` for one position's ``activities``."""
    return centre_value_spec(activities, channel, k, n, alpha, beta, rel_tol).judge(
        answer
    )


def centre_value_spec(
    activities,
    channel: int,
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    beta: float = 0.75,
    rel_tol: float = 1e-4,
) -> NumberSpec:
    """What :func:`centre_value` compares against, with the usual slips."""
    x = np.asarray(activities, dtype=np.float64)
    if x.ndim != 1 or not 0 <= channel < x.size:
        raise ValueError(
            f"channel must index the 1-D activities (0 to {x.size - 1}), "
            f"got {channel!r}"
        )
    expected = float(lrn.lrn(x, k, n, alpha, beta)[channel])
    mistakes = [
        Mistake(
            float(lrn.lrn(x, k, n, alpha, beta, alpha_per_n=True)[channel]),
            "That divides alpha by n; the paper multiplies the sum by alpha.",
        ),
        Mistake(
            float(x[channel] / (k + alpha * _window_sum(x**2, n)[channel])),
            "Raise the denominator to the power beta.",
        ),
        Mistake(
            float(
                x[channel] / (k + alpha * _window_sum(np.abs(x), n)[channel]) ** beta
            ),
            "Sum the squares of the activities, not the activities.",
        ),
        Mistake(
            float(x[channel] / (k + alpha * x[channel] ** 2) ** beta),
            "Sum the squares over the n adjacent maps, not only this map.",
        ),
        Mistake(
            float(x[channel] / k**beta),
            "The sum of squares is missing from the denominator.",
        ),
    ]
    return NumberSpec(
        expected,
        rel_tol=rel_tol,
        mistakes=tuple(mistakes),
        what="the normalised value",
        hint="Compute k + alpha x (sum of squares of the maps "
        "within n // 2 of this one), raise it to beta, divide.",
    )
