"""Argument checks, sliding-window geometry and receptive fields, and the tables
(bytes per dtype, Keras activations, optimizer slots) the layer specs share."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cnnbook.validate import is_int

DTYPE_BYTES = {
    "float64": 8,
    "float32": 4,
    "float16": 2,
    "bfloat16": 2,
    "int64": 8,
    "int32": 4,
    "int16": 2,
    "int8": 1,
    "uint8": 1,
}
"""Bytes per value of the dtypes a report can be computed for."""

ACTIVATIONS = frozenset(
    {
        "celu",
        "elu",
        "exponential",
        "gelu",
        "hard_shrink",
        "hard_sigmoid",
        "hard_silu",
        "hard_swish",
        "hard_tanh",
        "leaky_relu",
        "linear",
        "log_sigmoid",
        "log_softmax",
        "mish",
        "relu",
        "relu6",
        "selu",
        "sigmoid",
        "silu",
        "soft_shrink",
        "softmax",
        "softplus",
        "softsign",
        "sparse_plus",
        "sparse_sigmoid",
        "sparsemax",
        "squareplus",
        "swish",
        "tanh",
        "tanh_shrink",
    }
)
"""Keras activation names that keep the shape (``glu`` halves it, so it is out)."""

OPTIMIZER_SLOTS = {
    "sgd": 0,
    "momentum": 1,
    "nesterov": 1,
    "rmsprop": 1,
    "adagrad": 1,
    "adadelta": 2,
    "adam": 2,
    "adamw": 2,
    "adamax": 2,
    "nadam": 2,
}
"""Values of optimizer state kept per parameter (e.g. Adam's two moments)."""

PADDINGS = ("valid", "same")

Shape = tuple[int, ...]


# --------------------------------------------------------------------------- checks
def _pair(arg: str, value: object) -> tuple[int, int]:
    """Keras' "an int or a tuple of 2 ints" for kernel sizes, strides, pools."""
    if is_int(value) and value >= 1:
        return (int(value), int(value))
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(is_int(v) and v >= 1 for v in value)
    ):
        return (int(value[0]), int(value[1]))
    raise ValueError(
        f"{arg} must be a positive integer or a pair of positive integers, "
        f"got {value!r}"
    )


def _padding(value: object) -> str:
    if isinstance(value, str) and value.lower() in PADDINGS:
        return value.lower()
    raise ValueError(f"padding must be one of 'valid', 'same', got {value!r}")


def _bool(arg: str, value: object) -> bool:
    if value is not True and value is not False:
        raise ValueError(f"{arg} must be True or False, got {value!r}")
    return value


def _activation(value: object) -> str | None:
    if value is None or (isinstance(value, str) and value in ACTIVATIONS):
        return value
    raise ValueError(
        f"activation must be None or one of {sorted(ACTIVATIONS)}, got {value!r}"
    )


def _dtype_bytes(dtype: object) -> int:
    if isinstance(dtype, str) and dtype in DTYPE_BYTES:
        return DTYPE_BYTES[dtype]
    raise ValueError(f"dtype must be one of {sorted(DTYPE_BYTES)}, got {dtype!r}")


def _shape(arg: str, value: object) -> Shape:
    if (
        isinstance(value, (tuple, list))
        and len(value) in (1, 3)
        and all(is_int(v) and v >= 1 for v in value)
    ):
        return tuple(int(v) for v in value)
    raise ValueError(
        f"{arg} must be (H, W, C) or (N,) of positive integers, without the "
        f"batch axis, got {value!r}"
    )


def _window(size: int, window: int, stride: int, padding: str, what: str) -> int:
    """Output length along one axis, by TensorFlow's SAME/VALID rules.

    ``window`` is the span of input pixels one output reads (``(k - 1) * d + 1``
    for kernel k at dilation d); ``what`` names it in the error message.
    """
    if padding == "same":
        return -(-size // stride)
    if window > size:
        raise ValueError(
            f"{what} is larger than the input size {size} with "
            "padding='valid'; use padding='same' or a smaller window"
        )
    return (size - window) // stride + 1


def _pad_before(size: int, out: int, window: int, stride: int, padding: str) -> int:
    """Zeros TensorFlow puts before the input along one axis: SAME pads
    ``max((out - 1) * stride + window - size, 0)`` in all, the smaller half first."""
    if padding == "valid":
        return 0
    return max((out - 1) * stride + window - size, 0) // 2


@functools.cache
def _snake_case(name: str) -> str:
    """Keras' automatic layer names: ``MaxPooling2D`` -> ``max_pooling2d``."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# --------------------------------------------------------------------------- geometry
Pair = tuple[int, int]


@dataclass(frozen=True)
class Window:
    """Where one layer's output units read its input, per axis (height, width).

    Along an axis, output unit i reads input units
    ``i * strides - pad_before + t * dilation`` for t = 0 ... kernel - 1
    (a negative ``pad_before`` crops). The default is a pointwise layer.
    """

    kernel: Pair = (1, 1)
    strides: Pair = (1, 1)
    dilation: Pair = (1, 1)
    pad_before: Pair = (0, 0)


POINTWISE = Window()
"""The window of a layer whose output unit reads only the same position."""


@dataclass(frozen=True)
class ReceptiveField:
    """The input pixels one output unit can see, per axis (height, width).

    ``size`` is the side of the window, ``jump`` the distance in input pixels
    between neighbouring units (the effective stride), ``start`` the first
    input row and column unit (0, 0) sees (negative: in the padding). Near
    the borders part of the window lies in the padding, so it is the size
    away from the borders.
    """

    size: Pair
    jump: Pair
    start: Pair

    def span(self, index: Pair) -> tuple[Pair, Pair]:
        """((first row, last row), (first column, last column)) that unit
        ``index`` = (row, column) sees, in input pixels (may lie outside)."""
        return tuple(
            (b + i * j, b + i * j + r - 1)
            for b, i, j, r in zip(self.start, index, self.jump, self.size, strict=True)
        )

    def centre(self, index: Pair) -> tuple[float, float]:
        """The input position (row, column) unit ``index`` is centred on."""
        return tuple((lo + hi) / 2 for lo, hi in self.span(index))

    def through(self, window: Window) -> ReceptiveField:
        """The field of a layer with ``window`` reading units with this field."""
        return ReceptiveField(
            tuple(
                r + (k - 1) * d * j
                for r, k, d, j in zip(
                    self.size, window.kernel, window.dilation, self.jump, strict=True
                )
            ),
            tuple(j * s for j, s in zip(self.jump, window.strides, strict=True)),
            tuple(
                b - p * j
                for b, p, j in zip(
                    self.start, window.pad_before, self.jump, strict=True
                )
            ),
        )


PIXEL = ReceptiveField((1, 1), (1, 1), (0, 0))
"""The field of an input pixel: itself."""


def merge_fields(fields: Sequence[ReceptiveField | None]) -> ReceptiveField | None:
    """The field of units that read several tensors at the same position (Add,
    Concatenate...): the union, or None when a tensor is not a grid over the
    input (None) or the grids differ in jump."""
    if not fields or any(f is None for f in fields):
        return None
    if len({f.jump for f in fields}) > 1:
        return None
    first = tuple(min(f.start[a] for f in fields) for a in (0, 1))
    last = tuple(max(f.start[a] + f.size[a] - 1 for f in fields) for a in (0, 1))
    return ReceptiveField(
        tuple(hi - lo + 1 for lo, hi in zip(first, last, strict=True)),
        fields[0].jump,
        first,
    )
