"""The lateral-inhibition explorer of chapter 5: vary k, n, alpha, beta.

A small stack of feature maps (by default :func:`cnnbook.science.lrn.inhibition_stack`:
nine 7 x 7 maps, the middle one strongly activated at the centre) goes through
local response normalisation. The explorer draws every map before and after,
and the fraction of each value LRN keeps, and lists, map by map, the value at
the centre before and after. Bad settings show the ValueError's message instead.

:class:`LRNExplorer` is an anywidget: the stack travels in the page as a JSON
trait and its ES module (``lrn_explorer.js``) computes LRN with the
formula of :func:`cnnbook.science.lrn.lrn` and draws with SVG, so the published book
recomputes with no kernel. ``output``, ``kept``, ``error`` and
:meth:`LRNExplorer.text` give the Python side's answer (NumPy, float64) for the
current settings; :func:`describe` is the parity contract the page's
``describeJSON(settings)`` meets (to 1e-9 relative: sums in another order).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import anywidget
import numpy as np
import traitlets

from cnnbook.science import lrn
from cnnbook.widgets.esm import CSS, esm

__all__ = ["ESM", "LRNExplorer", "describe"]

ESM = esm("lrn_explorer.js")
"""The ES module that renders the explorer and computes LRN (common.js, then
lrn_explorer.js)."""

MAX_VALUES = 20_000
"""The largest stack (height x width x channels) the explorer carries."""


def centre(stack: np.ndarray) -> tuple[int, int]:
    """The (row, column) the table reports: the middle of the maps."""
    return stack.shape[0] // 2, stack.shape[1] // 2


def inhibition_rows(stack: np.ndarray, output: np.ndarray) -> list[list[object]]:
    """One row per map at the centre position: input, output, kept fraction."""
    row, col = centre(stack)
    rows = []
    for channel in range(stack.shape[-1]):
        before = float(stack[row, col, channel])
        after = float(output[row, col, channel])
        kept = after / before if before else float("nan")
        rows.append([channel, f"{before:,.2f}", f"{after:,.3f}", f"{kept:.3f}"])
    return rows


def _stack(stack: object) -> np.ndarray:
    """A height x width x channels array of finite numbers, small enough."""
    message = "stack must be a height x width x channels array of finite numbers"
    try:
        array = np.asarray(stack, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{message}, got {type(stack).__name__}") from None
    if array.ndim != 3 or 0 in array.shape:
        raise ValueError(f"{message}, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{message}; it holds inf or nan")
    if array.size > MAX_VALUES:
        raise ValueError(
            f"stack must hold at most {MAX_VALUES:,} values (it travels "
            f"in the page), got {array.size:,}"
        )
    return array


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class LRNExplorer(anywidget.AnyWidget):
    """Change AlexNet's constants and see a strong map inhibit its neighbours.

    ``k, n, alpha, beta`` start at AlexNet's constants; ``alpha_per_n=True``
    divides alpha by n (Caffe's convention). The maps are ``stack`` if given,
    else ``lrn.inhibition_stack(channels, size, strong_value=...,
    weak_value=...)``. Values out of range (an even n, k <= 0) are accepted and
    shown as a message in place of the results, as the page does when they are
    typed in; arguments of the wrong type raise ValueError.
    """

    _esm = ESM
    _css = CSS
    k = traitlets.Float(allow_none=True).tag(sync=True)
    n = traitlets.Int(allow_none=True).tag(sync=True)
    alpha = traitlets.Float(allow_none=True).tag(sync=True)
    beta = traitlets.Float(allow_none=True).tag(sync=True)
    alpha_per_n = traitlets.Bool().tag(sync=True)
    stack = traitlets.List().tag(sync=True)

    def __init__(
        self,
        k: float = 2.0,
        n: int = 5,
        alpha: float = 1e-4,
        beta: float = 0.75,
        alpha_per_n: bool = False,
        strong_value: float = 100.0,
        weak_value: float = 10.0,
        channels: int = 9,
        size: int = 7,
        stack: Sequence | np.ndarray | None = None,
        **kwargs,
    ):
        for arg, value in (("k", k), ("alpha", alpha), ("beta", beta)):
            if not _is_number(value):
                raise ValueError(f"{arg} must be a number, got {value!r}")
        if not isinstance(n, numbers.Integral) or isinstance(n, bool):
            raise ValueError(f"n must be an integer, got {n!r}")
        if not isinstance(alpha_per_n, bool):
            raise ValueError(f"alpha_per_n must be True or False, got {alpha_per_n!r}")
        if stack is None:
            stack = lrn.inhibition_stack(
                channels, size, strong_value=strong_value, weak_value=weak_value
            )
        maps = _stack(stack)
        super().__init__(
            k=float(k),
            n=int(n),
            alpha=float(alpha),
            beta=float(beta),
            alpha_per_n=alpha_per_n,
            stack=maps.tolist(),
            **kwargs,
        )

    def _compute(self):
        """(input, output), or the error message."""
        stack = np.asarray(self.stack, dtype=np.float64)
        try:  # lrn checks every constant, a cleared box (None) included
            output = lrn.lrn(
                stack, self.k, self.n, self.alpha, self.beta, self.alpha_per_n
            )
        except ValueError as err:
            return None, str(err)
        return (stack, output), None

    @property
    def error(self) -> str | None:
        """The message the page shows in place of results, or None."""
        return self._compute()[1]

    @property
    def output(self) -> np.ndarray | None:
        """The normalised stack, None while the settings are invalid."""
        result = self._compute()[0]
        return None if result is None else result[1]

    @property
    def kept(self) -> np.ndarray | None:
        """Output / input at the centre, map by map (nan where the input is 0)."""
        result = self._compute()[0]
        if result is None:
            return None
        stack, output = result
        row, col = centre(stack)
        with np.errstate(invalid="ignore", divide="ignore"):
            return output[row, col] / stack[row, col]

    def text(self) -> dict:
        """What the page shows, as text: ``{"error"}``, or the table's rows and
        the bars (label, kept fraction, bar width in %); the page must agree."""
        result, error = self._compute()
        if error is not None:
            return {"error": error}
        stack, output = result
        rows = inhibition_rows(stack, output)
        at_centre = stack[centre(stack)]
        if at_centre.max() > at_centre.min():
            strong = int(np.argmax(at_centre))
            rows[strong][0] = f"{strong} (strong)"
        kept = self.kept
        finite = kept[np.isfinite(kept)]
        largest = max(float(finite.max()) if finite.size else 0.0, 1e-12)
        bars = [
            [f"map {c}", f"{v:.3f}", f"{60 * v / largest:.1f}"]
            for c, v in enumerate(np.nan_to_num(kept).tolist())
        ]
        return {"rows": [[str(cell) for cell in row] for row in rows], "bars": bars}

    def __repr__(self) -> str:
        error = self.error
        shape = " x ".join(map(str, np.shape(self.stack)))
        if error is not None:
            return f"LRNExplorer: {error}"
        return (
            f"LRNExplorer: {shape} maps, k={self.k:g}, n={self.n}, "
            f"alpha={self.alpha:g}, beta={self.beta:g}"
        )


SETTINGS = ("stack", "k", "n", "alpha", "beta", "alpha_per_n")
"""The synced settings :func:`describe` and the page's ``describeJSON`` read."""


def describe(settings: Mapping) -> dict:
    """What the page computes for ``settings`` (as the page sets them, with no
    checks): ``{"error"}``, or the normalised ``output``, the fraction ``kept``
    at the centre map by map (``None`` where the input is 0) and the ``text``
    of :meth:`LRNExplorer.text`."""
    widget = LRNExplorer(stack=settings["stack"])
    for name in SETTINGS[1:]:
        setattr(widget, name, settings[name])
    if widget.error is not None:
        return {"error": widget.error}
    kept = [None if math.isnan(v) else v for v in widget.kept.tolist()]
    return {"output": widget.output.tolist(), "kept": kept, "text": widget.text()}
