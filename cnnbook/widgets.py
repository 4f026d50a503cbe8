"""Calculators for the chapters: thin ipywidgets front ends over `cnnbook.calc`.

Every number a calculator shows comes from `calc.analyze`; the widget only
collects settings and formats the report. Bad settings show calc's ValueError
message in place of the results, never a traceback.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import ipywidgets as widgets

from cnnbook import calc
from cnnbook.tables import Table, format_bytes, format_int

LAYER_KINDS = ("Conv2D", "MaxPooling2D", "AveragePooling2D")
PADDINGS = ("same", "valid")
DTYPES = ("float32", "float16", "bfloat16", "float64")

SEED_INPUT_SHAPE = (200, 300, 3)
SEED_LAYERS = tuple(
    {"kind": "Conv2D", "filters": filters, "kernel_size": 3, "strides": 2,
     "padding": "same"}
    for filters in (100, 200, 400)
)
SEED_BATCH_SIZE = 50

_NARROW = widgets.Layout(width="9em")
_WIDE = widgets.Layout(width="13em")
_STYLE = {"description_width": "4.5em"}


def _int_box(value: int, description: str) -> widgets.IntText:
    """A narrow labelled integer box, the calculator's one kind of number input."""
    return widgets.IntText(value=value, description=description, layout=_NARROW,
                           style=_STYLE)


def layer_spec(kind: str, filters: int, kernel_size: int, strides: int, padding: str):
    """The calc layer for one calculator row; pooling ignores ``filters``."""
    if kind == "Conv2D":
        return calc.Conv2D(filters, kernel_size, strides=strides, padding=padding)
    if kind == "MaxPooling2D":
        return calc.MaxPooling2D(kernel_size, strides=strides, padding=padding)
    if kind == "AveragePooling2D":
        return calc.AveragePooling2D(kernel_size, strides=strides, padding=padding)
    raise ValueError(f"kind must be one of {', '.join(LAYER_KINDS)}, got {kind!r}")


class LayerRow(widgets.HBox):
    """One editable layer: kind, filters, kernel or pool size, stride, padding."""

    def __init__(self, kind="Conv2D", filters=64, kernel_size=3, strides=1,
                 padding="same"):
        self.kind = widgets.Dropdown(options=LAYER_KINDS, value=kind,
                                     description="layer", layout=_WIDE, style=_STYLE)
        self.filters = _int_box(filters, "filters")
        self.kernel_size = _int_box(kernel_size, "kernel")
        self.strides = _int_box(strides, "stride")
        self.padding = widgets.Dropdown(options=PADDINGS, value=padding,
                                        description="padding", layout=_NARROW,
                                        style=_STYLE)
        self.remove = widgets.Button(description="remove", tooltip="remove this layer",
                                     layout=widgets.Layout(width="6em"))
        super().__init__([self.kind, self.filters, self.kernel_size, self.strides,
                          self.padding, self.remove])
        self.kind.observe(self._show_filters, names="value")
        self._show_filters()

    @property
    def controls(self) -> tuple[widgets.Widget, ...]:
        return (self.kind, self.filters, self.kernel_size, self.strides, self.padding)

    def _show_filters(self, change=None) -> None:
        self.filters.disabled = self.kind.value != "Conv2D"

    def settings(self) -> dict:
        return {"kind": self.kind.value, "filters": self.filters.value,
                "kernel_size": self.kernel_size.value, "strides": self.strides.value,
                "padding": self.padding.value}

    def spec(self):
        return layer_spec(**self.settings())


