"""Local response normalisation (AlexNet, 2012) in NumPy, and its parameter mapping.

AlexNet's paper writes, for the activity :math:`a^i` of map ``i`` at one
position and ``N`` maps in the layer,

.. math::

    b^i = a^i \\Big/ \\Big(k + \\alpha \\sum_{j=\\max(0, i-n/2)}^{\\min(N-1, i+n/2)}
    (a^j)^2\\Big)^\\beta

with ``k=2, n=5, alpha=1e-4, beta=0.75``. The sum runs over ``n`` adjacent maps
(fewer at the edges): ``n/2`` is rounded down, so ``n`` should be odd.

Libraries disagree on ``alpha``:

* the paper and ``tf.nn.local_response_normalization`` multiply the sum by
  ``alpha`` as it is (TensorFlow: ``depth_radius = n // 2``, ``bias = k``);
* Caffe, PyTorch's ``LocalResponseNorm`` and cuda-convnet multiply it by
  ``alpha / n``: cuda-convnet's ``layer.py`` divides the configured ``scale``
  by ``size`` for cross-map normalisation, and the one ImageNet configuration
  cuda-convnet2 ships (a one-GPU network of 2014, not AlexNet itself) sets
  ``scale=0.0001, pow=0.75, minDiv=2, size=5``, AlexNet's constants; if
  AlexNet was configured alike, it trained with ``alpha / n = 2e-5``.

:func:`lrn` takes the convention as an argument (``alpha_per_n``), and
:func:`tf_arguments` gives the TensorFlow arguments for either one. Nothing here
imports TensorFlow; the Keras layer is in :mod:`cnnbook.referee.lrn_layer`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = [
    "ALEXNET",
    "ALEXNET_LRN_GAIN",
    "VGG_LRN",
    "crossover",
    "divisor",
    "inhibition_stack",
    "lrn",
    "map_correlations",
    "reach",
    "self_inhibition_peak",
    "tf_arguments",
]

ALEXNET = {"k": 2.0, "n": 5, "alpha": 1e-4, "beta": 0.75}
"""The constants of Krizhevsky et al. (2012), section 3.3."""

ALEXNET_LRN_GAIN = {"top1": 1.4, "top5": 1.2}
"""Error reductions (percentage points) AlexNet's paper attributes to LRN."""

VGG_LRN = {"A": (29.6, 10.4), "A-LRN": (29.7, 10.5)}
"""VGG's Table 3: top-1 and top-5 validation error (%) of net A without and
with LRN (Simonyan and Zisserman, 2015)."""


def _real(arg: str, value: object, low: float, strict: bool = False) -> float:
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and (value > low if strict else value >= low)
    )
    if not ok:
        sign = ">" if strict else ">="
        raise ValueError(f"{arg} must be a finite number {sign} {low:g}, got {value!r}")
    return float(value)


def _window(n: object) -> int:
    integer = isinstance(n, numbers.Integral) and not isinstance(n, bool)
    if not integer or n < 1 or n % 2 == 0:
        raise ValueError(
            f"n must be an odd positive integer (the window is centred on the map), "
            f"got {n!r}"
        )
    return int(n)


def _check(k, n, alpha, beta, alpha_per_n) -> tuple[float, int, float, float]:
    if not isinstance(alpha_per_n, bool):
        raise ValueError(f"alpha_per_n must be True or False, got {alpha_per_n!r}")
    return (
        _real("k", k, 0.0, strict=True),
        _window(n),
        _real("alpha", alpha, 0.0),
        _real("beta", beta, 0.0),
    )


def tf_arguments(
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    beta: float = 0.75,
    alpha_per_n: bool = False,
) -> dict[str, float | int]:
    """Keyword arguments of ``tf.nn.local_response_normalization`` for these
    constants: ``depth_radius = n // 2``, ``bias = k``, and ``alpha`` as is
    (the paper's convention) or ``alpha / n`` (``alpha_per_n=True``, Caffe's)."""
    k, n, alpha, beta = _check(k, n, alpha, beta, alpha_per_n)
    return {
        "depth_radius": n // 2,
        "bias": k,
        "alpha": alpha / n if alpha_per_n else alpha,
        "beta": beta,
    }


