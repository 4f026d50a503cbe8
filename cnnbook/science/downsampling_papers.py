"""What three papers measured about downsampling, typed once beside its source.

Chapter 4 checks the claims usually made about pooling and strided
convolutions against these tables. The layer lists of Springenberg et al.'s
CIFAR networks are :mod:`cnnbook.calc` layers, so their parameters are counted
here rather than copied.
"""

from __future__ import annotations

from cnnbook import calc

__all__ = ["ALL_CONV_C", "BLUR_POOL_RESNET50", "RESNET50_TWEAKS", "all_conv_layers"]


def _conv(filters: int, size: int = 3, strides: int = 1, padding: str = "same"):
    return calc.Conv2D(
        filters, size, strides=strides, padding=padding, activation="relu"
    )


def _pool():
    return calc.MaxPooling2D(3, strides=2, padding="same")


def all_conv_layers(variant: str) -> list:
    """The layers of one network derived from Springenberg et al.'s Model C
    (their Tables 1 and 2) for 32 x 32 x 3 CIFAR images: ``"Model C"``,
    ``"Strided-CNN-C"`` (max pooling removed, the stride of the convolution
    before it raised to 2), ``"ConvPool-CNN-C"`` (an extra 3 x 3 convolution
    before each max pooling, the control) and ``"All-CNN-C"`` (that extra
    convolution with stride 2 instead of the max pooling)."""
    head = [_conv(192, padding="valid"), _conv(192, 1), _conv(10, 1)]
    head.append(calc.GlobalAveragePooling2D())
    blocks = {
        "Model C": lambda c: [_conv(c), _conv(c), _pool()],
        "Strided-CNN-C": lambda c: [_conv(c), _conv(c, strides=2)],
        "ConvPool-CNN-C": lambda c: [_conv(c), _conv(c), _conv(c), _pool()],
        "All-CNN-C": lambda c: [_conv(c), _conv(c), _conv(c, strides=2)],
    }
    if variant not in blocks:
        raise ValueError(f"variant must be one of {sorted(blocks)}, got {variant!r}")
    return blocks[variant](96) + blocks[variant](192) + head


ALL_CONV_C = {
    "Model C": 9.74,
    "Strided-CNN-C": 10.19,
    "ConvPool-CNN-C": 9.31,
    "All-CNN-C": 9.08,
}
"""Test error (%) on CIFAR-10 without data augmentation, Springenberg et al.
2015, Table 3: one figure per network."""

ALL_CONV_C_PARAMS_M = {
    "Model C": 1.3,
    "Strided-CNN-C": 1.3,
    "ConvPool-CNN-C": 1.4,
    "All-CNN-C": 1.4,
}
"""Parameters in millions as Springenberg et al. 2015, Table 3 prints them
("≈ 1.3 M"): the chapter sets them beside the count of the layer lists."""

RESNET50_TWEAKS = {
    "ResNet-50": 76.21,
    "ResNet-50-B": 76.66,
    "ResNet-50-C": 76.87,
    "ResNet-50-D": 77.16,
}
"""ImageNet top-1 validation accuracy (%), He et al. 2019 ("Bag of Tricks"),
Table 5. B moves the stride of each downsampling block from its first 1 x 1
convolution to the 3 x 3 one; C replaces the 7 x 7 stem by three 3 x 3
convolutions; D (on top of C) replaces the shortcut's 1 x 1 convolution with
stride 2 by a 2 x 2 average pooling with stride 2 and a 1 x 1 convolution with
stride 1. Each keeps about 25 million parameters."""

BLUR_POOL_RESNET50 = {
    "baseline": {"accuracy": 76.16, "consistency": 89.20},
    "anti-aliased (Bin-5 filter)": {"accuracy": 77.04, "consistency": 91.31},
}
"""ResNet-50 on ImageNet, Zhang 2019 ("Making Convolutional Networks
Shift-Invariant Again"), trained from scratch: top-1 accuracy (%) and
consistency (%, how often two shifted crops of one image get the same class),
without and with a 5-tap binomial blur before every subsampling (max pooling,
strided convolutions, the shortcuts). Figures as the paper and the authors'
repository (adobe/antialiased-cnns, README_IMAGENET.md) list them."""