class ConvStackCalculator(widgets.VBox):
    """Edit a conv stack and read its shapes, parameters, memory and multiply-adds.

    Starts on the chapter's seed network. ``report`` and ``training_report`` hold
    the last computed calc reports (None while the settings are invalid) and
    ``error`` the message shown instead of results.
    """

    def __init__(self, input_shape: Sequence[int] = SEED_INPUT_SHAPE,
                 layers: Sequence[Mapping] = SEED_LAYERS,
                 batch_size: int = SEED_BATCH_SIZE, dtype: str = "float32"):
        height, width, channels = _three_ints(input_shape)
        self.height = _int_box(height, "height")
        self.width = _int_box(width, "width")
        self.channels = _int_box(channels, "channels")
        self.batch_size = _int_box(batch_size, "batch")
        self.dtype = widgets.Dropdown(options=DTYPES, value=dtype, description="dtype",
                                      layout=_WIDE, style=_STYLE)
        self.add_button = widgets.Button(description="add layer", icon="plus")
        self.layer_box = widgets.VBox()
        self.results = widgets.HTML()
        self.report = None
        self.training_report = None
        self.error = None
        self.rows: list[LayerRow] = []
        for control in (self.height, self.width, self.channels, self.batch_size,
                        self.dtype):
            control.observe(self._on_change, names="value")
        self.add_button.on_click(lambda _: self.add_layer())
        super().__init__([
            widgets.HBox([self.height, self.width, self.channels]),
            widgets.HBox([self.batch_size, self.dtype]),
            self.layer_box,
            self.add_button,
            self.results,
        ])
        for settings in layers:
            self.add_layer(**settings, recompute=False)
        self.recompute()

    def add_layer(self, kind="Conv2D", filters=64, kernel_size=3, strides=1,
                  padding="same", recompute=True) -> LayerRow:
        """Append a layer row (from the button, or from code and tests)."""
        row = LayerRow(kind, filters, kernel_size, strides, padding)
        for control in row.controls:
            control.observe(self._on_change, names="value")
        row.remove.on_click(lambda _: self.remove_layer(self.rows.index(row)))
        self.rows.append(row)
        self.layer_box.children = tuple(self.rows)
        if recompute:
            self.recompute()
        return row

    def remove_layer(self, index: int) -> None:
        if not isinstance(index, int) or not 0 <= index < len(self.rows):
            raise ValueError(
                f"index must be between 0 and {len(self.rows) - 1}, got {index!r}"
            )
        self.rows.pop(index)
        self.layer_box.children = tuple(self.rows)
        self.recompute()

    def _on_change(self, change) -> None:
        self.recompute()

    def recompute(self) -> None:
        """Analyse the current settings and show results, or the error message."""
        try:
            input_shape = (self.height.value, self.width.value, self.channels.value)
            layers = [_row_spec(number, row) for number, row in enumerate(self.rows, 1)]
            self.report = calc.analyze(input_shape, layers, dtype=self.dtype.value)
            self.training_report = calc.analyze(
                input_shape, layers, batch_size=self.batch_size.value,
                dtype=self.dtype.value)
        except ValueError as err:
            self.report = self.training_report = None
            self.error = str(err)
            self.results.value = (
                '<div class="cnnbook-error" style="color:#a00;padding:0.5em 0">'
                f"&#9888; {html.escape(self.error)}</div>"
            )
            return
        self.error = None
        self.results.value = render_report(self.report, self.training_report)


def _row_spec(number: int, row: LayerRow):
    """The row's calc layer; a bad setting's message says which row it is in."""
    try:
        return row.spec()
    except ValueError as err:
        raise ValueError(f"layer {number}: {err}") from None


def render_report(report, training_report) -> str:
    """HTML for a calculator: per-layer table, totals and a memory bar chart."""
    rows = [
        [layer.name, layer.output_shape, layer.params,
         format_bytes(layer.activation_bytes, "MB", 2), layer.macs]
        for layer in report.layers
    ]
    table = Table(["layer", "output shape", "parameters", "activation memory",
                   "multiply-adds"], rows)
    batch = training_report.batch_size
    totals = Table(["total", "value"], [
        ["parameters", format_int(report.params)],
        ["multiply-adds per image", format_int(report.macs)],
        ["memory for one prediction", _mb_and_mib(report.inference_bytes)],
        [f"memory to train on {batch} images (lower bound)",
         _mb_and_mib(training_report.training_bytes)],
    ])
    return table._repr_html_() + totals._repr_html_() + _memory_bars(training_report)


def _mb_and_mib(num_bytes: int) -> str:
    return (f"{format_int(num_bytes)} bytes = {format_bytes(num_bytes, 'MB')} = "
            f"{format_bytes(num_bytes, 'MiB')}")


def _memory_bars(training_report) -> str:
    """A bar per layer: activation memory of the whole batch, in MB."""
    batch = training_report.batch_size
    values = [(layer.name, layer.activation_bytes * batch)
              for layer in training_report.layers]
    largest = max((v for _, v in values), default=0) or 1
    bars = "".join(
        f'<div style="display:flex;align-items:center;gap:0.5em">'
        f'<span style="width:9em">{html.escape(name)}</span>'
        f'<span style="background:#4878a8;height:1em;width:{60 * v / largest:.1f}%;'
        f'"></span><span>{format_bytes(v, "MB")}</span></div>'
        for name, v in values
    )
    return (f"<p><b>Activation memory per layer for a batch of {batch}</b></p>"
            f'<div class="cnnbook-bars">{bars}</div>')


def _three_ints(input_shape: Sequence[int]) -> tuple[int, int, int]:
    if len(input_shape) != 3:
        raise ValueError(
            f"input_shape must be (height, width, channels), got {input_shape!r}")
    return tuple(input_shape)
