"""Keras builds of the landmark networks, from LeNet-5 to ResNet, and their figures.

Every builder takes ``input_shape`` and ``num_classes`` (so the book can also
build tiny versions) and returns an uncompiled functional ``keras.Model`` made
of standard Keras layers, which
:func:`cnnbook.referee.keras_bridge.analyze_keras` can read.
Weights are initialised at random; nothing is ever downloaded.

* :func:`lenet5`: LeCun et al. 1998, fully connected C3, no RBF output layer.
* :func:`alexnet`: Krizhevsky et al. 2012, single tower by default;
  ``two_tower=True`` reproduces the two-GPU split with grouped convolutions.
* :func:`inception_module`, :func:`googlenet`: Szegedy et al. 2015, Table 1.
* :func:`residual_unit`, :func:`resnet`, :func:`thin_net`: He et al. 2016,
  Table 1 (option B shortcuts; downsampling by the first convolution of a stage).

:data:`PAPERS`, :data:`CLAIMS` and :data:`RESNET_STAGES` (from :mod:`cnnbook.papers`)
hold the figures the papers print, with where they are printed;
:data:`GOOGLENET_TABLE1` and :data:`HE2016` the per-module figures of GoogLeNet's
Table 1 and those of He et al. beyond ResNet-50.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
from keras import layers as kl

from cnnbook.papers import CLAIMS, PAPERS, RESNET_STAGES
from cnnbook.referee.keras_bridge import analyze_keras
from cnnbook.referee.lrn_layer import LocalResponseNormalization
from cnnbook.validate import is_int, positive_int

__all__ = [
    "CLAIMS",
    "GOOGLENET_TABLE1",
    "HE2016",
    "PAPERS",
    "RESNET_STAGES",
    "alexnet",
    "googlenet",
    "inception_module",
    "lenet5",
    "measure",
    "residual_unit",
    "resnet",
    "thin_net",
    "weight_depth",
]

_INCEPTION = {  # Szegedy et al. 2015, Table 1: 1x1, 3x3 reduce, 3x3, 5x5 reduce,
    "3a": (64, 96, 128, 16, 32, 32),  # 5x5, pool proj
    "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64),
    "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128),
    "5b": (384, 192, 384, 48, 128, 128),
}

GOOGLENET_TABLE1 = {  # Szegedy et al. 2015, Table 1: "params" (K) and "ops" (M)
    "3a": (159, 128),
    "3b": (380, 304),
    "4a": (364, 73),
    "4b": (437, 88),
    "4c": (463, 100),
    "4d": (580, 119),
    "4e": (840, 170),
    "5a": (1072, 54),
    "5b": (1388, 71),
}
"""What Table 1 prints for each inception module; the paper does not say whether
its K is 1,000 or 1,024, nor whether biases count."""

HE2016 = {
    "resnet101_macs": (7.6e9, "He et al. 2016, Table 1 (FLOPs, multiply-adds)"),
    "resnet152_macs": (11.3e9, "He et al. 2016, Table 1 (FLOPs, multiply-adds)"),
    "resnet101_top5": (6.05, "He et al. 2016, Table 3 (10-crop, %)"),
    "resnet152_top5": (5.71, "He et al. 2016, Table 3 (10-crop, %)"),
    "plain34_top5": (10.02, "He et al. 2016, Table 3 (10-crop, %)"),
    "cifar110_params": (1.7e6, "He et al. 2016, Table 6"),
    "cifar110_error": (6.43, "He et al. 2016, Table 6 (CIFAR-10 test error, %)"),
    "cifar1202_params": (19.4e6, "He et al. 2016, Table 6"),
    "cifar1202_error": (7.93, "He et al. 2016, Table 6 (CIFAR-10 test error, %)"),
    "cifar1202_train_error": (0.1, "He et al. 2016, Section 4.2 (below 0.1%)"),
}
"""Figures of He et al. (2016) beyond ResNet-50: ``name: (value, where)``."""


# --------------------------------------------------------------------------- checks
def _shape(input_shape: object) -> tuple[int, int, int]:
    if (
        not isinstance(input_shape, Sequence)
        or len(input_shape) != 3
        or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0
            for d in input_shape
        )
    ):
        raise ValueError(
            "input_shape must be (height, width, channels) of positive integers, "
            f"got {input_shape!r}"
        )
    return tuple(input_shape)


def _fits(arg: str, x, window: int, what: str) -> None:
    height, width = x.shape[1], x.shape[2]
    if height < window or width < window:
        raise ValueError(
            f"{arg} is too small: {what} needs feature maps of at least "
            f"{window} x {window}, got {height} x {width}"
        )


# --------------------------------------------------------------------------- LeNet-5
def lenet5(input_shape=(32, 32, 1), num_classes=10) -> keras.Model:
    """LeNet-5 (LeCun et al. 1998): C1-S2-C3-S4-C5-F6-output, tanh units.

    Simplified as it is usually built: C3 connects to all six S2 maps (the paper
    connects each C3 map to 3, 4 or 6 of them), S2 and S4 are plain average
    pooling (the paper gives them a trainable coefficient and bias per map), and
    the output is a softmax Dense layer instead of 84-input RBF units.
    """
    input_shape = _shape(input_shape)
    num_classes = positive_int("num_classes", num_classes)
    inputs = keras.Input(shape=input_shape)
    _fits("input_shape", inputs, 32, "LeNet-5")
    x = kl.Conv2D(6, 5, activation="tanh", name="C1")(inputs)
    x = kl.AveragePooling2D(2, name="S2")(x)
    x = kl.Conv2D(16, 5, activation="tanh", name="C3")(x)
    x = kl.AveragePooling2D(2, name="S4")(x)
    x = kl.Conv2D(120, 5, activation="tanh", name="C5")(x)
    x = kl.Flatten(name="flatten")(x)
    x = kl.Dense(84, activation="tanh", name="F6")(x)
    outputs = kl.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="lenet5")


# --------------------------------------------------------------------------- AlexNet
def alexnet(
    input_shape=(227, 227, 3), num_classes=1000, two_tower=False, lrn=True
) -> keras.Model:
    """AlexNet (Krizhevsky et al. 2012): five convolutions, three dense layers.

    The paper says 224 x 224 inputs, but its 55 x 55 first feature maps need
    227 x 227 (Caffe's choice), the default here. ``two_tower=True`` splits
    conv2, conv4 and conv5 into two groups as on the paper's two GPUs (conv3 and
    the dense layers talk across GPUs, so they stay whole) as grouped
    convolutions.
    ``lrn`` adds the local response normalisation after conv1 and conv2.
    """
    input_shape = _shape(input_shape)
    num_classes = positive_int("num_classes", num_classes)
    if not isinstance(two_tower, bool) or not isinstance(lrn, bool):
        raise ValueError("two_tower and lrn must be True or False")
    groups = 2 if two_tower else 1
    inputs = keras.Input(shape=input_shape)
    _fits("input_shape", inputs, 67, "AlexNet")
    x = kl.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    if lrn:
        x = LocalResponseNormalization(name="lrn1")(x)
    x = kl.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = kl.Conv2D(
        256, 5, padding="same", activation="relu", groups=groups, name="conv2"
    )(x)
    if lrn:
        x = LocalResponseNormalization(name="lrn2")(x)
    x = kl.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = kl.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = kl.Conv2D(
        384, 3, padding="same", activation="relu", groups=groups, name="conv4"
    )(x)
    x = kl.Conv2D(
        256, 3, padding="same", activation="relu", groups=groups, name="conv5"
    )(x)
    x = kl.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = kl.Flatten(name="flatten")(x)
    for number in (6, 7):
        x = kl.Dense(4096, activation="relu", name=f"fc{number}")(x)
        x = kl.Dropout(0.5, name=f"dropout{number}")(x)
    outputs = kl.Dense(num_classes, activation="softmax", name="fc8")(x)
    name = "alexnet_two_tower" if two_tower else "alexnet"
    return keras.Model(inputs, outputs, name=name)


# --------------------------------------------------------------------------- GoogLeNet
def inception_module(
    x, filters: Sequence[int], bottleneck: bool = True, name: str = "inception"
):
    """One inception module on tensor ``x``; returns the concatenated output.

    ``filters`` is a row of Szegedy et al.'s Table 1: (#1x1, #3x3 reduce, #3x3,
    #5x5 reduce, #5x5, pool proj). ``bottleneck=False`` drops the two 1x1
    reductions (the 3x3 and 5x5 convolutions then read all input channels) but
    keeps the pool projection, so the output has the same channels either way.
    """
    if (
        not isinstance(filters, Sequence)
        or len(filters) != 6
        or not all(
            isinstance(f, int) and not isinstance(f, bool) and f > 0 for f in filters
        )
    ):
        raise ValueError(
            "filters must be six positive integers (#1x1, #3x3 reduce, #3x3, "
            f"#5x5 reduce, #5x5, pool proj), got {filters!r}"
        )
    if not isinstance(bottleneck, bool):
        raise ValueError(f"bottleneck must be True or False, got {bottleneck!r}")
    f1, r3, f3, r5, f5, fp = filters

    def conv(t, f, k, suffix):
        return kl.Conv2D(
            f, k, padding="same", activation="relu", name=f"{name}_{suffix}"
        )(t)

    b1 = conv(x, f1, 1, "1x1")
    b3 = conv(conv(x, r3, 1, "3x3_reduce") if bottleneck else x, f3, 3, "3x3")
    b5 = conv(conv(x, r5, 1, "5x5_reduce") if bottleneck else x, f5, 5, "5x5")
    pool = kl.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    bp = conv(pool, fp, 1, "pool_proj")
    return kl.Concatenate(name=f"{name}_concat")([b1, b3, b5, bp])


def _aux_classifier(x, num_classes: int, name: str):
    """GoogLeNet's side classifier: 5x5/3 average pool, 1x1 conv, two dense."""
    _fits("input_shape", x, 5, "an auxiliary classifier")
    x = kl.AveragePooling2D(5, strides=3, name=f"{name}_pool")(x)
    x = kl.Conv2D(128, 1, activation="relu", name=f"{name}_conv")(x)
    x = kl.Flatten(name=f"{name}_flatten")(x)
    x = kl.Dense(1024, activation="relu", name=f"{name}_fc")(x)
    x = kl.Dropout(0.7, name=f"{name}_dropout")(x)
    return kl.Dense(num_classes, activation="softmax", name=f"{name}_output")(x)


