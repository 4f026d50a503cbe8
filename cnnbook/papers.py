"""What the papers print: figures, claims and layer tables, with where they are printed.

Pure data (no TensorFlow): the Keras builders of :mod:`cnnbook.referee` and the
arithmetic of :mod:`cnnbook.science` read the same tables, and the chapters
quote them, so each published figure is typed once, beside its citation.
"""

__all__ = ["CLAIMS", "PAPERS", "RESNET_STAGES"]

PAPERS = {
    "LeNet-5": {
        "year": 1998,
        "depth": 5,
        "params": 60_000,
        "macs": None,
        "top5": None,
        "source": "LeCun et al. 1998, Section II.B (about 60,000)",
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
    "relu_speedup": (
        6,
        "Krizhevsky et al. 2012, Figure 1: ReLU reaches 25% "
        "training error on CIFAR-10 six times faster than tanh",
    ),
    "lrn_top1": (1.4, "Krizhevsky et al. 2012, Section 3.3 (top-1 gain, %)"),
    "lrn_top5": (1.2, "Krizhevsky et al. 2012, Section 3.3 (top-5 gain, %)"),
    "overlap_top1": (0.4, "Krizhevsky et al. 2012, Section 3.4 (top-1 gain, %)"),
    "overlap_top5": (0.3, "Krizhevsky et al. 2012, Section 3.4 (top-5 gain, %)"),
    "two_gpu_top1": (1.7, "Krizhevsky et al. 2012, Section 3.2 (top-1 gain, %)"),
    "two_gpu_top5": (1.2, "Krizhevsky et al. 2012, Section 3.2 (top-5 gain, %)"),
    "gpu_memory_gb": (3, "Krizhevsky et al. 2012, Section 3.2 (GTX 580, GB)"),
    "remove_layer_top1": (2, "Krizhevsky et al. 2012, Section 6 (top-1 loss, %)"),
    "augment_factor": (2048, "Krizhevsky et al. 2012, Section 4.1"),
    "gap_top1": (0.6, "Szegedy et al. 2015, Section 5 (top-1 gain, %)"),
    "googlenet_fewer": (12, "Szegedy et al. 2015, Section 1 (x fewer than AlexNet)"),
    "aux_weight": (0.3, "Szegedy et al. 2015, Section 5 (auxiliary loss weight)"),
    "plain18_top1": (27.94, "He et al. 2016, Table 2 (top-1 error, %)"),
    "plain34_top1": (28.54, "He et al. 2016, Table 2 (top-1 error, %)"),
    "resnet18_top1": (27.88, "He et al. 2016, Table 2 (top-1 error, %)"),
    "resnet34_top1": (25.03, "He et al. 2016, Table 2 (top-1 error, %)"),
}
"""Other figures the chapter quotes: ``name: (value, where it is printed)``."""

RESNET_STAGES = {
    18: ((2, 2, 2, 2), False),
    34: ((3, 4, 6, 3), False),
    50: ((3, 4, 6, 3), True),
    101: ((3, 4, 23, 3), True),
    152: ((3, 8, 36, 3), True),
}
"""Residual units per stage, and whether they are bottlenecks (He et al. 2016,
Table 1): the one table the Keras builders and the memory plans both read."""
