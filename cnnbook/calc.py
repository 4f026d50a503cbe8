"""The arithmetic of convolutional networks: shapes, parameters, multiply-adds, memory.

Layer specs are named and parametrised like their Keras counterparts, so a stack
written here reads like the Keras model it stands for, but this module is pure
Python: it never imports TensorFlow or Keras (or numpy), so the book can do the
arithmetic instantly and the answers can be checked against Keras separately.

Definitions used throughout (all shapes exclude the batch axis):

* ``params`` counts what Keras ``model.count_params()`` counts, including the
  non-trainable moving mean and variance of batch normalisation.
* activation bytes of a layer = elements of its output x bytes of the dtype.
* ``inference_bytes`` = parameter bytes + batch x the largest set of tensors that
  are alive at once while running the layers in order, each tensor freed after
  its last consumer. For a plain stack that is the largest (input + output) of
  any one layer.
* ``training_bytes`` = parameter bytes + batch x (input + every layer's output):
  the lower bound kept for backpropagation, ignoring gradients and optimizer
  state (see :meth:`Report.training_breakdown` for those).
* ``macs`` counts multiply-adds of convolution and dense layers only, the way the
  ResNet and MobileNet papers count "FLOPs" / "mult-adds"; biases, batch norm,
  pooling, activations and elementwise products are not counted.
* ``receptive_field`` of a layer (a :class:`ReceptiveField`, per axis) is the
  window of input pixels one of its output units can see, the ``jump`` between
  neighbouring units in input pixels (the effective stride) and where unit 0's
  window starts. Per layer with kernel k, stride s, dilation d:
  ``size_out = size_in + (k - 1) * d * jump_in`` and ``jump_out = jump_in * s``.
  SAME padding follows TensorFlow/Keras: the total padding along an axis is
  ``max((out - 1) * s + (k - 1) * d + 1 - in, 0)`` and the smaller half goes
  *before* (``pad_before = total // 2``), the odd pixel after. So a 3 x 3
  stride-2 SAME layer on an even input pads 0 before: output unit i is centred
  on input 2i + 1, not 2i as with PyTorch's symmetric padding=1.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

from cnnbook.validate import is_int, is_real, non_negative_int, positive_int

__all__ = [
    "ACTIVATIONS",
    "DTYPE_BYTES",
    "OPTIMIZER_SLOTS",
    "Activation",
    "AveragePooling2D",
    "BatchNormalization",
    "Conv2D",
    "Dense",
    "DepthwiseConv2D",
    "Dropout",
    "Flatten",
    "GlobalAveragePooling2D",
    "GlobalMaxPooling2D",
    "GraphStep",
    "Layer",
    "LayerReport",
    "LocalResponseNormalization",
    "MaxPooling2D",
    "ReLU",
    "ReceptiveField",
    "Report",
    "SeparableConv2D",
    "TrainingBreakdown",
    "Window",
    "ZeroPadding2D",
    "analyze",
    "report_from_graph",
]

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


# --------------------------------------------------------------------------- layers
@dataclass(frozen=True)
class Layer:
    """Base of the layer specs: shape, parameter and multiply-add rules.

    Arguments are checked when a spec is built; whether it fits its input can
    only be checked by :func:`analyze`, which names the offending layer.
    """

    name: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        name = self.name
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"name must be None or a non-empty string, got {name!r}")
        self._check()

    def _check(self) -> None:
        """Validate and normalise constructor arguments (overridden)."""

    def _set(self, attr: str, value: object) -> None:
        object.__setattr__(self, attr, value)

    def _map(self, input_shape: Shape) -> tuple[int, int, int]:
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} needs a feature map (H, W, C) as input, "
                f"got input_shape {input_shape}"
            )
        return input_shape  # type: ignore[return-value]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """Output shape without batch axis; shape-preserving unless overridden."""
        return tuple(input_shape)

    def count_params(self, input_shape: Shape) -> int:
        """Numbers Keras' ``count_params()`` would report for this layer."""
        return 0

    def count_macs(self, input_shape: Shape) -> int:
        """Multiply-adds for one instance (convolution and dense layers only)."""
        return 0

    def window(self, input_shape: Shape) -> Window | None:
        """Where each output unit reads the input (see :class:`Window`); None
        when it reads all of it (Flatten, Dense, global pooling) or the input
        is not a feature map. Pointwise unless overridden."""
        return POINTWISE if len(input_shape) == 3 else None