def googlenet(
    input_shape=(224, 224, 3),
    num_classes=1000,
    aux_classifiers=False,
    bottleneck=True,
    lrn=True,
) -> keras.Model:
    """GoogLeNet (Szegedy et al. 2015, Table 1): 22 layers, nine inception modules.

    ``aux_classifiers=True`` adds the two side classifiers on 4a and 4d that
    help training (the model then has three outputs); they are dropped for
    prediction and are not in the paper's Table 1. ``bottleneck=False`` builds
    every module without its 1x1 reductions. The final 7 x 7 average pooling is
    global average pooling, the same on a 224 x 224 input.
    """
    input_shape = _shape(input_shape)
    num_classes = positive_int("num_classes", num_classes)
    for arg, value in (("aux_classifiers", aux_classifiers), ("lrn", lrn)):
        if not isinstance(value, bool):
            raise ValueError(f"{arg} must be True or False, got {value!r}")
    inputs = keras.Input(shape=input_shape)
    _fits("input_shape", inputs, 7, "GoogLeNet")
    x = kl.Conv2D(64, 7, strides=2, padding="same", activation="relu", name="conv1")(
        inputs
    )
    x = kl.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    if lrn:
        x = LocalResponseNormalization(name="lrn1")(x)
    x = kl.Conv2D(64, 1, activation="relu", name="conv2_reduce")(x)
    x = kl.Conv2D(192, 3, padding="same", activation="relu", name="conv2")(x)
    if lrn:
        x = LocalResponseNormalization(name="lrn2")(x)
    x = kl.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    outputs = []
    for key, filters in _INCEPTION.items():
        if key in ("4a", "5a"):
            x = kl.MaxPooling2D(3, strides=2, padding="same", name=f"pool{key[0]}")(x)
        x = inception_module(x, filters, bottleneck, name=f"inception_{key}")
        if aux_classifiers and key in ("4a", "4d"):
            outputs.append(_aux_classifier(x, num_classes, f"aux_{key}"))
    x = kl.GlobalAveragePooling2D(name="avgpool")(x)
    x = kl.Dropout(0.4, name="dropout")(x)
    main = kl.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, [main, *outputs] if outputs else main, name="googlenet")


