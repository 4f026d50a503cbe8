"""Chapter 2's conv-stack calculator: shapes, parameters, memory and multiply-adds.

`LiveConvStackCalculator` keeps its settings in four synced traits and does the
arithmetic in its ES module (``conv_stack.js``), which travels in the
notebook's saved widget state: the static page recomputes with no kernel and
no server, and in a live kernel the same widget works as any anywidget. The
JavaScript mirrors :mod:`cnnbook.calc`; :func:`describe` is the Python side of
the parity contract the page's ``describeJSON(settings)`` must meet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import anywidget
import traitlets

from cnnbook import calc
from cnnbook.papers import SEED_QUESTION
from cnnbook.units import format_bytes, format_int
from cnnbook.validate import is_int
from cnnbook.widgets.esm import CSS, esm
from cnnbook.widgets.layer_list import LayerList, check_input_shape, check_layers

__all__ = ["ESM", "LiveConvStackCalculator", "describe", "layer_spec"]

ESM = esm("conv_stack.js")
"""The ES module that renders the calculator and does its arithmetic
(common.js, then conv_stack.js)."""

LAYER_KINDS = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
PADDINGS = ("same", "valid")
DTYPES = ("float32", "float16", "bfloat16", "float64")

SEED_INPUT_SHAPE = SEED_QUESTION["input_shape"]
"""Chapter 2's network (:data:`cnnbook.papers.SEED_QUESTION`): the image ..."""
SEED_LAYERS = tuple(
    {
        "kind": "Conv2D",
        "filters": filters,
        "kernel_size": SEED_QUESTION["kernel_size"],
        "strides": SEED_QUESTION["strides"],
        "padding": SEED_QUESTION["padding"],
    }
    for filters in SEED_QUESTION["filters"]
)
"""... its three convolutions ..."""
SEED_BATCH_SIZE = SEED_QUESTION["batch_size"]
"""... and its training batch."""

LAYER_DEFAULTS = {
    "kind": "Conv2D",
    "filters": 64,
    "kernel_size": 3,
    "strides": 1,
    "padding": "same",
}


def layer_spec(kind: str, filters: int, kernel_size: int, strides: int, padding: str):
    """The calc layer for one calculator row; pooling ignores ``filters``.

    A cleared strides box (None) is an error, as the page shows it, not
    Keras' default of a stride equal to the pool size.
    """
    if kind == "Conv2D":
        return calc.Conv2D(filters, kernel_size, strides=strides, padding=padding)
    pools = {
        "MaxPooling2D": calc.MaxPooling2D,
        "AveragePooling2D": calc.AveragePooling2D,
    }
    if kind not in pools:
        raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS)}, got {kind!r}")
    if strides is None:
        pools[kind](kernel_size, strides=1)  # the pool size is checked first
        raise ValueError(
            "strides must be a positive integer or a pair of positive integers, "
            "got None"
        )
    return pools[kind](kernel_size, strides=strides, padding=padding)


LAYER_CHOICES = {"kind": LAYER_KINDS, "padding": PADDINGS}