class _Sliding:
    """Shared checks, output size and window of the sliding-kernel layers.

    ``dilation_rate`` d spreads a kernel of k taps over ``(k - 1) * d + 1``
    input pixels: same parameters and multiply-adds per output, a wider view.
    """

    def _check_sliding(self) -> None:
        self._set("kernel_size", _pair("kernel_size", self.kernel_size))
        self._set("strides", _pair("strides", self.strides))
        self._set("padding", _padding(self.padding))
        self._set("dilation_rate", _pair("dilation_rate", self.dilation_rate))
        _bool("use_bias", self.use_bias)
        _activation(self.activation)

    def _spans(self) -> tuple[int, int]:
        """Input pixels one output reads along each axis: (k - 1) * d + 1."""
        return tuple(
            (k - 1) * d + 1
            for k, d in zip(self.kernel_size, self.dilation_rate, strict=True)
        )

    def _out_hw(self, input_shape: Shape) -> tuple[int, int]:
        h, w, _ = self._map(input_shape)
        out = []
        for size, k, s, d, span in zip(
            (h, w),
            self.kernel_size,
            self.strides,
            self.dilation_rate,
            self._spans(),
            strict=True,
        ):
            what = f"kernel_size {k}"
            if d > 1:
                what += f" at dilation_rate {d} spans {span} pixels, which"
            out.append(_window(size, span, s, self.padding, what))
        return tuple(out)

    def window(self, input_shape: Shape) -> Window:
        h, w, _ = self._map(input_shape)
        out = self._out_hw(input_shape)
        return Window(
            self.kernel_size,
            self.strides,
            self.dilation_rate,
            tuple(
                _pad_before(n, o, span, s, self.padding)
                for n, o, span, s in zip(
                    (h, w), out, self._spans(), self.strides, strict=True
                )
            ),
        )