# --------------------------------------------------------------------------- ResNet
def _conv_bn(x, filters, kernel, strides, name, relu=True):
    x = kl.Conv2D(
        filters,
        kernel,
        strides=strides,
        padding="same",
        use_bias=False,
        name=f"{name}_conv",
    )(x)
    x = kl.BatchNormalization(name=f"{name}_bn")(x)
    return kl.ReLU(name=f"{name}_relu")(x) if relu else x


def residual_unit(
    x,
    filters: int,
    strides: int = 1,
    bottleneck: bool = False,
    shortcut: str = "B",
    name: str = "unit",
):
    """One unit of He et al. 2016 on tensor ``x``, convolutions with batch norm.

    Basic: two 3x3 convolutions with ``filters`` maps. Bottleneck: 1x1 to
    ``filters``, 3x3, 1x1 to ``4 * filters``. ``strides`` downsamples in the
    first convolution. ``shortcut``: "B" adds a projection (1x1 convolution and
    batch norm) only when the shape changes, "C" always, "none" builds the
    plain unit without shortcut (the paper's plain baseline).
    """
    filters = positive_int("filters", filters)
    if strides not in (1, 2):
        raise ValueError(f"strides must be 1 or 2, got {strides!r}")
    if shortcut not in ("B", "C", "none"):
        raise ValueError(f"shortcut must be 'B', 'C' or 'none', got {shortcut!r}")
    if not isinstance(bottleneck, bool):
        raise ValueError(f"bottleneck must be True or False, got {bottleneck!r}")
    out_channels = 4 * filters if bottleneck else filters
    if bottleneck:
        y = _conv_bn(x, filters, 1, strides, f"{name}_1")
        y = _conv_bn(y, filters, 3, 1, f"{name}_2")
        y = _conv_bn(y, out_channels, 1, 1, f"{name}_3", relu=False)
    else:
        y = _conv_bn(x, filters, 3, strides, f"{name}_1")
        y = _conv_bn(y, filters, 3, 1, f"{name}_2", relu=False)
    if shortcut == "none":
        return kl.ReLU(name=f"{name}_out")(y)
    changes = strides != 1 or x.shape[-1] != out_channels
    if shortcut == "C" or changes:
        x = _conv_bn(x, out_channels, 1, strides, f"{name}_proj", relu=False)
    y = kl.Add(name=f"{name}_add")([x, y])
    return kl.ReLU(name=f"{name}_out")(y)


