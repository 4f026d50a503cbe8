"""The conv-stack calculator as an anywidget: it computes in the page itself.

`cnnbook.widgets.ConvStackCalculator` needs a Python kernel for every change, so
on the published book it is a frozen picture. `LiveConvStackCalculator` keeps
its settings in four synced traits and does the arithmetic in its ES module
(`cnnbook/static/conv_stack.js`), which travels in the notebook's saved widget
state: the static page recomputes with no kernel and no server, and in a live
kernel the same widget works as any anywidget. The JavaScript mirrors
`cnnbook.calc`; `report`, `training_report` and `error` give the Python side's
answer for the current settings (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import anywidget
import traitlets

from cnnbook import calc
from cnnbook.live_esm import esm
from cnnbook.tables import format_int
from cnnbook.widgets import (
    DTYPES,
    LAYER_KINDS,
    PADDINGS,
    SEED_BATCH_SIZE,
    SEED_INPUT_SHAPE,
    SEED_LAYERS,
    layer_spec,
)

ESM = esm("conv_stack.js")
"""The ES module that renders the calculator and does its arithmetic
(common.js, then conv_stack.js)."""

LAYER_KEYS = ("kind", "filters", "kernel_size", "strides", "padding")
LAYER_DEFAULTS = {"kind": "Conv2D", "filters": 64, "kernel_size": 3, "strides": 1,
                  "padding": "same"}


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _layer_row(index: int, settings: object) -> dict:
    """One layer's settings as a complete dict; keys and choices checked."""
    if not isinstance(settings, Mapping):
        raise ValueError(
            f"layers[{index}] must be a dict with keys {', '.join(LAYER_KEYS)}, "
            f"got {settings!r}")
    unknown = sorted(set(settings) - set(LAYER_KEYS))
    if unknown:
        raise ValueError(
            f"layers[{index}] has unknown keys {unknown}; allowed keys are "
            f"{', '.join(LAYER_KEYS)}")
    row = {**LAYER_DEFAULTS, **settings}
    if row["kind"] not in LAYER_KINDS:
        raise ValueError(f"layers[{index}]['kind'] must be one of "
                         f"{', '.join(LAYER_KINDS)}, got {row['kind']!r}")
    if row["padding"] not in PADDINGS:
        raise ValueError(f"layers[{index}]['padding'] must be one of "
                         f"{', '.join(PADDINGS)}, got {row['padding']!r}")
    for key in ("filters", "kernel_size", "strides"):
        if not _is_int(row[key]):
            raise ValueError(f"layers[{index}][{key!r}] must be an integer, "
                             f"got {row[key]!r}")
    return row


class LiveConvStackCalculator(anywidget.AnyWidget):
    """Edit a conv stack and read shapes, parameters, memory and multiply-adds.

    Same settings and display as :class:`cnnbook.widgets.ConvStackCalculator`,
    but computed by JavaScript in the page. ``input_shape`` is (height, width,
    channels); each layer is a dict with ``kind`` (Conv2D, MaxPooling2D,
    AveragePooling2D), ``filters`` (ignored by pooling), ``kernel_size``,
    ``strides`` and ``padding`` (same, valid). Settings that do not make a
    network (a kernel larger than its input, zero filters...) are accepted and
    shown as calc's error message in place of the results.
    """

    _esm = ESM
    input_shape = traitlets.List().tag(sync=True)
    layers = traitlets.List().tag(sync=True)
    batch_size = traitlets.Int(allow_none=True).tag(sync=True)
    dtype = traitlets.Unicode().tag(sync=True)

    def __init__(self, input_shape: Sequence[int] = SEED_INPUT_SHAPE,
                 layers: Sequence[Mapping] = SEED_LAYERS,
                 batch_size: int = SEED_BATCH_SIZE, dtype: str = "float32",
                 **kwargs):
        if (isinstance(input_shape, (str, bytes))
                or not isinstance(input_shape, Sequence) or len(input_shape) != 3
                or not all(_is_int(v) for v in input_shape)):
            raise ValueError("input_shape must be (height, width, channels) of "
                             f"integers, got {input_shape!r}")
        if (isinstance(layers, (str, bytes, Mapping))
                or not isinstance(layers, Sequence)):
            raise ValueError(f"layers must be a list of layer dicts, got {layers!r}")
        rows = [_layer_row(i, row) for i, row in enumerate(layers)]
        if not _is_int(batch_size):
            raise ValueError(f"batch_size must be an integer, got {batch_size!r}")
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
        super().__init__(input_shape=list(input_shape), layers=rows,
                         batch_size=batch_size, dtype=dtype, **kwargs)

    def add_layer(self, **settings) -> None:
        """Append a layer (defaults: Conv2D, 64 filters, 3 x 3, stride 1, same)."""
        self.layers = [*self.layers, _layer_row(len(self.layers), settings)]

    def remove_layer(self, index: int) -> None:
        if not _is_int(index) or not 0 <= index < len(self.layers):
            raise ValueError(
                f"index must be between 0 and {len(self.layers) - 1}, got {index!r}")
        self.layers = [row for i, row in enumerate(self.layers) if i != index]

    def _analyze(self):
        """(report for one image, report for the batch), or the error message."""
        try:
            specs = []
            for number, row in enumerate(self.layers, 1):
                try:
                    specs.append(layer_spec(
                        row.get("kind"), row.get("filters"), row.get("kernel_size"),
                        row.get("strides"), row.get("padding")))
                except ValueError as err:
                    raise ValueError(f"layer {number}: {err}") from None
            shape = tuple(self.input_shape)
            report = calc.analyze(shape, specs, dtype=self.dtype)
            training = calc.analyze(shape, specs, batch_size=self.batch_size,
                                    dtype=self.dtype)
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
        return (f"LiveConvStackCalculator: {len(self.layers)} layers, "
                f"{format_int(report.params)} parameters")
