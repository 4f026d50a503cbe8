"""What the papers print: figures, claims and layer tables, with where they are printed.

Pure data (no TensorFlow): the Keras builders of :mod:`cnnbook.referee` and the
arithmetic of :mod:`cnnbook.science` read the same tables, and the chapters
quote them, so each published figure is typed once, beside its citation.
"""

__all__ = ["CLAIMS", "PAPERS", "RESNET_STAGES", "SEED_QUESTION"]

SEED_QUESTION = {
    "input_shape": (200, 300, 3),
    "filters": (100, 200, 400),
    "kernel_size": 3,
    "strides": 2,
    "padding": "same",
    "batch_size": 50,
    "dtype": "float32",
}
"""The network the seed question asks about (Géron 2019, ch. 14, exercise 2) and
chapter 2 works through: a 200 x 300 RGB image, three 3 x 3 convolutions of
stride 2 with SAME padding and 100, 200, 400 maps, 32-bit floats, batches of 50.
Defined once: the chapter's calculator starts from it, and the exercises draw
their own networks, which must differ from it."""

PAPERS = {
    "LeNet-5": {
        "year": 1998,
        "depth": 5,
        "params": 60_000,
        "macs": None,
        "top5": None,
        "source": 'LeCun et al. 1998, Section II.B ("only 60,000 trainable free '
        'parameters")',
    },
    "AlexNet": {
        "year": 2012,
        "depth": 8,
        "params": 60_000_000,
        "neurons": 650_000,
        "macs": None,
        "top5": 18.2,
        "source": "Krizhevsky et al. 2012, Section 1 and Table 2 (1 CNN, 10 patches)",
    },
    "GoogLeNet": {
        "year": 2014,
        "depth": 22,
        "params": 6_800_000,
        "macs": 1_500_000_000,
        "top5": 9.15,
        "source": "Szegedy et al. 2015, Table 1 and Table 3 (1 model, 10 crops)",
    },
    "ResNet-18": {
        "year": 2015,
        "depth": 18,
        "params": None,
        "macs": 1_800_000_000,
        "top5": None,
        "source": "He et al. 2016, Table 1 (no top-5 reported)",
    },
    "ResNet-34": {
        "year": 2015,
        "depth": 34,
        "params": None,
        "macs": 3_600_000_000,
        "top5": 7.46,
        "source": "He et al. 2016, Tables 1 and 3 (10-crop, option B)",
    },
    "ResNet-50": {
        "year": 2015,
        "depth": 50,
        "params": None,
        "macs": 3_800_000_000,
        "top5": 6.71,
        "source": "He et al. 2016, Tables 1 and 3 (10-crop)",
    },
}
"""What the papers print. ``macs`` are multiply-adds (the papers say FLOPs);
``top5`` is the single-model ILSVRC-2012 validation top-5 error in percent with
10 test crops, ``None`` where the paper gives no such figure."""