def resnet(
    depth=50, input_shape=(224, 224, 3), num_classes=1000, residual=True, shortcut="B"
) -> keras.Model:
    """ResNet-18/34/50/101/152 of He et al. 2016, Table 1.

    ``residual=False`` builds the plain network of the same depth (no
    shortcuts, no projections); ``shortcut`` is "B" or "C" as in
    :func:`residual_unit`. Downsampling is by the first convolution of conv3_1,
    conv4_1 and conv5_1 (the 1x1 in a bottleneck, as in the paper).
    """
    if depth not in RESNET_STAGES:
        raise ValueError(f"depth must be one of {sorted(RESNET_STAGES)}, got {depth!r}")
    if not isinstance(residual, bool):
        raise ValueError(f"residual must be True or False, got {residual!r}")
    if shortcut not in ("B", "C"):
        raise ValueError(f"shortcut must be 'B' or 'C', got {shortcut!r}")
    input_shape = _shape(input_shape)
    num_classes = positive_int("num_classes", num_classes)
    units, bottleneck = RESNET_STAGES[depth]
    inputs = keras.Input(shape=input_shape)
    x = _conv_bn(inputs, 64, 7, 2, "conv1")
    x = kl.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    for stage, count in enumerate(units):
        for unit in range(count):
            x = residual_unit(
                x,
                64 * 2**stage,
                strides=2 if unit == 0 and stage > 0 else 1,
                bottleneck=bottleneck,
                shortcut=shortcut if residual else "none",
                name=f"conv{stage + 2}_{unit + 1}",
            )
    x = kl.GlobalAveragePooling2D(name="avgpool")(x)
    outputs = kl.Dense(num_classes, activation="softmax", name="fc")(x)
    kind = "resnet" if residual else "plain"
    return keras.Model(inputs, outputs, name=f"{kind}{depth}")


def thin_net_kind(depth, residual, identity_init) -> tuple[int, bool, bool]:
    """(depth, residual, identity_init) of a :func:`thin_net`, checked: an even
    depth of at least 4, and the zero-scale start only with shortcuts."""
    if not is_int(depth) or depth < 4 or depth % 2:
        raise ValueError(f"depth must be an even integer of at least 4, got {depth!r}")
    if not isinstance(residual, bool):
        raise ValueError(f"residual must be True or False, got {residual!r}")
    if not isinstance(identity_init, bool) or (identity_init and not residual):
        raise ValueError(
            "identity_init must be True (with residual=True) or False, "
            f"got {identity_init!r} with residual={residual!r}"
        )
    return int(depth), residual, identity_init