class LiveConvStackCalculator(LayerList, anywidget.AnyWidget):
    """Edit a conv stack and read shapes, parameters, memory and multiply-adds.

    Computed by JavaScript in the page. ``input_shape`` is (height, width,
    channels); each layer is a dict with ``kind`` (Conv2D, MaxPooling2D,
    AveragePooling2D), ``filters`` (ignored by pooling), ``kernel_size``,
    ``strides`` and ``padding`` (same, valid). Settings that do not make a
    network (a kernel larger than its input, zero filters...) are accepted and
    shown as calc's error message in place of the results.
    """

    _esm = ESM
    _css = CSS
    LAYER_DEFAULTS = LAYER_DEFAULTS
    LAYER_CHOICES = LAYER_CHOICES
    input_shape = traitlets.List().tag(sync=True)
    layers = traitlets.List().tag(sync=True)
    batch_size = traitlets.Int(allow_none=True).tag(sync=True)
    dtype = traitlets.Unicode().tag(sync=True)

    def __init__(
        self,
        input_shape: Sequence[int] = SEED_INPUT_SHAPE,
        layers: Sequence[Mapping] = SEED_LAYERS,
        batch_size: int = SEED_BATCH_SIZE,
        dtype: str = "float32",
        **kwargs,
    ):
        input_shape = check_input_shape(input_shape)
        rows = check_layers(layers, LAYER_DEFAULTS, LAYER_CHOICES)
        if not is_int(batch_size):
            raise ValueError(f"batch_size must be an integer, got {batch_size!r}")
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        super().__init__(
            input_shape=input_shape,
            layers=rows,
            batch_size=batch_size,
            dtype=dtype,
            **kwargs,
        )

    def _analyze(self):
        """(report for one image, report for the batch), or the error message."""
        try:
            specs = self.layer_specs(layer_spec)
            shape = tuple(self.input_shape)
            report = calc.analyze(shape, specs, dtype=self.dtype)
            training = calc.analyze(
                shape, specs, batch_size=self.batch_size, dtype=self.dtype
            )
        except ValueError as err:
            return None, None, str(err)
        return report, training, None

    @property
    def report(self):
        """calc's report for one image, or None while the settings are invalid."""
        return self._analyze()[0]

    @property
    def training_report(self):
        """calc's report for ``batch_size`` images, or None while invalid."""
        return self._analyze()[1]

    @property
    def error(self) -> str | None:
        """The message the page shows in place of results, or None."""
        return self._analyze()[2]

    def __repr__(self) -> str:
        report, _, error = self._analyze()
        if error is not None:
            return f"LiveConvStackCalculator: {error}"
        return (
            f"LiveConvStackCalculator: {len(self.layers)} layers, "
            f"{format_int(report.params)} parameters"
        )


SETTINGS = ("input_shape", "layers", "batch_size", "dtype")
"""The synced settings :func:`describe` and the page's ``describeJSON`` read."""


def _mb_and_mib(num_bytes: int) -> str:
    return (
        f"{format_int(num_bytes)} bytes = {format_bytes(num_bytes, 'MB')} = "
        f"{format_bytes(num_bytes, 'MiB')}"
    )


def describe(settings: Mapping) -> dict:
    """What the page shows for ``settings`` (the four synced traits, edited in
    the page with no checks): ``{"error"}``, or the report (counts as decimal
    strings) and the formatted ``text`` of every cell."""
    widget = LiveConvStackCalculator(layers=[])
    for name in SETTINGS:  # as the page sets them: unchecked
        setattr(widget, name, settings[name])
    report, training, error = widget._analyze()
    if error is not None:
        return {"error": error}
    return {
        "report": {
            "layers": [
                {
                    "name": x.name,
                    "kind": x.kind,
                    "output_shape": list(x.output_shape),
                    "params": str(x.params),
                    "macs": str(x.macs),
                    "activation_bytes": str(x.activation_bytes),
                }
                for x in report.layers
            ],
            "params": str(report.params),
            "macs": str(report.macs),
            "inference_bytes": str(report.inference_bytes),
            "training_bytes": str(training.training_bytes),
        },
        "text": {
            "layers": [
                [
                    x.name,
                    " x ".join(map(str, x.output_shape)),
                    format_int(x.params),
                    format_bytes(x.activation_bytes, "MB", 2),
                    format_int(x.macs),
                ]
                for x in report.layers
            ],
            "parameters": format_int(report.params),
            "macs": format_int(report.macs),
            "prediction": _mb_and_mib(report.inference_bytes),
            "training": _mb_and_mib(training.training_bytes),
            "bars": [
                format_bytes(x.activation_bytes * training.batch_size, "MB")
                for x in training.layers
            ],
        },
    }