CLAIMS = {
    "relu_error": (
        25,
        "Krizhevsky et al. 2012, Figure 1: the training error (%) both reach",
    ),
    "relu_speedup": (
        6,
        "Krizhevsky et al. 2012, Figure 1: ReLU reaches 25% "
        "training error on CIFAR-10 six times faster than tanh",
    ),
    "lrn_top1": (
        1.4,
        "Krizhevsky et al. 2012, Section 3.3 (top-1 error, points lower)",
    ),
    "lrn_top5": (
        1.2,
        "Krizhevsky et al. 2012, Section 3.3 (top-5 error, points lower)",
    ),
    "overlap_top1": (
        0.4,
        "Krizhevsky et al. 2012, Section 3.4 (top-1 error, points lower)",
    ),
    "overlap_top5": (
        0.3,
        "Krizhevsky et al. 2012, Section 3.4 (top-5 error, points lower)",
    ),
    "two_gpu_top1": (
        1.7,
        "Krizhevsky et al. 2012, Section 3.2 (top-1 error, points lower)",
    ),
    "two_gpu_top5": (
        1.2,
        "Krizhevsky et al. 2012, Section 3.2 (top-5 error, points lower)",
    ),
    "gpu_memory_gb": (3, "Krizhevsky et al. 2012, Section 3.2 (GTX 580, GB)"),
    "remove_layer_top1": (
        2,
        "Krizhevsky et al. 2012, Section 6 (top-1 accuracy lost, percentage points)",
    ),
    "augment_factor": (2048, "Krizhevsky et al. 2012, Section 4.1"),
    "gap_top1": (0.6, "Szegedy et al. 2015, Section 5 (top-1 error, points lower)"),
    "googlenet_fewer": (12, "Szegedy et al. 2015, Section 1 (x fewer than AlexNet)"),
    "aux_weight": (0.3, "Szegedy et al. 2015, Section 5 (auxiliary loss weight)"),
    "plain18_top1": (27.94, "He et al. 2016, Table 2 (top-1 error, %)"),
    "plain34_top1": (28.54, "He et al. 2016, Table 2 (top-1 error, %)"),
    "resnet18_top1": (27.88, "He et al. 2016, Table 2 (top-1 error, %)"),
    "resnet34_top1": (25.03, "He et al. 2016, Table 2 (top-1 error, %)"),
}
"""Other figures the chapter quotes: ``name: (value, where it is printed)``; a
gain in accuracy or error is in percentage points."""

RESNET_STAGES = {
    18: ((2, 2, 2, 2), False),
    34: ((3, 4, 6, 3), False),
    50: ((3, 4, 6, 3), True),
    101: ((3, 4, 23, 3), True),
    152: ((3, 8, 36, 3), True),
}
"""Residual units per stage, and whether they are bottlenecks (He et al. 2016,
Table 1): the one table the Keras builders and the memory plans both read."""

# ------------------------------------------------------------------ after ResNet
MODERN = {
    "VGG-16": {
        "year": 2014,
        "params": 138_000_000,
        "flops": None,
        "top1": 25.6,
        "protocol": "single test scale, dense evaluation",
        "source": "Simonyan and Zisserman 2015, Tables 2 and 3 (configuration D)",
    },
    "MobileNet": {
        "year": 2017,
        "params": 4_200_000,
        "flops": 569_000_000,
        "top1": 29.4,
        "protocol": "70.6% accuracy, 224 x 224",
        "source": "Howard et al. 2017, Table 8 (1.0 MobileNet-224)",
    },
    "Xception": {
        "year": 2017,
        "params": 22_855_952,
        "flops": None,
        "top1": 21.0,
        "protocol": "single crop, 299 x 299",
        "source": "Chollet 2017, Tables 1 and 3",
    },
    "SE-ResNet-50": {
        "year": 2018,
        "params": 28_100_000,
        "flops": 3_870_000_000,
        "top1": 23.29,
        "protocol": "single crop, 224 x 224",
        "source": "Hu et al. 2020 (TPAMI; CVPR 2018), Tables 2 and 10",
    },
    "EfficientNet-B0": {
        "year": 2019,
        "params": 5_300_000,
        "flops": 390_000_000,
        "top1": 22.9,
        "protocol": "single crop, 224 x 224",
        "source": "Tan and Le 2019, Table 2 (arXiv v5; the first version printed "
        "76.3% accuracy, 23.7% error)",
    },
    "EfficientNet-B1": {
        "year": 2019,
        "params": 7_800_000,
        "flops": 700_000_000,
        "top1": 20.9,
        "protocol": "single crop, 240 x 240",
        "source": "Tan and Le 2019, Table 2 (arXiv v5)",
    },
    "EfficientNet-B2": {
        "year": 2019,
        "params": 9_200_000,
        "flops": 1_000_000_000,
        "top1": 19.9,
        "protocol": "single crop, 260 x 260",
        "source": "Tan and Le 2019, Table 2 (arXiv v5)",
    },
    "EfficientNet-B3": {
        "year": 2019,
        "params": 12_000_000,
        "flops": 1_800_000_000,
        "top1": 18.4,
        "protocol": "single crop, 300 x 300",
        "source": "Tan and Le 2019, Table 2 (arXiv v5)",
    },
}
"""What the papers after ResNet print, as printed (rounded). ``flops`` is the
paper's "FLOPs" or "mult-adds": multiply-adds in each case, but SENet's also
count something more, which the paper does not name (the gates' rescaling
multiplications would account for it); None where the paper gives
none. ``top1`` is the ImageNet (ILSVRC-2012) validation top-1 error in percent,
measured as ``protocol`` says."""