def thin_net(
    depth=20,
    input_dim=64,
    num_classes=10,
    width=32,
    residual=True,
    identity_init=False,
    kernel_initializer="glorot_uniform",
) -> keras.Model:
    """A thin fully connected network of ``depth`` weight layers, for tiny inputs.

    A Dense stem, ``(depth - 2) / 2`` units of two Dense layers of ``width``
    units with batch norm (the two-layer unit of He et al. with Dense layers in
    place of 3x3 convolutions; identity shortcuts if ``residual``, none
    otherwise), and a softmax layer. The plain and the residual model have
    exactly the same parameters; only the additions differ.

    ``identity_init=True`` (residual only) starts the scale of each unit's last
    batch norm at 0, so that every unit starts as the identity (Goyal et al.
    2017), a refinement He et al. did not use. ``kernel_initializer`` is any
    Keras initializer name for the Dense kernels: Keras' default
    ``"glorot_uniform"``, or ``"he_normal"`` (variance 2 / fan-in, as He et al.).
    """
    depth, residual, identity_init = thin_net_kind(depth, residual, identity_init)
    width = positive_int("width", width)
    input_dim = positive_int("input_dim", input_dim)
    num_classes = positive_int("num_classes", num_classes)
    if kernel_initializer not in ("glorot_uniform", "he_normal"):
        raise ValueError(
            f"kernel_initializer must be one of glorot_uniform, "
            f"he_normal, got {kernel_initializer!r}"
        )
    init = {"kernel_initializer": kernel_initializer}

    def dense_bn(t, name, relu=True, gamma="ones"):
        t = kl.Dense(width, use_bias=False, name=f"{name}_dense", **init)(t)
        t = kl.BatchNormalization(gamma_initializer=gamma, name=f"{name}_bn")(t)
        return kl.ReLU(name=f"{name}_relu")(t) if relu else t

    last_gamma = "zeros" if identity_init else "ones"
    inputs = keras.Input(shape=(input_dim,))
    x = dense_bn(inputs, "stem")
    for unit in range(1, (depth - 2) // 2 + 1):
        y = dense_bn(x, f"unit{unit}_1")
        y = dense_bn(y, f"unit{unit}_2", relu=False, gamma=last_gamma)
        if residual:
            y = kl.Add(name=f"unit{unit}_add")([x, y])
        x = kl.ReLU(name=f"unit{unit}_out")(y)
    outputs = kl.Dense(num_classes, activation="softmax", name="fc", **init)(x)
    kind = "residual" if residual else "plain"
    return keras.Model(inputs, outputs, name=f"{kind}{depth}")


# --------------------------------------------------------------------------- measuring
_WEIGHTED = frozenset({"Conv2D", "Dense", "DepthwiseConv2D", "SeparableConv2D"})


def weight_depth(model) -> int:
    """The most convolution and dense layers on any path from input to output.

    That is how the papers count depth ("22 layers", "ResNet-50"): pooling,
    normalisation and the projection shortcuts beside a unit do not add to it.
    """
    if not isinstance(model, keras.Model) or not model.outputs:
        raise ValueError(f"model must be a built Keras model, got {model!r}")
    memo: dict[int, int] = {}

    def depth(tensor) -> int:
        operation, node_index, _ = tensor._keras_history
        key = (id(operation), node_index)
        if key not in memo:
            node = operation._inbound_nodes[node_index]
            before = max(
                (depth(t) for t in keras.tree.flatten(node.input_tensors)), default=0
            )
            memo[key] = before + (type(operation).__name__ in _WEIGHTED)
        return memo[key]

    return max(depth(t) for t in model.outputs)


def measure(builder: Callable[..., keras.Model], *args, **kwargs):
    """Build a model, return ``(calc report, weight depth)``, then free it.

    The model is built in a ``keras.StatelessScope`` that never initialises its
    weights: shapes and parameter counts are known, but no memory is taken by
    the (60 million for AlexNet) random values, and building takes a fraction of
    a second. Keras' session (which also holds the uninitialised weights) is
    cleared afterwards.
    """
    if not callable(builder):
        raise ValueError(
            f"builder must be a function that returns a model, got {builder!r}"
        )
    try:
        with keras.StatelessScope(initialize_variables=False):
            model = builder(*args, **kwargs)
            return analyze_keras(model), weight_depth(model)
    finally:
        model = None
        # No weights were allocated, so there is nothing for gc.collect() to free
        # (it would cost a quarter of a second per call).
        keras.backend.clear_session(free_memory=False)
