"""Chapter 7's receptive-field calculator: what a stack sees, and what it costs.

`LiveReceptiveFieldCalculator` keeps a stack of convolutions (full, depthwise
or depthwise-separable, each with its kernel, stride, dilation and padding) in
two synced traits; its ES module (``receptive_field.js``) computes, in the
page, every layer's receptive field, jump, the input pixels its first unit
sees, parameters and multiply-adds, and what one convolution with the same
field would cost. It mirrors :mod:`cnnbook.calc`; :func:`describe` is the
Python side of the parity contract the page's ``describeJSON(settings)`` meets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import anywidget
import traitlets

from cnnbook import calc
from cnnbook.units import format_int
from cnnbook.widgets.esm import CSS, esm
from cnnbook.widgets.layer_list import LayerList, check_input_shape, check_layers

__all__ = ["ESM", "LiveReceptiveFieldCalculator", "describe", "layer_spec"]

ESM = esm("receptive_field.js")
"""The ES module that renders the calculator and does its arithmetic
(common.js, then receptive_field.js)."""

LAYER_KINDS = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")
PADDINGS = ("same", "valid")
LAYER_DEFAULTS = {
    "kind": "Conv2D",
    "filters": 64,
    "kernel_size": 3,
    "strides": 1,
    "dilation_rate": 1,
    "padding": "same",
}

SEED_INPUT_SHAPE = (224, 224, 3)
SEED_LAYERS = (
    {**LAYER_DEFAULTS, "filters": 32, "strides": 2},
    {**LAYER_DEFAULTS, "kind": "DepthwiseConv2D"},
    {**LAYER_DEFAULTS, "kind": "SeparableConv2D", "filters": 64, "strides": 2},
    {**LAYER_DEFAULTS, "kind": "SeparableConv2D", "dilation_rate": 2},
)
"""A MobileNet-like start: a 3x3 convolution, then depthwise and separable
layers, the last one dilated."""


def layer_spec(kind, filters, kernel_size, strides, dilation_rate, padding):
    """The calc layer for one calculator row; a depthwise layer ignores
    ``filters`` (it keeps the input's maps)."""
    if kind == "Conv2D":
        return calc.Conv2D(
            filters, kernel_size, strides, padding, dilation_rate=dilation_rate
        )
    if kind == "DepthwiseConv2D":
        return calc.DepthwiseConv2D(
            kernel_size, strides, padding, dilation_rate=dilation_rate
        )
    if kind == "SeparableConv2D":
        return calc.SeparableConv2D(
            filters, kernel_size, strides, padding, dilation_rate=dilation_rate
        )
    raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS)}, got {kind!r}")


LAYER_CHOICES = {"kind": LAYER_KINDS, "padding": PADDINGS}


class LiveReceptiveFieldCalculator(LayerList, anywidget.AnyWidget):
    """Edit a stack of convolutions; read each layer's receptive field, jump,
    parameters and multiply-adds, computed by JavaScript in the page.

    ``input_shape`` is (height, width, channels); each layer is a dict with
    ``kind`` (Conv2D, DepthwiseConv2D, SeparableConv2D), ``filters`` (ignored
    by depthwise layers), ``kernel_size``, ``strides``, ``dilation_rate`` and
    ``padding``. Integers that make no network (a window larger than its
    input, strides and dilation both above 1 in a Conv2D...) are accepted and
    shown as calc's message in place of the results.
    """

    _esm = ESM
    _css = CSS
    LAYER_DEFAULTS = LAYER_DEFAULTS
    LAYER_CHOICES = LAYER_CHOICES
    input_shape = traitlets.List().tag(sync=True)
    layers = traitlets.List().tag(sync=True)

    def __init__(
        self,
        input_shape: Sequence[int] = SEED_INPUT_SHAPE,
        layers: Sequence[Mapping] = SEED_LAYERS,
        **kwargs,
    ):
        super().__init__(
            input_shape=check_input_shape(input_shape),
            layers=check_layers(layers, LAYER_DEFAULTS, LAYER_CHOICES),
            **kwargs,
        )

    def _analyze(self):
        """(report, report of one convolution with the same field), or the
        error message."""
        try:
            specs = self.layer_specs(layer_spec)
            shape = tuple(self.input_shape)
            report = calc.analyze(shape, specs)
        except ValueError as err:
            return None, None, str(err)
        last = report.layers[-1]
        single = calc.Conv2D(
            last.output_shape[-1],
            last.receptive_field.size,
            strides=last.receptive_field.jump,
            padding="same",
        )
        return report, calc.analyze(shape, [single]), None

    @property
    def report(self):
        """calc's report of the stack, or None while the settings are invalid."""
        return self._analyze()[0]

    @property
    def single(self):
        """calc's report of one convolution with the stack's final field and
        jump (and its output maps), or None while invalid."""
        return self._analyze()[1]

    @property
    def error(self) -> str | None:
        """The message the page shows in place of results, or None."""
        return self._analyze()[2]

    def __repr__(self) -> str:
        report, _, error = self._analyze()
        if error is not None:
            return f"LiveReceptiveFieldCalculator: {error}"
        size = report.layers[-1].receptive_field.size
        return (
            f"LiveReceptiveFieldCalculator: {len(self.layers)} layers, field "
            f"{size[0]} x {size[1]}, {format_int(report.params)} parameters"
        )


SETTINGS = ("input_shape", "layers")
"""The synced settings :func:`describe` and the page's ``describeJSON`` read."""


def _pair(values) -> str:
    """(15, 15) -> "15", (15, 13) -> "15 x 13"."""
    return str(values[0]) if values[0] == values[1] else f"{values[0]} x {values[1]}"


def describe(settings: Mapping) -> dict:
    """What the page shows for ``settings`` (the synced traits, edited in the
    page with no checks): ``{"error"}``, or the report (counts as decimal
    strings) and the formatted ``text`` of every cell."""
    widget = LiveReceptiveFieldCalculator(layers=[])
    for name in SETTINGS:  # as the page sets them: unchecked
        setattr(widget, name, settings[name])
    report, single, error = widget._analyze()
    if error is not None:
        return {"error": error}
    final = report.layers[-1].receptive_field
    rows = []
    for x in report.layers:
        f = x.receptive_field
        (top, bottom), (left, right) = f.span((0, 0))
        rows.append(
            [
                x.name,
                " x ".join(map(str, x.output_shape)),
                _pair(f.size),
                _pair(f.jump),
                f"rows {top} to {bottom}, columns {left} to {right}",
                format_int(x.params),
                format_int(x.macs),
            ]
        )
    return {
        "report": {
            "layers": [
                {
                    "name": x.name,
                    "kind": x.kind,
                    "output_shape": list(x.output_shape),
                    "field": [str(v) for v in x.receptive_field.size],
                    "jump": [str(v) for v in x.receptive_field.jump],
                    "start": [str(v) for v in x.receptive_field.start],
                    "params": str(x.params),
                    "macs": str(x.macs),
                }
                for x in report.layers
            ],
            "params": str(report.params),
            "macs": str(report.macs),
            "single_params": str(single.params),
            "single_macs": str(single.macs),
        },
        "text": {
            "layers": rows,
            "field": f"{_pair(final.size)} pixels, jump {_pair(final.jump)}",
            "parameters": format_int(report.params),
            "macs": format_int(report.macs),
            "single": f"{_pair(final.size)} kernel, stride {_pair(final.jump)}",
            "single_parameters": format_int(single.params),
            "single_macs": format_int(single.macs),
        },
    }
