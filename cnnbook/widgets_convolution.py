"""Widgets of chapters 1 and 4: dense vs conv parameters, and downsampling viewed.

Thin ipywidgets front ends: the numbers come from :mod:`cnnbook.calc` and the
images from :mod:`cnnbook.pooling` (NumPy), so both update instantly. Bad
settings show the ValueError message in place of the results.
"""

from __future__ import annotations

import html
import io

import ipywidgets as widgets
import numpy as np

from cnnbook import calc, pooling
from cnnbook.tables import Table

__all__ = ["DownsamplingViewer", "ParameterCounter", "parameter_counts", "png_bytes"]

_NARROW = widgets.Layout(width="6em")


def _labelled(label: str, control: widgets.Widget) -> widgets.HBox:
    """A control with its label in an HTML widget beside it.

    Controls get no ``description``: the widget manager of the published page
    typesets descriptions with MathJax 2's API, which the book's MathJax 3
    lacks, and every description would log an error in the page's console.
    """
    name = widgets.HTML(html.escape(label), layout=widgets.Layout(width="6.5em"))
    return widgets.HBox([name, control])


def _error_html(message: str) -> str:
    return (
        '<div class="cnnbook-error" style="color:#a00;padding:0.5em 0">'
        f"&#9888; {html.escape(message)}</div>"
    )


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
    inputs = int(np.prod(input_shape))
    outputs = int(np.prod(conv.layers[0].output_shape))
    return {
        "dense": dense.params,
        "conv": conv.params,
        "conv_outputs": outputs,
        "dense_same_outputs": (inputs + 1) * outputs,
    }


class ParameterCounter(widgets.VBox):
    """Vary the image size, units, filters and kernel; read both parameter counts.

    ``counts`` holds the last :func:`parameter_counts` (None while the settings
    are invalid) and ``error`` the message shown instead.
    """

    def __init__(self, height=200, width=300, channels=3, units=100, filters=100,
                 kernel_size=3):
        def box(value, label):
            control = widgets.IntText(value=value, layout=_NARROW)
            control.observe(lambda _: self.recompute(), names="value")
            self._labels[label] = control
            return control

        self._labels: dict[str, widgets.IntText] = {}

        self.height = box(height, "height")
        self.width = box(width, "width")
        self.channels = box(channels, "channels")
        self.units = box(units, "Dense units")
        self.filters = box(filters, "filters")
        self.kernel_size = box(kernel_size, "kernel")
        self.results = widgets.HTML()
        self.counts = None
        self.error = None
        labelled = [_labelled(label, c) for label, c in self._labels.items()]
        super().__init__([
            widgets.HBox(labelled[:3]),
            widgets.HBox(labelled[3:]),
            self.results,
        ])
        self.recompute()

    def recompute(self) -> None:
        try:
            shape = (self.height.value, self.width.value, self.channels.value)
            self.counts = parameter_counts(shape, self.units.value,
                                           self.filters.value, self.kernel_size.value)
        except ValueError as err:
            self.counts, self.error = None, str(err)
            self.results.value = _error_html(self.error)
            return
        self.error = None
        c = self.counts
        k = self.kernel_size.value
        table = Table(["layer", "parameters", "formula"], [
            ["Dense", c["dense"], f"({'x'.join(map(str, shape))} + 1) x "
             f"{self.units.value}"],
            ["Conv2D", c["conv"], f"({k}x{k}x{shape[2]} + 1) x {self.filters.value}"],
        ])
        ratio = c["dense"] / c["conv"]
        self.results.value = (
            table._repr_html_()
            + f"<p>The Dense layer has <b>{ratio:,.0f} times</b> the parameters of "
            f"the Conv2D layer. The Conv2D layer outputs {c['conv_outputs']:,} "
            f"values; a Dense layer with that many outputs would need "
            f"{c['dense_same_outputs']:,} parameters.</p>"
        )


def png_bytes(image: np.ndarray, scale: int = 1) -> bytes:
    """A 2-D array as a grey PNG, min to black and max to white, pixels repeated
    ``scale`` times so that small maps stay visible."""
    import matplotlib.image

    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2 or image.size == 0:
        raise ValueError(f"image must be a non-empty 2-D array, got {image.shape}")
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale!r}")
    low, high = image.min(), image.max()
    image = (image - low) / (high - low) if high > low else np.zeros_like(image)
    image = np.kron(image, np.ones((scale, scale)))
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, image, cmap="gray", vmin=0, vmax=1, format="png",
                            metadata={"Software": None})
    return buffer.getvalue()


class DownsamplingViewer(widgets.VBox):
    """One grey image after max pooling, average pooling and a strided convolution.

    Controls: the pooling window (also the convolution's kernel size) and the
    stride. ``outputs`` maps each method to its last output array (empty while
    the settings are invalid) and ``error`` holds the message shown instead.
    """

    METHODS = ("max pooling", "average pooling", "strided convolution")

    def __init__(self, image: np.ndarray, pool_size: int = 2, strides: int = 2,
                 display_size: int = 192):
        image = np.asarray(image, dtype=np.float32)
        if image.ndim != 2 or min(image.shape) < 2:
            raise ValueError(
                f"image must be a 2-D grey image of at least 2 x 2, got {image.shape}"
            )
        self.image = image
        self.display_size = display_size
        if not isinstance(display_size, int) or display_size < 16:
            raise ValueError(
                f"display_size must be an integer of at least 16 (pixels), "
                f"got {display_size!r}"
            )
        self.pool_size = widgets.IntSlider(value=pool_size, min=1, max=8)
        self.strides = widgets.IntSlider(value=strides, min=1, max=8)
        self.pictures = {m: widgets.Image(format="png") for m in self.METHODS}
        self.captions = {m: widgets.HTML() for m in self.METHODS}
        self.message = widgets.HTML()
        self.outputs: dict[str, np.ndarray] = {}
        self.error = None
        for control in (self.pool_size, self.strides):
            control.observe(lambda _: self.recompute(), names="value")
        original = widgets.VBox([
            widgets.Image(value=png_bytes(image), format="png",
                          layout=widgets.Layout(width=f"{display_size}px")),
            widgets.HTML(f"<b>input</b><br>{image.shape[0]} x {image.shape[1]}"),
        ])
        panels = [original] + [
            widgets.VBox([self.pictures[m], self.captions[m]]) for m in self.METHODS
        ]
        super().__init__([
            widgets.HBox([_labelled("pool size", self.pool_size),
                          _labelled("stride", self.strides)]),
            self.message, widgets.HBox(panels)])
        self.recompute()

    def recompute(self) -> None:
        try:
            self.outputs = pooling.downsample_all(
                self.image, self.pool_size.value, self.strides.value)
        except ValueError as err:
            self.outputs, self.error = {}, str(err)
            self.message.value = _error_html(self.error)
            for method in self.METHODS:
                self.pictures[method].value = b""
                self.captions[method].value = ""
            return
        self.error = None
        self.message.value = ""
        width = self.display_size * self.outputs[self.METHODS[0]].shape[1]
        width = max(1, round(width / self.image.shape[1]))
        for method in self.METHODS:
            out = self.outputs[method]
            self.pictures[method].value = png_bytes(out)
            self.pictures[method].layout.width = f"{width}px"
            self.captions[method].value = (
                f"<b>{method}</b><br>{out.shape[0]} x {out.shape[1]}"
            )
