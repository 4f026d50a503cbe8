"""Keras builds of what came after ResNet: SE blocks, separable and MBConv blocks.

* :func:`se_block`: Hu et al.'s squeeze-and-excitation gate on a tensor.
* :func:`se_resnet`: ResNet-50/101/152 exactly as ``keras.applications``
  builds them (biases on the convolutions, stride in the first 1x1 of a
  stage), with an SE block in every bottleneck unit (``ratio=None``: none).
* :func:`separable_unit`: MobileNet's depthwise 3x3 + pointwise 1x1 unit.
* :func:`mbconv_block`, :func:`efficientnet`: EfficientNet's inverted
  residual block and network (Tan and Le 2019, Table 1), scaled by width,
  depth and resolution the way ``keras.applications`` scales B0 to B7.
* :func:`count`: build a model without filling its weights and count what it
  holds by role (kernels, trainable), beside :mod:`cnnbook.calc`'s report.

Xception and MobileNet themselves come from ``keras.applications`` with
``weights=None``: nothing is ever downloaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import keras
from keras import layers as kl

from cnnbook import calc
from cnnbook.papers import RESNET_STAGES
from cnnbook.referee.architectures import _shape
from cnnbook.referee.keras_bridge import analyze_keras
from cnnbook.validate import is_real, positive_int

__all__ = [
    "EFFICIENTNET_B0",
    "EFFICIENTNET_SCALING",
    "Counts",
    "count",
    "efficientnet",
    "mbconv_block",
    "se_block",
    "se_resnet",
    "separable_unit",
]

EFFICIENTNET_B0 = (
    # kernel, repeats, filters in, filters out, expansion, stride (Tan and Le
    # 2019, Table 1; every block has an SE gate squeezing to 1/4 of its input)
    (3, 1, 32, 16, 1, 1),
    (3, 2, 16, 24, 6, 2),
    (5, 2, 24, 40, 6, 2),
    (3, 3, 40, 80, 6, 2),
    (5, 3, 80, 112, 6, 1),
    (5, 4, 112, 192, 6, 2),
    (3, 1, 192, 320, 6, 1),
)
"""The seven stages of EfficientNet-B0 between its 3x3 stem (32 maps) and its
1x1 head (1,280 maps)."""

EFFICIENTNET_SCALING = {
    "B0": (1.0, 1.0, 224),
    "B1": (1.0, 1.1, 240),
    "B2": (1.1, 1.2, 260),
    "B3": (1.2, 1.4, 300),
    "B4": (1.4, 1.8, 380),
    "B5": (1.6, 2.2, 456),
    "B6": (1.8, 2.6, 528),
    "B7": (2.0, 3.1, 600),
}
"""(width, depth, resolution) of the released models, from the official code
that ``keras.applications`` copies; not Eq. 3 of the paper to the letter."""


# --------------------------------------------------------------------------- blocks
def se_block(x, squeezed: int, activation: str = "relu", name: str = "se"):
    """Squeeze-and-excitation on tensor ``x`` (Hu et al. 2020, first at CVPR
    2018): global average pooling, a dense layer to ``squeezed`` units, one back
    to the C channels with a sigmoid, and each map multiplied by its gate.

    Parameters: ``2 * C * squeezed + squeezed + C`` (Hu et al. write the
    weights as 2C^2/r for ``squeezed = C / r``).
    """
    squeezed = positive_int("squeezed", squeezed)
    channels = x.shape[-1]
    s = kl.GlobalAveragePooling2D(name=f"{name}_squeeze")(x)
    s = kl.Dense(squeezed, activation=activation, name=f"{name}_reduce")(s)
    s = kl.Dense(channels, activation="sigmoid", name=f"{name}_expand")(s)
    s = kl.Reshape((1, 1, channels), name=f"{name}_reshape")(s)
    return kl.Multiply(name=f"{name}_scale")([x, s])


def _bn(x, name: str, epsilon: float = 1.001e-5):
    return kl.BatchNormalization(epsilon=epsilon, name=name)(x)


def _bottleneck(x, filters: int, strides: int, project: bool, ratio, name: str):
    """keras.applications' ResNet v1 bottleneck, with an SE gate before the
    addition when ``ratio`` is set (Hu et al., Fig. 3)."""
    channels = 4 * filters
    shortcut = x
    if project:
        shortcut = kl.Conv2D(channels, 1, strides=strides, name=f"{name}_0_conv")(x)
        shortcut = _bn(shortcut, f"{name}_0_bn")
    y = kl.Conv2D(filters, 1, strides=strides, name=f"{name}_1_conv")(x)
    y = kl.Activation("relu", name=f"{name}_1_relu")(_bn(y, f"{name}_1_bn"))
    y = kl.Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(y)
    y = kl.Activation("relu", name=f"{name}_2_relu")(_bn(y, f"{name}_2_bn"))
    y = _bn(kl.Conv2D(channels, 1, name=f"{name}_3_conv")(y), f"{name}_3_bn")
    if ratio is not None:
        y = se_block(y, channels // ratio, name=f"{name}_se")
    y = kl.Add(name=f"{name}_add")([shortcut, y])
    return kl.Activation("relu", name=f"{name}_out")(y)


def se_resnet(
    depth: int = 50,
    ratio: int | None = 16,
    input_shape=(224, 224, 3),
    num_classes: int = 1000,
) -> keras.Model:
    """SE-ResNet-50/101/152 (Hu et al. 2020, first at CVPR 2018), on ResNet v1 as
    ``keras.applications`` builds it; ``ratio=None`` builds that ResNet itself.

    An SE block with ``C // ratio`` hidden units follows the last 1x1
    convolution and batch norm of each bottleneck unit, before the addition.
    """
    if depth not in RESNET_STAGES or not RESNET_STAGES[depth][1]:
        raise ValueError(f"depth must be one of 50, 101, 152, got {depth!r}")
    if ratio is not None:
        ratio = positive_int("ratio", ratio)
    input_shape = _shape(input_shape)
    num_classes = positive_int("num_classes", num_classes)
    inputs = keras.Input(shape=input_shape)
    x = kl.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = _bn(kl.Conv2D(64, 7, strides=2, name="conv1_conv")(x), "conv1_bn")
    x = kl.Activation("relu", name="conv1_relu")(x)
    x = kl.ZeroPadding2D(1, name="pool1_pad")(x)
    x = kl.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, units in enumerate(RESNET_STAGES[depth][0]):
        for unit in range(units):
            strides = 2 if unit == 0 and stage > 0 else 1
            name = f"conv{stage + 2}_block{unit + 1}"
            x = _bottleneck(x, 64 * 2**stage, strides, unit == 0, ratio, name)
    x = kl.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = kl.Dense(num_classes, activation="softmax", name="predictions")(x)
    kind = f"se_resnet{depth}" if ratio is not None else f"resnet{depth}"
    return keras.Model(inputs, outputs, name=kind)


def separable_unit(x, filters: int, strides: int = 1, name: str = "separable"):
    """MobileNet's unit (Howard et al. 2017, Fig. 3): a 3x3 depthwise
    convolution, batch norm, ReLU, then a 1x1 convolution to ``filters`` maps,
    batch norm, ReLU; no biases (batch norm has the shift)."""
    filters = positive_int("filters", filters)
    x = kl.DepthwiseConv2D(
        3, strides=strides, padding="same", use_bias=False, name=f"{name}_dw"
    )(x)
    x = kl.ReLU(name=f"{name}_dw_relu")(_bn(x, f"{name}_dw_bn", 1e-3))
    x = kl.Conv2D(filters, 1, use_bias=False, name=f"{name}_pw")(x)
    return kl.ReLU(name=f"{name}_pw_relu")(_bn(x, f"{name}_pw_bn", 1e-3))


def mbconv_block(
    x,
    filters: int,
    kernel_size: int = 3,
    strides: int = 1,
    expansion: int = 6,
    se_ratio: float = 0.25,
    name: str = "mbconv",
):
    """EfficientNet's inverted residual block, as ``keras.applications``
    builds it (Sandler et al. 2018; Tan and Le 2019): a 1x1 expansion to
    ``expansion`` times the input maps (none when 1), a depthwise k x k
    convolution, an SE gate squeezing to ``se_ratio`` of the *input* maps, a
    1x1 projection to ``filters`` maps without activation, and the identity
    added when the shape allows it. Swish activations, no biases but the SE's.
    """
    filters = positive_int("filters", filters)
    kernel_size = positive_int("kernel_size", kernel_size)
    expansion = positive_int("expansion", expansion)
    if strides not in (1, 2):
        raise ValueError(f"strides must be 1 or 2, got {strides!r}")
    if not is_real(se_ratio) or not 0 <= se_ratio <= 1:
        raise ValueError(f"se_ratio must be a number in [0, 1], got {se_ratio!r}")
    channels_in = x.shape[-1]
    y = x
    if expansion != 1:
        y = kl.Conv2D(
            channels_in * expansion, 1, use_bias=False, name=f"{name}expand_conv"
        )(y)
        y = kl.Activation("swish", name=f"{name}expand_activation")(
            kl.BatchNormalization(name=f"{name}expand_bn")(y)
        )
    y = kl.DepthwiseConv2D(
        kernel_size, strides, padding="same", use_bias=False, name=f"{name}dwconv"
    )(y)
    y = kl.Activation("swish", name=f"{name}activation")(
        kl.BatchNormalization(name=f"{name}bn")(y)
    )
    if se_ratio > 0:
        y = se_block(y, max(1, int(channels_in * se_ratio)), "swish", f"{name}se")
    y = kl.Conv2D(filters, 1, use_bias=False, name=f"{name}project_conv")(y)
    y = kl.BatchNormalization(name=f"{name}project_bn")(y)
    if strides == 1 and channels_in == filters:
        y = kl.Add(name=f"{name}add")([y, x])
    return y


def _round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """Scale a width and round it to a multiple of 8, never 10% below."""
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    return int(rounded + divisor if rounded < 0.9 * scaled else rounded)


def efficientnet(
    width: float = 1.0,
    depth: float = 1.0,
    resolution: int = 224,
    num_classes: int = 1000,
) -> keras.Model:
    """EfficientNet-B0 scaled by ``width`` (maps), ``depth`` (blocks per
    stage, rounded up) and ``resolution`` (input side in pixels), as
    ``keras.applications`` does it: ``efficientnet(*EFFICIENTNET_SCALING["B3"])``
    has the layers of ``keras.applications.EfficientNetB3``. Input rescaling
    and normalisation (7 statistics) included, stochastic depth left out (it has
    neither parameters nor multiply-adds).
    """
    for arg, value in (("width", width), ("depth", depth)):
        if not is_real(value) or value <= 0:
            raise ValueError(f"{arg} must be a positive number, got {value!r}")
    resolution = positive_int("resolution", resolution)
    if resolution < 32:
        raise ValueError(f"resolution must be at least 32 pixels, got {resolution}")
    num_classes = positive_int("num_classes", num_classes)
    inputs = keras.Input(shape=(resolution, resolution, 3))
    x = kl.Rescaling(1.0 / 255.0, name="rescaling")(inputs)
    x = kl.Normalization(axis=-1, name="normalization")(x)
    x = kl.Conv2D(
        _round_filters(32, width),
        3,
        strides=2,
        padding="same",
        use_bias=False,
        name="stem_conv",
    )(x)
    x = kl.Activation("swish", name="stem_activation")(
        kl.BatchNormalization(name="stem_bn")(x)
    )
    for stage, (kernel, repeats, _, filters, expansion, strides) in enumerate(
        EFFICIENTNET_B0, start=1
    ):
        for block in range(math.ceil(depth * repeats)):
            x = mbconv_block(
                x,
                _round_filters(filters, width),
                kernel,
                strides if block == 0 else 1,
                expansion,
                name=f"block{stage}{chr(97 + block)}_",
            )
    x = kl.Conv2D(_round_filters(1280, width), 1, use_bias=False, name="top_conv")(x)
    x = kl.Activation("swish", name="top_activation")(
        kl.BatchNormalization(name="top_bn")(x)
    )
    x = kl.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = kl.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="efficientnet")


# --------------------------------------------------------------------------- counting
@dataclass(frozen=True)
class Counts:
    """A model's parameters by role, beside calc's report of it.

    ``report.params`` is Keras' ``count_params()``: every number stored.
    ``trainable`` leaves out what training does not update (batch norm's
    moving means and variances, an input normalisation's statistics).
    ``kernels`` counts only the weights of convolution and dense kernels: no
    biases, no batch norm, the way MobileNet's paper counts.
    """

    report: calc.Report
    trainable: int
    kernels: int


def count(builder: Callable[..., keras.Model], *args, **kwargs) -> Counts:
    """Build ``builder(*args, **kwargs)`` without filling its weights (in a
    ``keras.StatelessScope``), count it, free it. Works for the builders here
    and for ``keras.applications`` models with ``weights=None``."""
    if not callable(builder):
        raise ValueError(
            f"builder must be a function that returns a model, got {builder!r}"
        )
    model = None
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = builder(*args, **kwargs)
            return Counts(
                analyze_keras(model),
                sum(math.prod(v.shape) for v in model.trainable_weights),
                sum(math.prod(v.shape) for v in model.weights if "kernel" in v.name),
            )
    finally:
        model = None
        keras.backend.clear_session(free_memory=False)