@dataclass(frozen=True)
class Conv2D(_Sliding, Layer):
    """2-D convolution; ``groups`` splits channels as in ResNeXt."""

    filters: int
    kernel_size: int | tuple[int, int]
    strides: int | tuple[int, int] = 1
    padding: str = "valid"
    use_bias: bool = True
    groups: int = 1
    activation: str | None = None
    dilation_rate: int | tuple[int, int] = 1

    def _check(self) -> None:
        self._set("filters", positive_int("filters", self.filters))
        self._check_sliding()
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "strides and dilation_rate cannot both exceed 1 in a Conv2D (Keras "
                f"refuses it), got strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )
        self._set("groups", positive_int("groups", self.groups))
        if self.filters % self.groups:
            raise ValueError(
                f"groups must divide filters, got groups={self.groups} "
                f"and filters={self.filters}"
            )

    def _in_channels(self, input_shape: Shape) -> int:
        c = self._map(input_shape)[2]
        if c % self.groups:
            raise ValueError(
                f"groups must divide the input channels, got groups={self.groups} "
                f"and {c} channels"
            )
        return c

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._in_channels(input_shape)
        return (*self._out_hw(input_shape), self.filters)

    def count_params(self, input_shape: Shape) -> int:
        kh, kw = self.kernel_size
        c = self._in_channels(input_shape)
        weights = kh * kw * (c // self.groups) * self.filters
        return weights + self.filters * self.use_bias

    def count_macs(self, input_shape: Shape) -> int:
        oh, ow, f = self.compute_output_shape(input_shape)
        kh, kw = self.kernel_size
        return oh * ow * f * kh * kw * (input_shape[2] // self.groups)


@dataclass(frozen=True)
class DepthwiseConv2D(_Sliding, Layer):
    """One k x k filter per input channel (times ``depth_multiplier``)."""

    kernel_size: int | tuple[int, int]
    strides: int | tuple[int, int] = 1
    padding: str = "valid"
    depth_multiplier: int = 1
    use_bias: bool = True
    activation: str | None = None
    dilation_rate: int | tuple[int, int] = 1

    def _check(self) -> None:
        self._check_sliding()
        self._set(
            "depth_multiplier", positive_int("depth_multiplier", self.depth_multiplier)
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*self._out_hw(input_shape), input_shape[2] * self.depth_multiplier)

    def count_params(self, input_shape: Shape) -> int:
        kh, kw = self.kernel_size
        out_c = self._map(input_shape)[2] * self.depth_multiplier
        return kh * kw * out_c + out_c * self.use_bias

    def count_macs(self, input_shape: Shape) -> int:
        oh, ow, out_c = self.compute_output_shape(input_shape)
        kh, kw = self.kernel_size
        return oh * ow * out_c * kh * kw


@dataclass(frozen=True)
class SeparableConv2D(_Sliding, Layer):
    """Depthwise convolution followed by a 1 x 1 pointwise convolution."""

    filters: int
    kernel_size: int | tuple[int, int]
    strides: int | tuple[int, int] = 1
    padding: str = "valid"
    depth_multiplier: int = 1
    use_bias: bool = True
    activation: str | None = None
    dilation_rate: int | tuple[int, int] = 1

    def _check(self) -> None:
        self._set("filters", positive_int("filters", self.filters))
        self._check_sliding()
        self._set(
            "depth_multiplier", positive_int("depth_multiplier", self.depth_multiplier)
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*self._out_hw(input_shape), self.filters)

    def count_params(self, input_shape: Shape) -> int:
        kh, kw = self.kernel_size
        mid = self._map(input_shape)[2] * self.depth_multiplier
        return kh * kw * mid + mid * self.filters + self.filters * self.use_bias

    def count_macs(self, input_shape: Shape) -> int:
        oh, ow, _ = self.compute_output_shape(input_shape)
        kh, kw = self.kernel_size
        mid = input_shape[2] * self.depth_multiplier
        return oh * ow * mid * kh * kw + oh * ow * mid * self.filters


@dataclass(frozen=True)
class _Pooling2D(Layer):
    """Sliding-window pooling; ``strides=None`` means ``pool_size`` (Keras)."""

    pool_size: int | tuple[int, int] = 2
    strides: int | tuple[int, int] | None = None
    padding: str = "valid"

    def _check(self) -> None:
        self._set("pool_size", _pair("pool_size", self.pool_size))
        strides = self.pool_size if self.strides is None else self.strides
        self._set("strides", _pair("strides", strides))
        self._set("padding", _padding(self.padding))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        h, w, c = self._map(input_shape)
        (ph, pw), (sh, sw) = self.pool_size, self.strides
        return (
            _window(h, ph, sh, self.padding, f"pool_size {ph}"),
            _window(w, pw, sw, self.padding, f"pool_size {pw}"),
            c,
        )

    def window(self, input_shape: Shape) -> Window:
        h, w, _ = self.compute_output_shape(input_shape)
        pads = tuple(
            _pad_before(n, o, p, s, self.padding)
            for n, o, p, s in zip(
                input_shape[:2], (h, w), self.pool_size, self.strides, strict=True
            )
        )
        return Window(self.pool_size, self.strides, (1, 1), pads)


@dataclass(frozen=True)
class MaxPooling2D(_Pooling2D):
    """Max over each window; no parameters."""


@dataclass(frozen=True)
class AveragePooling2D(_Pooling2D):
    """Mean over each window; no parameters (Keras requires ``pool_size``)."""


@dataclass(frozen=True)
class _GlobalPooling2D(Layer):
    """Pool each channel over the whole map: (H, W, C) -> (C,)."""

    keepdims: bool = False

    def _check(self) -> None:
        _bool("keepdims", self.keepdims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        c = self._map(input_shape)[2]
        return (1, 1, c) if self.keepdims else (c,)

    def window(self, input_shape: Shape) -> None:
        return None  # every output reads the whole map


@dataclass(frozen=True)
class GlobalAveragePooling2D(_GlobalPooling2D):
    """Mean of each channel; the usual bridge from conv maps to a classifier."""


@dataclass(frozen=True)
class GlobalMaxPooling2D(_GlobalPooling2D):
    """Max of each channel."""


@dataclass(frozen=True)
class Flatten(Layer):
    """Reshape to one vector; costs nothing but fixes the input size."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (math.prod(input_shape),)

    def window(self, input_shape: Shape) -> None:
        return None  # the output is no longer a map


@dataclass(frozen=True)
class Dense(Layer):
    """Fully connected layer on a flat vector (Flatten or global pooling first)."""

    units: int
    use_bias: bool = True
    activation: str | None = None

    def _check(self) -> None:
        self._set("units", positive_int("units", self.units))
        _bool("use_bias", self.use_bias)
        _activation(self.activation)

    def _features(self, input_shape: Shape) -> int:
        if len(input_shape) != 1:
            raise ValueError(
                f"Dense needs a flat input (N,), got input_shape {input_shape}; "
                "add Flatten or a global pooling layer first"
            )
        return input_shape[0]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._features(input_shape)
        return (self.units,)

    def window(self, input_shape: Shape) -> None:
        return None  # every unit reads every input

    def count_params(self, input_shape: Shape) -> int:
        return self._features(input_shape) * self.units + self.units * self.use_bias

    def count_macs(self, input_shape: Shape) -> int:
        return self._features(input_shape) * self.units


@dataclass(frozen=True)
class BatchNormalization(Layer):
    """Per-channel gamma, beta and the moving mean and variance (4 per channel)."""

    center: bool = True
    scale: bool = True

    def _check(self) -> None:
        _bool("center", self.center)
        _bool("scale", self.scale)

    def count_params(self, input_shape: Shape) -> int:
        return (2 + self.center + self.scale) * input_shape[-1]


@dataclass(frozen=True)
class Dropout(Layer):
    """Zeroes a fraction ``rate`` of values while training; shape-preserving."""

    rate: float

    def _check(self) -> None:
        if not is_real(self.rate) or not 0 <= self.rate < 1:
            raise ValueError(f"rate must be a number in [0, 1), got {self.rate!r}")


@dataclass(frozen=True)
class Activation(Layer):
    """Elementwise activation by Keras name, e.g. ``Activation("relu")``."""

    activation: str

    def _check(self) -> None:
        if self.activation is None:
            raise ValueError("activation must be a name, got None")
        _activation(self.activation)


@dataclass(frozen=True)
class ReLU(Layer):
    """``max(x, 0)``, optionally capped (``ReLU(6.0)`` is MobileNet's ReLU6)."""

    max_value: float | None = None
    negative_slope: float = 0.0
    threshold: float = 0.0

    def _check(self) -> None:
        if self.max_value is not None and (
            not is_real(self.max_value) or self.max_value < 0
        ):
            raise ValueError(
                "max_value must be None or a non-negative number, "
                f"got {self.max_value!r}"
            )
        if not is_real(self.negative_slope) or self.negative_slope < 0:
            raise ValueError(
                "negative_slope must be a non-negative number, "
                f"got {self.negative_slope!r}"
            )
        if not is_real(self.threshold):
            raise ValueError(f"threshold must be a number, got {self.threshold!r}")


@dataclass(frozen=True)
class ZeroPadding2D(Layer):
    """Adds zero rows and columns; stored as ``((top, bottom), (left, right))``."""

    padding: int | tuple = 1

    def _check(self) -> None:
        p = self.padding
        bad = ValueError(
            "padding must be a non-negative integer, a pair (h, w) or "
            f"((top, bottom), (left, right)) of non-negative integers, got {p!r}"
        )

        def ok(v: object) -> bool:
            return is_int(v) and v >= 0

        if ok(p):
            norm = ((p, p), (p, p))
        elif isinstance(p, (tuple, list)) and len(p) == 2 and all(ok(v) for v in p):
            norm = ((p[0], p[0]), (p[1], p[1]))
        elif (
            isinstance(p, (tuple, list))
            and len(p) == 2
            and all(
                isinstance(q, (tuple, list)) and len(q) == 2 and all(ok(v) for v in q)
                for q in p
            )
        ):
            norm = (tuple(p[0]), tuple(p[1]))
        else:
            raise bad
        self._set("padding", tuple(tuple(int(v) for v in q) for q in norm))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        h, w, c = self._map(input_shape)
        (t, b), (left, r) = self.padding
        return (h + t + b, w + left + r, c)

    def window(self, input_shape: Shape) -> Window:
        self._map(input_shape)
        (top, _), (left, _) = self.padding
        return Window(pad_before=(top, left))


@dataclass(frozen=True)
class LocalResponseNormalization(Layer):
    """AlexNet's cross-channel normalisation, with TensorFlow's meaning.

    ``out = x / (bias + alpha * sum(x[c - r : c + r + 1] ** 2)) ** beta`` with
    ``r = depth_radius`` (``tf.nn.local_response_normalization``). TF's alpha is
    not divided by the window size, so AlexNet's n=5, k=2, alpha=1e-4, beta=0.75
    become depth_radius=2, bias=2.0, alpha=1e-4 / 5, beta=0.75. No parameters.
    """

    depth_radius: int = 2
    bias: float = 1.0
    alpha: float = 1.0
    beta: float = 0.5

    def _check(self) -> None:
        non_negative_int("depth_radius", self.depth_radius)
        for arg in ("bias", "alpha", "beta"):
            if not is_real(getattr(self, arg)):
                raise ValueError(f"{arg} must be a number, got {getattr(self, arg)!r}")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self._map(input_shape)


# --------------------------------------------------------------------------- reports
@dataclass(frozen=True)
class LayerReport:
    """One layer's line in a :class:`Report` (shapes exclude the batch axis).

    ``input_shape`` is a tuple of shapes for layers with several inputs (Add,
    Concatenate...). ``activation_bytes`` is per instance.
    ``receptive_field`` is what one output unit sees of the model's input
    (:class:`ReceptiveField`), or None when it sees all of it (after Flatten,
    Dense, global pooling, a squeeze-and-excitation scale) or the geometry is
    not known.
    """

    name: str
    kind: str
    input_shape: tuple
    output_shape: Shape
    params: int
    activation_bytes: int
    macs: int
    receptive_field: ReceptiveField | None = None

    @property
    def output_elements(self) -> int:
        return math.prod(self.output_shape)


@dataclass(frozen=True)
class TrainingBreakdown:
    """Memory for one training step, in bytes, split by what it is for."""

    optimizer: str
    parameters: int
    gradients: int
    optimizer_state: int
    activations: int
    inputs: int

    @property
    def total(self) -> int:
        return (
            self.parameters
            + self.gradients
            + self.optimizer_state
            + self.activations
            + self.inputs
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "parameters": self.parameters,
            "gradients": self.gradients,
            "optimizer_state": self.optimizer_state,
            "activations": self.activations,
            "inputs": self.inputs,
            "total": self.total,
        }


@dataclass(frozen=True)
class Report:
    """Totals for a network; see the module docstring for the definitions.

    ``input_shape`` is a tuple of shapes when a model has several inputs.
    ``peak_live_elements`` is the per-instance activation part of
    ``inference_bytes`` (in values, not bytes).
    """

    input_shape: tuple
    batch_size: int
    dtype: str
    bytes_per_value: int
    layers: tuple[LayerReport, ...]
    params: int
    param_bytes: int
    input_bytes: int
    macs: int
    inference_bytes: int
    training_bytes: int
    peak_live_elements: int

    @property
    def activation_bytes(self) -> int:
        """Every layer's output for the whole batch (kept for backprop)."""
        return self.batch_size * sum(layer.activation_bytes for layer in self.layers)

    def training_breakdown(self, optimizer: str = "adam") -> TrainingBreakdown:
        """Add gradients (one per parameter) and optimizer slots to the bound.

        ``parameters + activations + inputs`` equals ``training_bytes``.
        """
        if optimizer not in OPTIMIZER_SLOTS:
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZER_SLOTS)}, got {optimizer!r}"
            )
        return TrainingBreakdown(
            optimizer=optimizer,
            parameters=self.param_bytes,
            gradients=self.param_bytes,
            optimizer_state=OPTIMIZER_SLOTS[optimizer] * self.param_bytes,
            activations=self.activation_bytes,
            inputs=self.input_bytes,
        )

    def table(self) -> list[dict]:
        """One dict per layer, ready for ``pandas.DataFrame`` or a markdown table."""
        return [
            {
                "name": layer.name,
                "kind": layer.kind,
                "input_shape": layer.input_shape,
                "output_shape": layer.output_shape,
                "params": layer.params,
                "macs": layer.macs,
                "activation_bytes": layer.activation_bytes,
            }
            for layer in self.layers
        ]


@dataclass(frozen=True)
class GraphStep:
    """One layer call in a graph: which tensors it reads and which it writes.

    Tensors are identified by any hashable key; graph inputs are keys given to
    :func:`report_from_graph`. ``input_shape`` may be a tuple of shapes.
    ``window`` says where an output unit reads its inputs (all at the same
    :class:`Window`); None when it reads all of them or is not known.
    """

    name: str
    kind: str
    input_shape: tuple
    output_shape: Shape
    params: int
    macs: int
    inputs: tuple[Hashable, ...]
    output: Hashable
    window: Window | None = None


def report_from_graph(
    inputs: Mapping[Hashable, Shape],
    steps: Sequence[GraphStep],
    batch_size: int = 1,
    dtype: str = "float32",
    outputs: Sequence[Hashable] = (),
) -> Report:
    """Build a :class:`Report` from layer calls listed in a topological order.

    Shared by :func:`analyze` (a chain) and the Keras bridge (any DAG), so both
    use one definition of peak live memory: a tensor lives from the step that
    writes it until its last reader has run; graph inputs live from the start;
    tensors in ``outputs`` or never read live to the end. Receptive fields are
    carried along the graph the same way: a (H, W, C) input starts at
    :data:`PIXEL`, each step merges its inputs' fields and passes them
    through its window.
    """
    batch_size = positive_int("batch_size", batch_size)
    bpv = _dtype_bytes(dtype)
    if not inputs:
        raise ValueError("inputs must name at least one graph input")
    if not steps:
        raise ValueError("steps must contain at least one layer")
    size = {key: math.prod(shape) for key, shape in inputs.items()}
    last_read: dict[Hashable, int] = {}
    for i, step in enumerate(steps):
        for key in step.inputs:
            if key not in size:
                raise ValueError(
                    f"steps[{i}] ({step.name}) reads tensor {key!r} before it is "
                    "written; steps must be in topological order"
                )
            last_read[key] = i
        if step.output in size:
            raise ValueError(
                f"steps[{i}] ({step.name}) rewrites tensor {step.output!r}"
            )
        size[step.output] = math.prod(step.output_shape)
    for key in outputs:
        last_read.pop(key, None)

    field = {key: PIXEL if len(shape) == 3 else None for key, shape in inputs.items()}
    live = peak = sum(size[key] for key in inputs)
    layers = []
    for i, step in enumerate(steps):
        seen = merge_fields([field[key] for key in step.inputs])
        seen = (
            None if seen is None or step.window is None else seen.through(step.window)
        )
        field[step.output] = seen
        out = size[step.output]
        live += out
        peak = max(peak, live)
        for key in set(step.inputs):
            if last_read.get(key) == i:
                live -= size[key]
        layers.append(
            LayerReport(
                name=step.name,
                kind=step.kind,
                input_shape=step.input_shape,
                output_shape=tuple(step.output_shape),
                params=step.params,
                activation_bytes=out * bpv,
                macs=step.macs,
                receptive_field=seen,
            )
        )

    params = sum(layer.params for layer in layers)
    input_elements = sum(size[key] for key in inputs)
    shapes = list(inputs.values())
    outputs_total = sum(layer.output_elements for layer in layers)
    return Report(
        input_shape=tuple(shapes[0]) if len(shapes) == 1 else tuple(shapes),
        batch_size=batch_size,
        dtype=dtype,
        bytes_per_value=bpv,
        layers=tuple(layers),
        params=params,
        param_bytes=params * bpv,
        input_bytes=batch_size * input_elements * bpv,
        macs=sum(layer.macs for layer in layers),
        inference_bytes=(params + batch_size * peak) * bpv,
        training_bytes=(params + batch_size * (input_elements + outputs_total)) * bpv,
        peak_live_elements=peak,
    )


def _layer_names(layers: Sequence[Layer]) -> list[str]:
    """Explicit names kept; others named like Keras: conv2d, conv2d_1, ..."""
    taken: dict[str, int] = {}
    for i, layer in enumerate(layers):
        if layer.name is not None:
            if layer.name in taken:
                raise ValueError(
                    f"name {layer.name!r} is used by layers[{taken[layer.name]}] "
                    f"and layers[{i}]; names must be unique"
                )
            taken[layer.name] = i
    names, counters = [], {}
    for layer in layers:
        if layer.name is not None:
            names.append(layer.name)
            continue
        base = _snake_case(type(layer).__name__)
        n = counters.get(base, 0)
        name = base if n == 0 else f"{base}_{n}"
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        counters[base] = n + 1
        taken[name] = -1
        names.append(name)
    return names


def _is_layer_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _is_layer(value: object) -> bool:
    return isinstance(value, Layer)


def analyze(
    input_shape: Sequence[int],
    layers: Sequence[Layer],
    batch_size: int = 1,
    dtype: str = "float32",
) -> Report:
    """Shapes, parameters, multiply-adds and memory of a stack of layer specs.

    ``input_shape`` excludes the batch axis: (H, W, C) or (N,). A layer that does
    not fit its input raises ValueError naming the layer's index and name.
    """
    shape = _shape("input_shape", input_shape)
    if not _is_layer_list(layers):
        raise ValueError(f"layers must be a list of calc layer specs, got {layers!r}")
    if not layers:
        raise ValueError("layers must contain at least one layer, got an empty list")
    for i, layer in enumerate(layers):
        if not _is_layer(layer):
            raise ValueError(
                f"layers[{i}] must be a calc layer spec such as calc.Conv2D, "
                f"got {layer!r}"
            )
    positive_int("batch_size", batch_size)
    _dtype_bytes(dtype)

    names = _layer_names(layers)
    steps = []
    for i, (layer, name) in enumerate(zip(layers, names, strict=True)):
        kind = type(layer).__name__
        try:
            out = layer.compute_output_shape(shape)
            params = layer.count_params(shape)
            macs = layer.count_macs(shape)
            window = layer.window(shape)
        except ValueError as err:
            raise ValueError(f"layers[{i}] ({name}, {kind}): {err}") from None
        steps.append(
            GraphStep(name, kind, shape, out, params, macs, (i,), i + 1, window)
        )
        shape = out
    return report_from_graph({0: steps[0].input_shape}, steps, batch_size, dtype)