TOP1 = {
    "LeNet-5": (
        0.95,
        "MNIST test error, not ImageNet",
        "LeCun et al. 1998, Section III.C",
    ),
    "AlexNet": (40.7, "1 CNN, 10 patches", "Krizhevsky et al. 2012, Table 2"),
    "GoogLeNet": (
        None,
        "top-1 not published (top-5: 10.07%, 1 crop)",
        "Szegedy et al. 2015, Table 3",
    ),
    "ResNet-50": (22.85, "10 crops", "He et al. 2016, Table 3"),
}
"""Top-1 errors (%) of the networks before ResNet's successors, with the test
protocol and where they are printed: ``name: (error, protocol, source)``."""

MODERN_CLAIMS = {
    "vgg_more_7x7": (
        81,
        "Simonyan and Zisserman 2015, Section 2.3 (49C^2 vs 27C^2, %)",
    ),
    "mobilenet_conv_macs": (
        462e6,
        "Howard et al. 2017, Table 3 (full 3x3 on 14x14x512)",
    ),
    "mobilenet_conv_params": (2.36e6, "Howard et al. 2017, Table 3"),
    "mobilenet_separable_macs": (52.3e6, "Howard et al. 2017, Table 3"),
    "mobilenet_separable_params": (0.27e6, "Howard et al. 2017, Table 3"),
    "mobilenet_share_pointwise": (94.86, "Howard et al. 2017, Table 2 (1x1, %)"),
    "mobilenet_share_depthwise": (3.06, "Howard et al. 2017, Table 2 (dw 3x3, %)"),
    "mobilenet_share_conv": (1.19, "Howard et al. 2017, Table 2 (3x3, % as printed)"),
    "mobilenet_share_dense": (0.18, "Howard et al. 2017, Table 2 (FC, %)"),
    "se_ratio": (16, "Hu et al. 2020, Section 5.1 (default reduction ratio)"),
    "se_extra_params": (2.5e6, "Hu et al. 2020, Section 4 (SE-ResNet-50, about)"),
    "resnet50_params": (25.6e6, "Hu et al. 2020, Table 10 (ResNet-50)"),
    "resnet50_gflops": (3.86, "Hu et al. 2020, Section 4 and Table 2"),
    "se_resnet50_gflops": (3.87, "Hu et al. 2020, Section 4 and Table 2"),
    "resnet50_top1_reimplemented": (24.80, "Hu et al. 2020, Table 2 (1 crop)"),
    "xception_flops_efficientnet": (8.4e9, "Tan and Le 2019, Table 2"),
    "efficientnet_alpha": (1.2, "Tan and Le 2019, Section 4 (depth)"),
    "efficientnet_beta": (1.1, "Tan and Le 2019, Section 4 (width)"),
    "efficientnet_gamma": (1.15, "Tan and Le 2019, Section 4 (resolution)"),
    "dilated_field_3_layers": (15, "Yu and Koltun 2016, Section 2 (rates 1, 2, 4)"),
}
"""Other figures the chapter after ResNet quotes: ``name: (value, where)``."""

RECEPTIVE_FIELDS = {
    "VGG-16": (212, 32, 90),
    "ResNet-50": (483, 32, 239),
    "MobileNet": (315, 32, 126),
    "Inception-v3": (1311, 32, 618),
}
"""Receptive field, effective stride and effective padding (pixels) of the last
feature maps of TF-Slim's models, from Araujo, Norris and Sim 2019 (Distill)
and its table (github.com/google-research/receptive_field). TF-Slim pads
ResNet-50's stem differently from Keras, hence 239 where Keras has 241."""