def _as_array(x: object) -> np.ndarray:
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        kind = type(x).__name__
        raise ValueError(f"x must be an array of numbers, got {kind}") from None
    if array.ndim < 1 or array.shape[-1] < 1:
        raise ValueError(
            f"x must have a last (channel) axis of length >= 1, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError("x must contain finite numbers only")
    return array


def _window_sums(array: np.ndarray, n: int) -> np.ndarray:
    """Sum of squares over the ``n`` nearest maps (last axis, zeros past the edges)."""
    radius, channels = n // 2, array.shape[-1]
    padded = np.pad(array**2, [(0, 0)] * (array.ndim - 1) + [(radius, radius)])
    return sum(padded[..., j : j + channels] for j in range(n))


def divisor(
    x: object,
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    beta: float = 0.75,
    alpha_per_n: bool = False,
) -> np.ndarray:
    """``(k + alpha * sum of squares over the n nearest maps) ** beta`` for every
    value of ``x`` (channels on the last axis); ``lrn(x) == x / divisor(x)``."""
    k, n, alpha, beta = _check(k, n, alpha, beta, alpha_per_n)
    scale = alpha / n if alpha_per_n else alpha
    return (k + scale * _window_sums(_as_array(x), n)) ** beta


def reach(
    x: object,
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    alpha_per_n: bool = False,
) -> np.ndarray:
    """``alpha * (sum of squares over the n nearest maps) / k`` for every value.

    Where it is well below 1, the divisor is about ``k ** beta`` whatever the
    neighbours do: LRN is then a constant division, not an inhibition. Where it
    passes 1 (the crossover), the neighbours' activity dominates the divisor.
    """
    k, n, alpha, _ = _check(k, n, alpha, 1.0, alpha_per_n)
    scale = alpha / n if alpha_per_n else alpha
    return scale * _window_sums(_as_array(x), n) / k


def crossover(
    k: float = 2.0, n: int = 5, alpha: float = 1e-4, alpha_per_n: bool = False
) -> float:
    """The activity ``a`` at which ``alpha * n * a**2 = k``: with ``a`` in all
    ``n`` maps of a window, the sum then weighs as much as ``k`` (reach 1)."""
    k, n, alpha, _ = _check(k, n, alpha, 1.0, alpha_per_n)
    scale = alpha / n if alpha_per_n else alpha
    if scale == 0:
        return math.inf
    return math.sqrt(k / (scale * n))


def self_inhibition_peak(
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    beta: float = 0.75,
    alpha_per_n: bool = False,
) -> float:
    """The activity at which a lone map's output ``a / (k + alpha a**2) ** beta``
    is largest: ``sqrt(k / (alpha (2 beta - 1)))``. A map is in its own window,
    so beyond this point a stronger input gives a *smaller* output. With
    ``beta <= 0.5`` (or ``alpha == 0``) the output only grows: ``inf``."""
    k, n, alpha, beta = _check(k, n, alpha, beta, alpha_per_n)
    scale = alpha / n if alpha_per_n else alpha
    if scale == 0 or beta <= 0.5:
        return math.inf
    return math.sqrt(k / (scale * (2 * beta - 1)))


def map_correlations(activations: object, n: int = 5) -> dict[str, float | int]:
    """How alike a layer's feature maps respond (channels on the last axis).

    Every map's values over all other axes (images and positions) form one
    vector; returns the mean absolute Pearson correlation between maps at most
    ``n // 2`` apart (the pairs LRN couples: ``"neighbours"``) and between maps
    further apart (``"others"``), and the number of maps that never vary
    (``"dead"``, left out). Lower correlations mean more specialised maps.
    """
    n = _window(n)
    array = _as_array(activations)
    flat = array.reshape(-1, array.shape[-1])
    alive = np.flatnonzero(flat.std(axis=0) > 0)
    if len(alive) < 2:
        raise ValueError(
            f"activations must have at least 2 maps that vary, got {len(alive)}"
        )
    r = np.abs(np.corrcoef(flat[:, alive].T))
    apart = np.abs(alive[:, None] - alive[None, :])
    near, far = (apart > 0) & (apart <= n // 2), apart > n // 2
    return {
        "neighbours": float(r[near].mean()) if near.any() else math.nan,
        "others": float(r[far].mean()) if far.any() else math.nan,
        "dead": int(array.shape[-1] - len(alive)),
    }


def lrn(
    x: object,
    k: float = 2.0,
    n: int = 5,
    alpha: float = 1e-4,
    beta: float = 0.75,
    alpha_per_n: bool = False,
) -> np.ndarray:
    """Local response normalisation across channels (the last axis) in float64.

    Defaults are AlexNet's constants. With ``alpha_per_n=False`` this equals
    ``tf.nn.local_response_normalization(x, **tf_arguments(k, n, alpha, beta))``.
    """
    array = _as_array(x)
    return array / divisor(array, k, n, alpha, beta, alpha_per_n)


def inhibition_stack(
    channels: int = 9,
    size: int = 7,
    strong: int | None = None,
    strong_value: float = 100.0,
    weak_value: float = 10.0,
) -> np.ndarray:
    """A stack of feature maps (size x size x channels) for showing inhibition.

    Every map holds ``weak_value`` everywhere; map ``strong`` (the middle one by
    default) holds ``strong_value`` in a central square of 2 * (size // 4) + 1
    pixels a side, so its neighbouring maps differ from the others only there.
    """
    if (
        not isinstance(channels, numbers.Integral)
        or isinstance(channels, bool)
        or (channels < 1)
    ):
        raise ValueError(f"channels must be a positive integer, got {channels!r}")
    if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1:
        raise ValueError(f"size must be a positive integer, got {size!r}")
    if strong is None:
        strong = channels // 2
    if (
        not isinstance(strong, numbers.Integral)
        or isinstance(strong, bool)
        or not 0 <= strong < channels
    ):
        raise ValueError(
            f"strong must be a map index between 0 and {channels - 1}, got {strong!r}"
        )
    strong_value = _real("strong_value", strong_value, 0.0)
    weak_value = _real("weak_value", weak_value, 0.0)
    stack = np.full((size, size, channels), weak_value)
    side = 2 * (size // 4) + 1
    start = (size - side) // 2
    stack[start : start + side, start : start + side, strong] = strong_value
    return stack
