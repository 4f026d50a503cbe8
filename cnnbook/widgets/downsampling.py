"""Chapter 4's downsampling viewer: max pooling, average pooling and a strided
convolution on one grey image.

An anywidget that computes in the page itself (``downsampling.js``): the image
travels in the page as float32 and the page computes in float64.
:func:`describe` is the parity contract the page's ``describeJSON(state)``
meets (to 1e-9, the page and NumPy order their sums differently).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

import anywidget
import numpy as np
import traitlets

from cnnbook.science import pooling
from cnnbook.validate import is_int
from cnnbook.widgets.esm import CSS, esm

__all__ = ["ESM", "DownsamplingViewer", "decode_image", "describe", "encode_image"]

ESM = esm("downsampling.js")
"""The ES module of :class:`DownsamplingViewer` (common.js, then downsampling.js)."""


def encode_image(image: np.ndarray) -> str:
    """A 2-D float32 array as base64 of its little-endian bytes, row by row."""
    return base64.b64encode(np.ascontiguousarray(image, "<f4").tobytes()).decode()


def decode_image(text: str, shape) -> np.ndarray:
    """The inverse of :func:`encode_image`."""
    return (
        np.frombuffer(base64.b64decode(text), "<f4").reshape(shape).astype(np.float32)
    )


MAX_PIXELS = 40_000
"""Largest image the viewer carries (it travels in the page as float32)."""


class DownsamplingViewer(anywidget.AnyWidget):
    """One grey image after max pooling, average pooling and a strided convolution.

    Controls: the pooling window (also the convolution's kernel size, 1 to
    ``max_pool_size``) and the stride. The image travels in the page as
    float32 (base64), with :func:`cnnbook.science.pooling.edge_kernel` for every pool
    size; the page computes the three outputs in float64. ``outputs`` maps each
    method to :func:`cnnbook.science.pooling.downsample_all`'s array (empty while the
    settings are invalid) and ``error`` holds the message shown instead.
    """

    METHODS = ("max pooling", "average pooling", "strided convolution")

    _esm = ESM
    _css = CSS
    image_b64 = traitlets.Unicode().tag(sync=True)
    image_shape = traitlets.List().tag(sync=True)
    kernels = traitlets.List().tag(sync=True)
    pool_size = traitlets.Int(allow_none=True).tag(sync=True)
    strides = traitlets.Int(allow_none=True).tag(sync=True)
    display_size = traitlets.Int().tag(sync=True)

    def __init__(
        self,
        image: np.ndarray,
        pool_size: int = 2,
        strides: int = 2,
        display_size: int = 192,
        max_pool_size: int = 8,
        **kwargs,
    ):
        array = np.asarray(image)
        if (
            array.ndim != 2
            or min(array.shape) < 2
            or not np.issubdtype(array.dtype, np.number)
        ):
            raise ValueError(
                f"image must be a 2-D grey image of at least 2 x 2, got {array.shape}"
            )
        array = array.astype(np.float32)
        if not np.all(np.isfinite(array)):
            raise ValueError("image must hold finite values; it holds inf or nan")
        if array.size > MAX_PIXELS:
            raise ValueError(
                f"image must have at most {MAX_PIXELS:,} pixels (it "
                f"travels in the page), got {array.size:,}"
            )
        for arg, value in (("pool_size", pool_size), ("strides", strides)):
            if not is_int(value):
                raise ValueError(f"{arg} must be an integer, got {value!r}")
        if not is_int(display_size) or display_size < 16:
            raise ValueError(
                "display_size must be an integer of at least 16 "
                f"(pixels), got {display_size!r}"
            )
        if not is_int(max_pool_size) or max_pool_size < 1:
            raise ValueError(
                f"max_pool_size must be a positive integer, got {max_pool_size!r}"
            )
        kernels = [
            pooling.edge_kernel(k).astype(float).tolist()
            for k in range(1, max_pool_size + 1)
        ]
        super().__init__(
            image_b64=encode_image(array),
            image_shape=list(array.shape),
            kernels=kernels,
            pool_size=int(pool_size),
            strides=int(strides),
            display_size=display_size,
            **kwargs,
        )

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
            return {}, (
                f"pool_size must be at most {len(self.kernels)} here, "
                f"got {self.pool_size}"
            )
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


STATE_KEYS = ("image_b64", "image_shape", "kernels", "pool_size", "strides")
"""What :func:`describe` and the page's ``describeJSON`` read of the state."""


def describe(state: Mapping) -> dict:
    """What the page computes for the viewer's ``state``: ``{"error"}``, or
    ``{"outputs": {method: rows}}`` computed in float64 as the page does."""
    viewer = DownsamplingViewer(np.zeros((2, 2)), pool_size=1, strides=1)
    viewer.set_state({key: state[key] for key in STATE_KEYS})
    if viewer.error is not None:
        return {"error": viewer.error}
    windows = pooling.windows(viewer.image, viewer.pool_size, viewer.strides)
    windows = windows.astype(np.float64)
    kernel = np.asarray(viewer.kernels[viewer.pool_size - 1], np.float64)
    outputs = {
        "max pooling": windows.max(axis=(2, 3)),
        "average pooling": windows.mean(axis=(2, 3)),
        "strided convolution": np.einsum("ijkl,kl->ij", windows, kernel),
    }
    return {
        "outputs": {
            method: outputs[method].tolist() for method in DownsamplingViewer.METHODS
        }
    }
