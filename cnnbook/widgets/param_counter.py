"""Chapter 1's parameter counter: a Dense and a Conv2D layer on the same image.

An anywidget that computes in the page itself (``param_counter.js``), so the
published book (static HTML, no kernel) stays interactive. The Python class
checks its constructor arguments and gives the Python answer for the current
settings; :func:`describe` is the parity contract the page's
``describeJSON(settings)`` must meet. Bad settings typed into the page show the
ValueError message of the Python side in place of the results.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import anywidget
import traitlets

from cnnbook import calc
from cnnbook.validate import is_int
from cnnbook.widgets.esm import CSS, esm

__all__ = ["ESM", "ParameterCounter", "describe", "parameter_counts"]

ESM = esm("param_counter.js")
"""The ES module of :class:`ParameterCounter` (common.js, then param_counter.js)."""


def parameter_counts(
    input_shape, units: int, filters: int, kernel_size: int
) -> dict[str, int]:
    """Parameters of a Dense layer and of a Conv2D layer on the same image.

    The Dense layer sees the flattened image and has ``units`` outputs; the
    Conv2D layer has ``filters`` filters of ``kernel_size`` x ``kernel_size``
    (SAME padding). ``conv_outputs`` is the number of values the conv layer
    outputs and ``dense_same_outputs`` the parameters a Dense layer would need
    to output that many values.
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(
            f"input_shape must be (height, width, channels), got {input_shape!r}"
        )
    dense = calc.analyze(input_shape, [calc.Flatten(), calc.Dense(units)])
    conv = calc.analyze(
        input_shape, [calc.Conv2D(filters, kernel_size, padding="same")]
    )
    inputs = math.prod(input_shape)
    outputs = math.prod(conv.layers[0].output_shape)
    return {
        "dense": dense.params,
        "conv": conv.params,
        "conv_outputs": outputs,
        "dense_same_outputs": (inputs + 1) * outputs,
    }


COUNTER_SETTINGS = ("height", "width", "channels", "units", "filters", "kernel_size")


class ParameterCounter(anywidget.AnyWidget):
    """Vary the image size, units, filters and kernel; read both parameter counts.

    Integers that make no layer (0, negative) are accepted and shown as calc's
    message in place of the counts; arguments that are not integers raise
    ValueError. ``counts`` is :func:`parameter_counts` for the current
    settings (None while they are invalid), ``text`` the formatted cells the
    page shows and ``error`` the message shown instead.
    """

    _esm = ESM
    _css = CSS
    height = traitlets.Int(allow_none=True).tag(sync=True)
    width = traitlets.Int(allow_none=True).tag(sync=True)
    channels = traitlets.Int(allow_none=True).tag(sync=True)
    units = traitlets.Int(allow_none=True).tag(sync=True)
    filters = traitlets.Int(allow_none=True).tag(sync=True)
    kernel_size = traitlets.Int(allow_none=True).tag(sync=True)

    def __init__(
        self,
        height: int = 200,
        width: int = 300,
        channels: int = 3,
        units: int = 100,
        filters: int = 100,
        kernel_size: int = 3,
        **kwargs,
    ):
        values = dict(
            zip(
                COUNTER_SETTINGS,
                (height, width, channels, units, filters, kernel_size),
                strict=True,
            )
        )
        for arg, value in values.items():
            if not is_int(value):
                raise ValueError(f"{arg} must be an integer, got {value!r}")
        super().__init__(**{k: int(v) for k, v in values.items()}, **kwargs)

    @property
    def shape(self) -> tuple:
        return (self.height, self.width, self.channels)

    def _compute(self):
        try:
            counts = parameter_counts(
                self.shape, self.units, self.filters, self.kernel_size
            )
        except ValueError as err:
            return None, str(err)
        return counts, None

    @property
    def counts(self) -> dict[str, int] | None:
        return self._compute()[0]

    @property
    def error(self) -> str | None:
        """The message the page shows in place of the counts, or None."""
        return self._compute()[1]

    @property
    def text(self) -> dict[str, str] | None:
        """The formatted numbers and formulas the page shows (None on error)."""
        c = self.counts
        if c is None:
            return None
        k, shape = self.kernel_size, self.shape
        return {
            "dense": f"{c['dense']:,}",
            "conv": f"{c['conv']:,}",
            "dense_formula": f"({'x'.join(map(str, shape))} + 1) x {self.units}",
            "conv_formula": f"({k}x{k}x{shape[2]} + 1) x {self.filters}",
            "ratio": f"{c['dense'] / c['conv']:,.0f}",
            "conv_outputs": f"{c['conv_outputs']:,}",
            "dense_same_outputs": f"{c['dense_same_outputs']:,}",
        }

    def __repr__(self) -> str:
        if self.error is not None:
            return f"ParameterCounter: {self.error}"
        t = self.text
        return (
            f"ParameterCounter: Dense {t['dense']} parameters, "
            f"Conv2D {t['conv']} parameters"
        )


def describe(settings: Mapping) -> dict:
    """What the page shows for ``settings`` (the counter's six synced values):
    ``{"error"}``, or ``{"counts", "text"}`` with counts as decimal strings.
    The page's ``describeJSON(settings)`` must return exactly this."""
    widget = ParameterCounter()
    for name in COUNTER_SETTINGS:
        setattr(widget, name, settings[name])
    if widget.error is not None:
        return {"error": widget.error}
    return {
        "counts": {k: str(v) for k, v in widget.counts.items()},
        "text": widget.text,
    }
