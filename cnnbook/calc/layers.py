"""Layer specs named and parametrised like their Keras counterparts: each knows
its output shape, parameters, multiply-adds and receptive-field window."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cnnbook.calc.geometry import (
    POINTWISE,
    Shape,
    Window,
    _activation,
    _bool,
    _pad_before,
    _padding,
    _pair,
    _window,
)
from cnnbook.validate import is_int, is_real, non_negative_int, positive_int


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
