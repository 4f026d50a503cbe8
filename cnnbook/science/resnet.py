"""The ResNets of ``keras.applications`` described in ``calc`` specs, without Keras.

:func:`resnet_report` describes ResNet-50/101/152 (He et al. 2016, v1 with
biases) so that variants (smaller input, larger strides, fewer maps or layers)
are analysed without building Keras models; :func:`resnet_graph` gives the same
network as a :class:`cnnbook.science.backprop_memory.Graph`, with what each
layer's gradient reads. The tests check both against Keras layer for layer.
"""

from __future__ import annotations

import math
import numbers

from cnnbook import calc
from cnnbook.papers import RESNET_STAGES
from cnnbook.science import backprop_memory
from cnnbook.validate import positive_int

__all__ = ["BOTTLENECK_DEPTHS", "resnet_graph", "resnet_report"]

BOTTLENECK_DEPTHS = tuple(
    depth for depth, (_, bottleneck) in RESNET_STAGES.items() if bottleneck
)
"""The ResNets built of bottleneck units, as in ``keras.applications``: 50, 101, 152."""


def resnet_report(
    depth: int = 50,
    input_size: int = 224,
    width: float = 1.0,
    stage1_stride: int = 1,
    batch_size: int = 1,
    dtype: str = "float32",
    classes: int = 1000,
) -> calc.Report:
    """calc's report of ``keras.applications.ResNet50/101/152`` (v1, biases).

    Variants: ``input_size`` (square images), ``width`` (multiplies every
    stage's filters, rounded), ``stage1_stride`` (2 downsamples once more at
    the start of the first stage, as the later stages do).
    """
    graph = _resnet(depth, input_size, width, stage1_stride, classes)
    return calc.report_from_graph(
        {graph.input: graph.shapes[graph.input]}, graph.steps, batch_size, dtype
    )


def resnet_graph(
    depth: int = 50,
    input_size: int = 224,
    width: float = 1.0,
    stage1_stride: int = 1,
    classes: int = 1000,
) -> backprop_memory.Graph:
    """The network of :func:`resnet_report` as a :class:`backprop_memory.Graph`,
    with what each layer's gradient reads (for :func:`kept_values`)."""
    graph = _resnet(depth, input_size, width, stage1_stride, classes)
    return backprop_memory.Graph(
        {graph.input: math.prod(graph.shapes[graph.input])}, tuple(graph.nodes)
    )


def _resnet(depth, input_size, width, stage1_stride, classes) -> _Graph:
    if depth not in BOTTLENECK_DEPTHS:
        raise ValueError(
            f"depth must be one of {list(BOTTLENECK_DEPTHS)}, got {depth!r}"
        )
    input_size = positive_int("input_size", input_size)
    if (
        not isinstance(width, numbers.Real)
        or isinstance(width, bool)
        or not math.isfinite(width)
        or width <= 0
    ):
        raise ValueError(f"width must be a positive number, got {width!r}")
    if stage1_stride not in (1, 2):
        raise ValueError(f"stage1_stride must be 1 or 2, got {stage1_stride!r}")
    if input_size < 32:
        raise ValueError(f"input_size must be at least 32, got {input_size}")
    graph = _Graph((input_size, input_size, 3))
    x = graph.add(calc.ZeroPadding2D(3), graph.input, "conv1_pad")
    x = graph.add(calc.Conv2D(max(1, round(64 * width)), 7, strides=2), x, "conv1_conv")
    x = graph.add(calc.BatchNormalization(), x, "conv1_bn")
    x = graph.add(calc.Activation("relu"), x, "conv1_relu")
    x = graph.add(calc.ZeroPadding2D(1), x, "pool1_pad")
    x = graph.add(calc.MaxPooling2D(3, strides=2), x, "pool1_pool")
    for stage, blocks in enumerate(RESNET_STAGES[depth][0]):
        filters = max(1, round(64 * 2**stage * width))
        stride = stage1_stride if stage == 0 else 2
        for block in range(blocks):
            name = f"conv{stage + 2}_block{block + 1}"
            x = _bottleneck(
                graph, x, filters, stride if block == 0 else 1, block == 0, name
            )
    x = graph.add(calc.GlobalAveragePooling2D(), x, "avg_pool")
    graph.add(calc.Dense(classes, activation="softmax"), x, "predictions")
    return graph


def _bottleneck(graph, x, filters, stride, conv_shortcut, name):
    if conv_shortcut:
        shortcut = graph.add(
            calc.Conv2D(4 * filters, 1, strides=stride), x, f"{name}_0_conv"
        )
        shortcut = graph.add(calc.BatchNormalization(), shortcut, f"{name}_0_bn")
    else:
        shortcut = x
    x = graph.add(calc.Conv2D(filters, 1, strides=stride), x, f"{name}_1_conv")
    x = graph.add(calc.BatchNormalization(), x, f"{name}_1_bn")
    x = graph.add(calc.Activation("relu"), x, f"{name}_1_relu")
    x = graph.add(calc.Conv2D(filters, 3, padding="same"), x, f"{name}_2_conv")
    x = graph.add(calc.BatchNormalization(), x, f"{name}_2_bn")
    x = graph.add(calc.Activation("relu"), x, f"{name}_2_relu")
    x = graph.add(calc.Conv2D(4 * filters, 1), x, f"{name}_3_conv")
    x = graph.add(calc.BatchNormalization(), x, f"{name}_3_bn")
    x = graph.add_merge("Add", (shortcut, x), f"{name}_add")
    return graph.add(calc.Activation("relu"), x, f"{name}_out")


class _Graph:
    """GraphSteps built one layer call at a time; tensors are named by their layer."""

    def __init__(self, input_shape):
        self.input = "input"
        self.shapes = {self.input: tuple(input_shape)}
        self.steps: list[calc.GraphStep] = []
        self.nodes: list[backprop_memory.Node] = []

    def add(self, spec: calc.Layer, source: str, name: str) -> str:
        shape = self.shapes[source]
        try:
            out = spec.compute_output_shape(shape)
        except ValueError as err:
            raise ValueError(f"layer {name}: {err}") from None
        self.shapes[name] = out
        self.steps.append(
            calc.GraphStep(
                name,
                type(spec).__name__,
                shape,
                out,
                spec.count_params(shape),
                spec.count_macs(shape),
                (source,),
                name,
            )
        )
        self._node(
            name, type(spec).__name__, (source,), backprop_memory.backward_reads(spec)
        )
        return name

    def add_merge(self, kind: str, sources: tuple[str, ...], name: str) -> str:
        shapes = tuple(self.shapes[s] for s in sources)
        self.shapes[name] = shapes[0]
        self.steps.append(
            calc.GraphStep(name, kind, shapes, shapes[0], 0, 0, sources, name)
        )
        self._node(name, kind, sources, backprop_memory.backward_reads(kind))
        return name

    def _node(self, name, kind, sources, reads) -> None:
        step = self.steps[-1]
        self.nodes.append(
            backprop_memory.Node(
                name,
                kind,
                sources,
                name,
                math.prod(step.output_shape),
                step.params,
                reads,
            )
        )
