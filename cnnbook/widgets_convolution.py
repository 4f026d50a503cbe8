"""Widgets of chapters 1 and 4: dense vs conv parameters, and downsampling viewed.

Both are anywidgets that compute in the page itself, so the published book
(static HTML, no kernel) stays interactive. Their settings are synced traits;
the ES modules `cnnbook/static/param_counter.js` and
`cnnbook/static/downsampling.js` render the controls and do the arithmetic,
mirroring :mod:`cnnbook.calc` and :mod:`cnnbook.pooling`. The Python classes
check their constructor arguments and give the Python answer for the current
settings (``counts``, ``text``, ``outputs``, ``error``), which the tests
compare with the JavaScript. Bad settings typed into the page show the
ValueError message of the Python side in place of the results.
"""

from __future__ import annotations

import base64
import numbers

import anywidget
import numpy as np
import traitlets

from cnnbook import calc, pooling
from cnnbook.live_esm import esm

__all__ = ["DownsamplingViewer", "ParameterCounter", "parameter_counts"]

COUNTER_ESM = esm("param_counter.js")
"""The ES module of :class:`ParameterCounter` (common.js, then param_counter.js)."""
DOWNSAMPLING_ESM = esm("downsampling.js")
"""The ES module of :class:`DownsamplingViewer` (common.js, then downsampling.js)."""


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


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
    inputs = int(np.prod(input_shape, dtype=object))
    outputs = int(np.prod(conv.layers[0].output_shape, dtype=object))
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

    _esm = COUNTER_ESM
    height = traitlets.Int(allow_none=True).tag(sync=True)
    width = traitlets.Int(allow_none=True).tag(sync=True)
    channels = traitlets.Int(allow_none=True).tag(sync=True)
    units = traitlets.Int(allow_none=True).tag(sync=True)
    filters = traitlets.Int(allow_none=True).tag(sync=True)
    kernel_size = traitlets.Int(allow_none=True).tag(sync=True)

    def __init__(self, height: int = 200, width: int = 300, channels: int = 3,
                 units: int = 100, filters: int = 100, kernel_size: int = 3,
                 **kwargs):
        values = dict(zip(COUNTER_SETTINGS,
                          (height, width, channels, units, filters, kernel_size),
                          strict=True))
        for arg, value in values.items():
            if not _is_int(value):
                raise ValueError(f"{arg} must be an integer, got {value!r}")
        super().__init__(**{k: int(v) for k, v in values.items()}, **kwargs)

    @property
    def shape(self) -> tuple:
        return (self.height, self.width, self.channels)

    def _compute(self):
        try:
            counts = parameter_counts(self.shape, self.units, self.filters,
                                      self.kernel_size)
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
        return (f"ParameterCounter: Dense {t['dense']} parameters, "
                f"Conv2D {t['conv']} parameters")


def encode_image(image: np.ndarray) -> str:
    """A 2-D float32 array as base64 of its little-endian bytes, row by row."""
    return base64.b64encode(np.ascontiguousarray(image, "<f4").tobytes()).decode()


def decode_image(text: str, shape) -> np.ndarray:
    """The inverse of :func:`encode_image`."""
    return np.frombuffer(base64.b64decode(text), "<f4").reshape(shape).astype(
        np.float32)


MAX_PIXELS = 40_000
"""Largest image the viewer carries (it travels in the page as float32)."""


class DownsamplingViewer(anywidget.AnyWidget):
    """One grey image after max pooling, average pooling and a strided convolution.

    Controls: the pooling window (also the convolution's kernel size, 1 to
    ``max_pool_size``) and the stride. The image travels in the page as
    float32 (base64), with :func:`cnnbook.pooling.edge_kernel` for every pool
    size; the page computes the three outputs in float64. ``outputs`` maps each
    method to :func:`cnnbook.pooling.downsample_all`'s array (empty while the
    settings are invalid) and ``error`` holds the message shown instead.
    """

    METHODS = ("max pooling", "average pooling", "strided convolution")

    _esm = DOWNSAMPLING_ESM
    image_b64 = traitlets.Unicode().tag(sync=True)
    image_shape = traitlets.List().tag(sync=True)
    kernels = traitlets.List().tag(sync=True)
    pool_size = traitlets.Int(allow_none=True).tag(sync=True)
    strides = traitlets.Int(allow_none=True).tag(sync=True)
    display_size = traitlets.Int().tag(sync=True)

    def __init__(self, image: np.ndarray, pool_size: int = 2, strides: int = 2,
                 display_size: int = 192, max_pool_size: int = 8, **kwargs):
        array = np.asarray(image)
        if (array.ndim != 2 or min(array.shape) < 2
                or not np.issubdtype(array.dtype, np.number)):
            raise ValueError(
                f"image must be a 2-D grey image of at least 2 x 2, got {array.shape}"
            )
        array = array.astype(np.float32)
        if not np.all(np.isfinite(array)):
            raise ValueError("image must hold finite values; it holds inf or nan")
        if array.size > MAX_PIXELS:
            raise ValueError(f"image must have at most {MAX_PIXELS:,} pixels (it "
                             f"travels in the page), got {array.size:,}")
        for arg, value in (("pool_size", pool_size), ("strides", strides)):
            if not _is_int(value):
                raise ValueError(f"{arg} must be an integer, got {value!r}")
        if not _is_int(display_size) or display_size < 16:
            raise ValueError("display_size must be an integer of at least 16 "
                             f"(pixels), got {display_size!r}")
        if not _is_int(max_pool_size) or max_pool_size < 1:
            raise ValueError(
                f"max_pool_size must be a positive integer, got {max_pool_size!r}")
        kernels = [pooling.edge_kernel(k).astype(float).tolist()
                   for k in range(1, max_pool_size + 1)]
        super().__init__(image_b64=encode_image(array), image_shape=list(array.shape),
                         kernels=kernels, pool_size=int(pool_size),
                         strides=int(strides), display_size=display_size, **kwargs)

    @property
    def image(self) -> np.ndarray:
        """The image as the page has it (float32)."""
        return decode_image(self.image_b64, self.image_shape)

    def _compute(self):
        try:
            outputs = pooling.downsample_all(self.image, self.pool_size, self.strides)
        except ValueError as err:
            return {}, str(err)
        if self.pool_size > len(self.kernels):
            return {}, (f"pool_size must be at most {len(self.kernels)} here, "
                        f"got {self.pool_size}")
        return outputs, None

    @property
    def outputs(self) -> dict[str, np.ndarray]:
        return self._compute()[0]

    @property
    def error(self) -> str | None:
        """The message the page shows in place of the outputs, or None."""
        return self._compute()[1]

    def __repr__(self) -> str:
        h, w = self.image_shape
        error = self.error
        if error is not None:
            return f"DownsamplingViewer: {h} x {w} image; {error}"
        out_h, out_w = self.outputs[self.METHODS[0]].shape
        return f"DownsamplingViewer: {h} x {w} image -> {out_h} x {out_w}"
